"""Directory API: organisations, members, invitations, API tokens and the caller's identity."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router

from harbor.core.api import Problem, actor_of, anyone, signed_in
from harbor.core.pagination import paginate
from harbor.directory import selectors, services
from harbor.directory.models import Membership
from harbor.directory.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
    MemberPage,
    MemberRead,
    MemberUpdate,
    MeRead,
    OrganisationCreate,
    OrganisationPage,
    OrganisationRead,
    OrganisationUpdate,
    TokenCreate,
    TokenCreated,
    TokenRead,
    VerificationSet,
)

router = Router(tags=["directory"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


@router.get("/me", response={200: MeRead, 401: Problem}, auth=signed_in, operation_id="get_me")
def get_me(request: HttpRequest) -> object:
    """Who the caller is, the organisation they act for, and the scopes they hold."""
    actor = actor_of(request)
    memberships = Membership.objects.filter(user_id=actor.user_id or 0).select_related(
        "organisation", "user"
    )
    user = memberships[0].user if memberships else request.user
    return {
        "username": actor.username,
        "email": getattr(user, "email", ""),
        "is_staff": actor.is_staff,
        "acting_organisation": next(
            (
                m.organisation.slug
                for m in memberships
                if m.organisation_id == actor.organisation_id
            ),
            None,
        ),
        "role": actor.role,
        "scopes": sorted(actor.scopes),
        "memberships": [{"organisation": m.organisation.slug, "role": m.role} for m in memberships],
    }


@router.get(
    "/organisations",
    response={200: OrganisationPage, 422: Problem},
    auth=anyone,
    operation_id="list_organisations",
)
def list_organisations(
    request: HttpRequest,
    q: str = "",
    country: str = "",
    kind: str = "",
    verification: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> object:
    """The organisation directory: verified organisations for everyone, your own unverified ones too."""
    organisations = selectors.list_organisations_for(
        actor_of(request), q=q, country=country, kind=kind, verification=verification
    )
    return paginate(organisations, cursor=cursor, limit=limit, order=("name", "id"))


@router.post(
    "/organisations",
    response={201: OrganisationRead, **ERRORS},
    auth=signed_in,
    operation_id="create_organisation",
)
def create_organisation(request: HttpRequest, payload: OrganisationCreate) -> object:
    """Register an organisation; you become its owner. It is unverified until staff verify it."""
    return 201, services.create_organisation(actor=actor_of(request), **payload.dict())


@router.get(
    "/organisations/{slug}",
    response={200: OrganisationRead, 404: Problem},
    auth=anyone,
    operation_id="get_organisation",
)
def get_organisation(request: HttpRequest, slug: str) -> object:
    return selectors.get_organisation_for(actor_of(request), slug)


@router.patch(
    "/organisations/{slug}",
    response={200: OrganisationRead, **ERRORS},
    auth=signed_in,
    operation_id="update_organisation",
)
def update_organisation(request: HttpRequest, slug: str, payload: OrganisationUpdate) -> object:
    """Change details (administrators of the organisation)."""
    actor = actor_of(request)
    organisation = selectors.get_organisation_for(actor, slug)
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    return services.update_organisation(organisation, actor=actor, **changes)


@router.post(
    "/organisations/{slug}/verification",
    response={200: OrganisationRead, **ERRORS},
    auth=signed_in,
    operation_id="set_verification",
)
def set_verification(request: HttpRequest, slug: str, payload: VerificationSet) -> object:
    """Verify or reject an organisation (platform staff)."""
    actor = actor_of(request)
    organisation = selectors.get_organisation_for(actor, slug)
    return services.set_verification(organisation, actor=actor, status=payload.status)


@router.get(
    "/organisations/{slug}/members",
    response={200: MemberPage, **ERRORS},
    auth=signed_in,
    operation_id="list_members",
)
def list_members(
    request: HttpRequest, slug: str, cursor: str | None = None, limit: int = 50
) -> object:
    """Members of an organisation (visible to its members)."""
    actor = actor_of(request)
    organisation = selectors.get_organisation_for(actor, slug)
    return paginate(
        selectors.list_memberships_for(actor, organisation),
        cursor=cursor,
        limit=limit,
        order=("id",),
    )


@router.patch(
    "/organisations/{slug}/members/{member_id}",
    response={200: MemberRead, **ERRORS},
    auth=signed_in,
    operation_id="update_member",
)
def update_member(request: HttpRequest, slug: str, member_id: int, payload: MemberUpdate) -> object:
    """Change a member's role (administrators; ownership only by owners)."""
    actor = actor_of(request)
    organisation = selectors.get_organisation_for(actor, slug)
    membership = selectors.get_membership_for(actor, organisation, member_id)
    return services.change_member_role(membership, actor=actor, role=payload.role)


@router.delete(
    "/organisations/{slug}/members/{member_id}",
    response={204: None, **ERRORS},
    auth=signed_in,
    operation_id="remove_member",
)
def remove_member(request: HttpRequest, slug: str, member_id: int) -> object:
    """Remove a member, or leave an organisation yourself."""
    actor = actor_of(request)
    organisation = selectors.get_organisation_for(actor, slug)
    services.remove_member(
        selectors.get_membership_for(actor, organisation, member_id), actor=actor
    )
    return 204, None


@router.get(
    "/organisations/{slug}/invitations",
    response={200: list[InvitationRead], **ERRORS},
    auth=signed_in,
    operation_id="list_invitations",
)
def list_invitations(request: HttpRequest, slug: str) -> object:
    actor = actor_of(request)
    organisation = selectors.get_organisation_for(actor, slug)
    return list(selectors.list_invitations_for(actor, organisation))


@router.post(
    "/organisations/{slug}/invitations",
    response={201: InvitationCreated, **ERRORS},
    auth=signed_in,
    operation_id="create_invitation",
)
def create_invitation(request: HttpRequest, slug: str, payload: InvitationCreate) -> object:
    """Invite someone by email; the response carries the secret once."""
    actor = actor_of(request)
    organisation = selectors.get_organisation_for(actor, slug)
    invitation, raw = services.invite_member(
        organisation, actor=actor, email=payload.email, role=payload.role
    )
    accept_url = request.build_absolute_uri(reverse("directory:accept_invitation", args=[raw]))
    return 201, {
        **InvitationRead.from_orm(invitation).dict(),
        "token": raw,
        "accept_url": accept_url,
    }


@router.delete(
    "/organisations/{slug}/invitations/{invitation_id}",
    response={204: None, **ERRORS},
    auth=signed_in,
    operation_id="revoke_invitation",
)
def revoke_invitation(request: HttpRequest, slug: str, invitation_id: int) -> object:
    """Withdraw an invitation: its link stops working. It stays listed, with the time it was revoked;
    revoking it again, or revoking one already accepted, changes nothing."""
    actor = actor_of(request)
    organisation = selectors.get_organisation_for(actor, slug)
    invitation = selectors.get_invitation_for(actor, organisation, invitation_id)
    services.revoke_invitation(invitation, actor=actor)
    return 204, None


@router.post(
    "/invitations/accept",
    response={200: MemberRead, **ERRORS},
    auth=signed_in,
    operation_id="accept_invitation",
)
def accept_invitation(request: HttpRequest, payload: InvitationAccept) -> object:
    return services.accept_invitation(payload.token, actor=actor_of(request))


@router.get(
    "/tokens",
    response={200: list[TokenRead], 401: Problem},
    auth=signed_in,
    operation_id="list_tokens",
)
def list_tokens(request: HttpRequest) -> object:
    """Your own API tokens (never their secrets)."""
    return list(selectors.list_tokens_for(actor_of(request)))


@router.post(
    "/tokens", response={201: TokenCreated, **ERRORS}, auth=signed_in, operation_id="create_token"
)
def create_token(request: HttpRequest, payload: TokenCreate) -> object:
    """Create a scoped, expiring token; the response carries the secret once."""
    actor = actor_of(request)
    organisation = (
        selectors.get_organisation_for(actor, payload.organisation)
        if payload.organisation
        else None
    )
    token, raw = services.create_api_token(
        actor=actor,
        name=payload.name,
        organisation=organisation,
        scopes=payload.scopes,
        expires_at=payload.expires_at,
    )
    return 201, {**TokenRead.from_orm(token).dict(), "token": raw}


@router.delete(
    "/tokens/{token_id}",
    response={204: None, **ERRORS},
    auth=signed_in,
    operation_id="revoke_token",
)
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse | object:
    actor = actor_of(request)
    services.revoke_api_token(selectors.get_token_for(actor, token_id), actor=actor)
    return 204, None
