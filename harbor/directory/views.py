"""Pages of the directory: organisations, members, invitations, the acting organisation and API tokens.

Every read goes through a selector and every write through a service, always with ``request.actor``; the
permission checks here only decide which buttons to show.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from harbor.core.api import actor_of
from harbor.core.errors import HarborError
from harbor.core.pages import is_htmx, place_service_errors, render_error
from harbor.core.permissions import allowed
from harbor.directory import permissions as perms
from harbor.directory import selectors, services
from harbor.directory.choices import Verification
from harbor.directory.forms import (
    InviteForm,
    OrganisationFilterForm,
    OrganisationForm,
    RoleForm,
    SwitchOrganisationForm,
    TokenForm,
    VerificationForm,
)
from harbor.directory.models import Membership, Organisation

PAGE_SIZE = 20

# Service field names that a form calls differently.
FIELD_ALIASES = {
    "expires_at": "expires_days",
    "name_translations": "name_en",
    "verification": "status",
}


def add_service_error(form: forms.Form, error: HarborError) -> None:
    """Put a service's field errors on the matching form fields, and its detail on the form otherwise."""

    def field_for(path: str) -> str:
        name = path.split(".")[0]
        return FIELD_ALIASES.get(name, name)

    place_service_errors(form, error, field_for=field_for)


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


# --- the directory ------------------------------------------------------------------------------------


@vary_on_headers("HX-Request")
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The directory as the reader may see it, searched and filtered, a page at a time."""
    actor = actor_of(request)
    form = OrganisationFilterForm(request.GET)
    page = None
    status = 200
    if form.is_valid():
        organisations = selectors.list_organisations_for(
            actor,
            q=form.cleaned_data["q"],
            country=form.cleaned_data["country"],
            kind=form.cleaned_data["kind"],
        )
        page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        status = 400
    template = (
        "directory/partials/_organisation_results.html"
        if is_htmx(request)
        else "directory/organisation_list.html"
    )
    return render(request, template, {"form": form, "page": page}, status=status)


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One organisation: its names, country, kind, verification and, for those allowed, what they may do."""
    actor = actor_of(request)
    try:
        organisation = selectors.get_organisation_for(actor, slug)
    except HarborError as error:
        return render_error(request, error)
    return render(
        request, "directory/organisation_detail.html", _detail_context(request, organisation)
    )


def _detail_context(request: HttpRequest, organisation: Organisation) -> dict[str, Any]:
    actor = actor_of(request)
    can_edit = allowed(actor, perms.UPDATE_ORGANISATION, organisation)
    translations = [
        (language, text)
        for language, text in sorted(organisation.name_translations.items())
        if text != organisation.name
    ]
    return {
        "organisation": organisation,
        "translations": translations,
        "can_edit": can_edit,
        "can_request_verification": can_edit
        and organisation.verification in (Verification.UNVERIFIED, Verification.REJECTED),
        "can_verify": allowed(actor, perms.VERIFY_ORGANISATION, organisation),
        "can_view_members": allowed(actor, perms.VIEW_MEMBERS, organisation),
    }


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    """Register an organisation; the person who registers it becomes its owner."""
    form = OrganisationForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                organisation = services.create_organisation(
                    actor=actor_of(request), **form.service_fields()
                )
            except HarborError as error:
                add_service_error(form, error)
                status = error.http_status
            else:
                messages.success(
                    request,
                    _("%(name)s is registered. Ask for verification to list it publicly.")
                    % {"name": organisation.name},
                )
                return redirect("directory:organisation_detail", slug=organisation.slug)
    return render(
        request,
        "directory/organisation_form.html",
        {"form": form, "organisation": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Change an organisation's details (its administrators and staff)."""
    actor = actor_of(request)
    try:
        organisation = selectors.get_organisation_for(actor, slug)
    except HarborError as error:
        return render_error(request, error)
    if not allowed(actor, perms.UPDATE_ORGANISATION, organisation):
        return render_error(
            request, status=403, detail=_("Only administrators of this organisation can edit it.")
        )
    form = OrganisationForm(
        request.POST or None, initial=OrganisationForm.initial_for(organisation)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_organisation(
                    organisation, actor=actor, **form.service_fields(organisation)
                )
            except HarborError as error:
                add_service_error(form, error)
                status = error.http_status
                organisation.refresh_from_db()
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("directory:organisation_detail", slug=organisation.slug)
    return render(
        request,
        "directory/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=status,
    )


@login_required
@require_POST
def request_verification(request: HttpRequest, slug: str) -> HttpResponse:
    """An administrator asks the platform staff to verify their organisation."""
    actor = actor_of(request)
    try:
        organisation = selectors.get_organisation_for(actor, slug)
        services.request_verification(organisation, actor=actor)
    except HarborError as error:
        return render_error(request, error)
    messages.success(request, _("Verification requested. Platform staff will review it."))
    return redirect("directory:organisation_detail", slug=slug)


@login_required
@require_POST
def set_verification(request: HttpRequest, slug: str) -> HttpResponse:
    """Platform staff verify or reject an organisation."""
    actor = actor_of(request)
    try:
        organisation = selectors.get_organisation_for(actor, slug)
    except HarborError as error:
        return render_error(request, error)
    form = VerificationForm(request.POST)
    if not form.is_valid():
        return render_error(request, status=400, detail=_("Choose to verify or to reject."))
    try:
        services.set_verification(organisation, actor=actor, status=form.cleaned_data["status"])
    except HarborError as error:
        return render_error(request, error)
    messages.success(
        request,
        _("%(name)s is now “%(status)s”.")
        % {"name": organisation.name, "status": organisation.get_verification_display()},
    )
    return redirect("directory:organisation_detail", slug=slug)


# --- members ------------------------------------------------------------------------------------------


def _member_rows(
    request: HttpRequest, organisation: Organisation, memberships: list[Membership]
) -> list[dict[str, Any]]:
    return [_member_row(request, organisation, membership) for membership in memberships]


def _member_row(
    request: HttpRequest,
    organisation: Organisation,
    membership: Membership,
    *,
    form: RoleForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    actor = actor_of(request)
    can_manage = allowed(actor, perms.MANAGE_MEMBERS, organisation)
    return {
        "membership": membership,
        "organisation": organisation,
        "is_self": membership.user_id == actor.user_id,
        "can_manage": can_manage,
        "role_form": form
        or RoleForm(initial={"role": membership.role}, prefix=f"m{membership.pk}"),
        "error": error,
    }


def _members_page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    invite_form: InviteForm | None = None,
    invitation_link: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    memberships = list(selectors.list_memberships_for(actor, organisation))
    can_manage = allowed(actor, perms.MANAGE_MEMBERS, organisation)
    invitations = (
        [i for i in selectors.list_invitations_for(actor, organisation) if i.is_open]
        if can_manage
        else []
    )
    context = {
        "organisation": organisation,
        "rows": _member_rows(request, organisation, memberships),
        "can_manage": can_manage,
        "invitations": invitations,
        "invite_form": invite_form or InviteForm(),
        "invitation_link": invitation_link,
    }
    return render(request, "directory/members.html", context, status=status)


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """The people of an organisation; visible to its members, managed by its administrators."""
    actor = actor_of(request)
    try:
        organisation = selectors.get_organisation_for(actor, slug)
        return _members_page(request, organisation)
    except HarborError as error:
        return render_error(request, error)


@login_required
@require_POST
def invite_member(request: HttpRequest, slug: str) -> HttpResponse:
    """Invite a person by email; the page shows the secret accept link once."""
    actor = actor_of(request)
    try:
        organisation = selectors.get_organisation_for(actor, slug)
        selectors.list_memberships_for(actor, organisation)
    except HarborError as error:
        return render_error(request, error)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _members_page(request, organisation, invite_form=form, status=400)
    try:
        _invitation, raw = services.invite_member(
            organisation,
            actor=actor,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
        )
    except HarborError as error:
        add_service_error(form, error)
        return _members_page(request, organisation, invite_form=form, status=error.http_status)
    link = request.build_absolute_uri(reverse("directory:accept_invitation", args=[raw]))
    return _members_page(request, organisation, invitation_link=link, status=201)


@login_required
@require_POST
def revoke_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    """Withdraw an invitation that has not been accepted yet."""
    actor = actor_of(request)
    try:
        organisation = selectors.get_organisation_for(actor, slug)
        invitation = selectors.get_invitation_for(actor, organisation, invitation_id)
        services.revoke_invitation(invitation, actor=actor)
    except HarborError as error:
        return render_error(request, error)
    messages.success(
        request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email}
    )
    return redirect("directory:members", slug=slug)


@login_required
@require_POST
def change_member_role(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    """Give a member another role; answers HTMX with the updated row."""
    actor = actor_of(request)
    try:
        organisation = selectors.get_organisation_for(actor, slug)
        membership = selectors.get_membership_for(actor, organisation, member_id)
    except HarborError as error:
        return render_error(request, error)
    form = RoleForm(request.POST, prefix=f"m{membership.pk}")
    error_text, status = "", 200
    if not form.is_valid():
        error_text, status = "; ".join(str(e) for e in form.errors.get("role", [])), 400
    else:
        try:
            membership = services.change_member_role(
                membership, actor=actor, role=form.cleaned_data["role"]
            )
        except HarborError as error:
            error_text, status = str(error.detail), error.http_status
    if is_htmx(request):
        row = _member_row(
            request,
            organisation,
            membership,
            form=form if status != 200 else None,
            error=error_text,
        )
        if status == 200:
            row["notice"] = _("Role changed to %(role)s.") % {"role": membership.get_role_display()}
        return render(request, "directory/partials/_member_row.html", {"row": row}, status=status)
    if status != 200:
        return render_error(request, status=status, detail=error_text)
    messages.success(
        request,
        _("%(user)s is now %(role)s.")
        % {"user": membership.user.username, "role": membership.get_role_display()},
    )
    return redirect("directory:members", slug=slug)


@login_required
@require_POST
def remove_member(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    """Remove a member, or leave the organisation oneself; answers HTMX by removing the row."""
    actor = actor_of(request)
    try:
        organisation = selectors.get_organisation_for(actor, slug)
        membership = selectors.get_membership_for(actor, organisation, member_id)
    except HarborError as error:
        return render_error(request, error)
    left = membership.user_id == actor.user_id
    try:
        services.remove_member(membership, actor=actor)
    except HarborError as error:
        if is_htmx(request):
            row = _member_row(request, organisation, membership, error=str(error.detail))
            return render(
                request,
                "directory/partials/_member_row.html",
                {"row": row},
                status=error.http_status,
            )
        return render_error(request, error)
    if left:
        messages.success(request, _("You left %(name)s.") % {"name": organisation.name})
        target = reverse("directory:organisation_list")
        return HttpResponseClientRedirect(target) if is_htmx(request) else redirect(target)
    if is_htmx(request):
        return HttpResponse("")
    messages.success(
        request, _("%(user)s is no longer a member.") % {"user": membership.user.username}
    )
    return redirect("directory:members", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person, signed in, joins the organisation with the invited role."""
    if request.method == "GET":
        return render(request, "directory/accept_invitation.html", {"token": token})
    try:
        membership = services.accept_invitation(token, actor=actor_of(request))
    except HarborError as error:
        return render(
            request,
            "directory/accept_invitation.html",
            {"token": token, "error": error.detail},
            status=error.http_status,
        )
    organisation = membership.organisation
    messages.success(
        request,
        _("You are now %(role)s of %(name)s.")
        % {"role": membership.get_role_display(), "name": organisation.name},
    )
    return redirect("directory:organisation_detail", slug=organisation.slug)


# --- the acting organisation and API tokens -----------------------------------------------------------


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    """Act for another of one's organisations from now on."""
    actor = actor_of(request)
    form = SwitchOrganisationForm(request.POST)
    if not form.is_valid():
        return render_error(request, status=400, detail=_("Choose an organisation."))
    try:
        organisation = selectors.get_organisation_for(actor, form.cleaned_data["organisation"])
        services.switch_organisation(request.user, organisation=organisation)  # type: ignore[arg-type]
    except HarborError as error:
        return render_error(request, error)
    messages.success(request, _("You now act for %(name)s.") % {"name": organisation.display_name})
    return redirect(_safe_next(request, form.cleaned_data["next"]))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """One's own API tokens; a new token's secret is shown once, right after it is created."""
    actor = actor_of(request)
    organisations = sorted(
        selectors.organisations_of(actor), key=lambda org: org.display_name.casefold()
    )
    acting = next((org for org in organisations if org.pk == actor.organisation_id), None)
    form = TokenForm(
        request.POST or None,
        organisations=organisations,
        initial={"organisation": acting.slug if acting else ""},
    )
    status, created, raw = 200, None, ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            organisation = next(org for org in organisations if org.slug == data["organisation"])
            try:
                created, raw = services.create_api_token(
                    actor=actor,
                    name=data["name"],
                    organisation=organisation,
                    scopes=list(data["scopes"]),
                    expires_at=timezone.now() + timedelta(days=data["expires_days"]),
                )
            except HarborError as error:
                add_service_error(form, error)
                status = error.http_status
            else:
                status = 201
                form = TokenForm(
                    organisations=organisations,
                    initial={"organisation": acting.slug if acting else ""},
                )
    context = {
        "form": form,
        "tokens": list(selectors.list_tokens_for(actor)),
        "created": created,
        "raw_token": raw,
        "has_organisations": bool(organisations),
    }
    return render(request, "directory/tokens.html", context, status=status)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of one's own tokens; it stops working at once."""
    actor = actor_of(request)
    try:
        token = selectors.get_token_for(actor, token_id)
        services.revoke_api_token(token, actor=actor)
    except HarborError as error:
        return render_error(request, error)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("directory:tokens")
