"""Writes of the directory: each checks permission, runs in one transaction and appends an audit entry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from harbor.core.actors import ROLE_RANK, Actor, Role, Scope
from harbor.core.audit import record_audit
from harbor.core.errors import ErrorCode, FieldError, HarborError, NotFound, ValidationFailed
from harbor.core.permissions import require
from harbor.directory import permissions as perms
from harbor.directory.choices import MemberRole, OrganisationKind, Verification
from harbor.directory.models import ApiToken, Invitation, Membership, Organisation, User
from harbor.directory.tokens import hash_secret, new_token, secret_matches, split_token
from harbor.reference.catalogue import CONTENT_LANGUAGES
from harbor.reference.models import Country

MAX_TOKEN_DAYS = 366
MAX_WEBSITE_LENGTH = 200  # Organisation.website's column
INVITATION_DAYS = 14


# --- actors -----------------------------------------------------------------------------------------


def build_actor(
    user: User, *, organisation: Organisation | None = None, token: ApiToken | None = None
) -> Actor:
    """The actor for ``user`` acting for ``organisation`` (default: their active one, if still a member)."""
    memberships = {m.organisation_id: m for m in user.memberships.select_related("organisation")}
    if token is not None:
        organisation = token.organisation
    elif organisation is None:
        organisation = user.active_organisation
    membership = memberships.get(organisation.pk) if organisation is not None else None
    if membership is None and token is None and memberships:
        membership = next(iter(memberships.values()))
    acting = membership.organisation if membership is not None else None
    scopes = frozenset(Scope(s) for s in token.scopes) if token is not None else frozenset(Scope)
    return Actor(
        user_id=user.pk,
        username=user.get_username(),
        organisation_id=acting.pk if acting else None,
        organisation_country=acting.country_id if acting else None,
        organisation_verified=bool(acting and acting.is_verified),
        role=Role(membership.role) if membership is not None else None,
        is_staff=user.is_staff,
        scopes=scopes,
        token_id=token.pk if token is not None else None,
        memberships=frozenset(memberships),
    )


# --- users ------------------------------------------------------------------------------------------

MAX_EMAIL_LENGTH = 254  # the column's length (RFC 5321 path limit); Django's validator allows 320


def _is_email(email: str) -> bool:
    try:
        validate_email(email)
    except DjangoValidationError:
        return False
    return len(email) <= MAX_EMAIL_LENGTH


def create_user(
    *,
    username: str,
    email: str,
    password: str,
    actor: Actor,
    is_staff: bool = False,
    full_name: str = "",
) -> User:
    """Register a person; the password must pass the configured validators."""
    errors: list[FieldError] = []
    if not username or len(username) > 150:
        errors.append(FieldError("username", _("Give a user name of at most 150 characters.")))
    elif User.objects.filter(username__iexact=username).exists():
        errors.append(FieldError("username", _("This user name is taken.")))
    if not _is_email(email):
        errors.append(FieldError("email", _("Enter a valid email address.")))
    try:
        validate_password(password, User(username=username, email=email))
    except DjangoValidationError as exc:
        errors.append(FieldError("password", " ".join(str(m) for m in exc.messages)))
    if errors:
        raise ValidationFailed(_("The user could not be created."), errors)
    first, _sep, last = full_name.partition(" ")
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            email=email,
            password=password,
            is_staff=is_staff,
            first_name=first,
            last_name=last,
        )
        record_audit(actor, "user.created", user)
    return user


# --- organisations ----------------------------------------------------------------------------------


def _validated_country(code: str, field: str = "country") -> Country:
    country = Country.objects.filter(code=(code or "").upper(), is_member=True).first()
    if country is None:
        raise ValidationFailed.for_field(
            field,
            _("“%(code)s” is not one of the eleven member states of the harbor.") % {"code": code},
        )
    return country


def _validated_language_map(value: dict[str, str], field: str) -> dict[str, str]:
    allowed = {code.lower(): code for code in CONTENT_LANGUAGES}
    cleaned: dict[str, str] = {}
    for language, text in value.items():
        if language.lower() not in allowed:
            raise ValidationFailed.for_field(
                f"{field}.{language}",
                _("“%(lang)s” is not a supported language.") % {"lang": language},
            )
        if not isinstance(text, str) or len(text) > 5000:
            raise ValidationFailed.for_field(
                f"{field}.{language}", _("Give text of at most 5,000 characters.")
            )
        if text.strip():
            cleaned[language.lower()] = text.strip()
    return cleaned


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "organisation"
    slug = base
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


def _validated_slug(slug: str) -> str:
    if slugify(slug) != slug or len(slug) > 80:
        raise ValidationFailed.for_field(
            "slug", _("Use lowercase letters, digits and hyphens only.")
        )
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationFailed.for_field("slug", _("This address is taken."))
    return slug


def _validate_organisation_fields(data: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name or len(name) > 200:
            raise ValidationFailed.for_field("name", _("Give a name of 1 to 200 characters."))
        cleaned["name"] = name
    if "country" in data:
        cleaned["country"] = _validated_country(data["country"])
    if "kind" in data:
        if data["kind"] not in OrganisationKind.values:
            raise ValidationFailed.for_field(
                "kind",
                _("Choose a kind among: %(kinds)s.")
                % {"kinds": ", ".join(OrganisationKind.values)},
            )
        cleaned["kind"] = data["kind"]
    if "language" in data:
        allowed = {code.lower() for code in CONTENT_LANGUAGES}
        if (data["language"] or "").lower() not in allowed:
            raise ValidationFailed.for_field(
                "language",
                _("“%(lang)s” is not a supported language.") % {"lang": data["language"]},
            )
        cleaned["language"] = data["language"].lower()
    if "website" in data:
        website = (data["website"] or "").strip()
        if website:
            try:
                URLValidator(schemes=["http", "https"])(website)
                if len(website) > MAX_WEBSITE_LENGTH:
                    raise DjangoValidationError("too long")
            except DjangoValidationError:
                raise ValidationFailed.for_field(
                    "website", _("Enter a valid http or https address.")
                ) from None
        cleaned["website"] = website
    for field in ("description", "name_translations"):
        if field in data and data[field] is not None:
            cleaned[field] = _validated_language_map(data[field], field)
    return cleaned


def create_organisation(
    *,
    actor: Actor,
    name: str,
    country: str,
    kind: str,
    language: str = "en",
    description: dict[str, str] | None = None,
    name_translations: dict[str, str] | None = None,
    website: str = "",
    slug: str | None = None,
    is_demo: bool = False,
) -> Organisation:
    """Create an organisation in a member state; its creator becomes its owner. It starts unverified."""
    require(actor, perms.CREATE_ORGANISATION)
    fields = _validate_organisation_fields(
        {
            "name": name,
            "country": country,
            "kind": kind,
            "language": language,
            "description": description or {},
            "name_translations": name_translations or {},
            "website": website,
        }
    )
    with transaction.atomic():
        organisation = Organisation.objects.create(
            slug=_validated_slug(slug) if slug else _unique_slug(fields["name"]),
            is_demo=is_demo,
            **fields,
        )
        record_audit(actor, "organisation.created", organisation)
        if actor.user_id is not None:
            membership = Membership.objects.create(
                user_id=actor.user_id, organisation=organisation, role=MemberRole.OWNER
            )
            record_audit(actor, "membership.created", membership)
            User.objects.filter(pk=actor.user_id, active_organisation__isnull=True).update(
                active_organisation=organisation
            )
    return organisation


def update_organisation(
    organisation: Organisation, *, actor: Actor, **changes: Any
) -> Organisation:
    """Change an organisation's details; administrators of it, or staff. A new country clears verification."""
    require(actor, perms.UPDATE_ORGANISATION, organisation)
    fields = _validate_organisation_fields(changes)
    if not fields:
        return organisation
    with transaction.atomic():
        before = {name: getattr(organisation, name) for name in fields}
        for name, value in fields.items():
            setattr(organisation, name, value)
        update_fields = [*list(fields), "updated_at"]
        if (
            "country" in fields
            and before["country"] != fields["country"]
            and organisation.is_verified
        ):
            organisation.verification = Verification.UNVERIFIED
            organisation.verified_at = None
            update_fields += ["verification", "verified_at"]
        organisation.save(update_fields=update_fields)
        record_audit(actor, "organisation.updated", organisation, fields=sorted(fields))
    return organisation


def request_verification(organisation: Organisation, *, actor: Actor) -> Organisation:
    """An administrator asks the platform to verify their organisation."""
    require(actor, perms.UPDATE_ORGANISATION, organisation)
    if organisation.verification in (Verification.VERIFIED, Verification.PENDING):
        return organisation
    with transaction.atomic():
        organisation.verification = Verification.PENDING
        organisation.save(update_fields=["verification", "updated_at"])
        record_audit(actor, "organisation.verification_requested", organisation)
    return organisation


def set_verification(organisation: Organisation, *, actor: Actor, status: str) -> Organisation:
    """Staff verify or reject an organisation."""
    require(actor, perms.VERIFY_ORGANISATION, organisation)
    if status not in Verification.values:
        raise ValidationFailed.for_field("verification", _("Unknown verification status."))
    with transaction.atomic():
        organisation.verification = status
        organisation.verified_at = timezone.now() if status == Verification.VERIFIED else None
        organisation.save(update_fields=["verification", "verified_at", "updated_at"])
        record_audit(actor, "organisation.verification_set", organisation, status=status)
    return organisation


# --- members ----------------------------------------------------------------------------------------


def _validated_role(role: str) -> MemberRole:
    if role not in MemberRole.values:
        raise ValidationFailed.for_field(
            "role", _("Choose a role among: %(roles)s.") % {"roles": ", ".join(MemberRole.values)}
        )
    return MemberRole(role)


def _require_role_grant(actor: Actor, organisation: Organisation, role: str) -> None:
    """Administrators may grant up to administrator; only owners grant ownership."""
    require(actor, perms.MANAGE_MEMBERS, organisation)
    if role == MemberRole.OWNER:
        require(actor, perms.GRANT_OWNERSHIP, organisation)


def _hash_invitation(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invite_member(
    organisation: Organisation, *, actor: Actor, email: str, role: str = MemberRole.VIEWER
) -> tuple[Invitation, str]:
    """Invite someone by email; returns the invitation and the secret link token (shown once)."""
    role = _validated_role(role)
    _require_role_grant(actor, organisation, role)
    if not _is_email(email):
        raise ValidationFailed.for_field("email", _("Enter a valid email address."))
    raw = secrets.token_urlsafe(24)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email.lower(),
            role=role,
            token_hash=_hash_invitation(raw),
            invited_by_id=actor.user_id,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        record_audit(actor, "invitation.created", invitation)
    return invitation, raw


def revoke_invitation(invitation: Invitation, *, actor: Actor) -> Invitation:
    require(actor, perms.MANAGE_MEMBERS, invitation.organisation)
    if invitation.revoked_at is None and invitation.accepted_at is None:
        with transaction.atomic():
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            record_audit(actor, "invitation.revoked", invitation)
    return invitation


def accept_invitation(raw_token: str, *, actor: Actor) -> Membership:
    """The signed-in invitee joins with the invited role; an existing member keeps the higher role."""
    if not actor.is_authenticated:
        raise HarborError(ErrorCode.NOT_AUTHENTICATED, _("Sign in to accept the invitation."))
    require(actor, perms.ACCEPT_INVITATION)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token_hash=_hash_invitation(raw_token))
            .first()
        )
        if invitation is None or not invitation.is_open:
            raise NotFound(_("This invitation does not exist, was used, revoked or has expired."))
        membership, created = Membership.objects.get_or_create(
            user_id=actor.user_id,
            organisation_id=invitation.organisation_id,
            defaults={"role": invitation.role},
        )
        if not created and ROLE_RANK[Role(invitation.role)] > ROLE_RANK[Role(membership.role)]:
            membership.role = invitation.role
            membership.save(update_fields=["role"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by_id = actor.user_id
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record_audit(actor, "invitation.accepted", invitation)
        record_audit(actor, "membership.created" if created else "membership.updated", membership)
    return membership


def add_member(organisation: Organisation, *, actor: Actor, user: User, role: str) -> Membership:
    """Add an existing user directly (administrators; used by the demo loader and operators)."""
    role = _validated_role(role)
    _require_role_grant(actor, organisation, role)
    with transaction.atomic():
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user, organisation=organisation, role=role
                )
        except IntegrityError:
            raise HarborError(ErrorCode.CONFLICT, _("This person is already a member.")) from None
        record_audit(actor, "membership.created", membership)
    return membership


def _owners_left_after(membership: Membership) -> int:
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, role=MemberRole.OWNER)
        .exclude(pk=membership.pk)
        .count()
    )


def change_member_role(membership: Membership, *, actor: Actor, role: str) -> Membership:
    """Change a member's role; an organisation always keeps at least one owner."""
    role = _validated_role(role)
    _require_role_grant(actor, membership.organisation, role)
    if membership.role == MemberRole.OWNER:
        require(actor, perms.GRANT_OWNERSHIP, membership.organisation)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if (
            locked.role == MemberRole.OWNER
            and role != MemberRole.OWNER
            and _owners_left_after(locked) == 0
        ):
            raise HarborError(
                ErrorCode.CONFLICT, _("An organisation must keep at least one owner.")
            )
        locked.role = role
        locked.save(update_fields=["role"])
        record_audit(actor, "membership.updated", locked, role=role)
    return locked


def remove_member(membership: Membership, *, actor: Actor) -> None:
    """Remove a member (administrators, or the member themself); the last owner cannot leave."""
    if membership.user_id == actor.user_id:
        require(actor, perms.LEAVE_ORGANISATION, membership)
    else:
        require(actor, perms.MANAGE_MEMBERS, membership.organisation)
        if membership.role == MemberRole.OWNER:
            require(actor, perms.GRANT_OWNERSHIP, membership.organisation)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == MemberRole.OWNER and _owners_left_after(locked) == 0:
            raise HarborError(
                ErrorCode.CONFLICT, _("An organisation must keep at least one owner.")
            )
        record_audit(actor, "membership.deleted", locked, deleted=True)
        User.objects.filter(
            pk=locked.user_id, active_organisation_id=locked.organisation_id
        ).update(active_organisation=None)
        locked.delete()


def switch_organisation(user: User, *, organisation: Organisation) -> User:
    """Act for another of one's organisations from now on."""
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise HarborError(ErrorCode.FORBIDDEN, _("You are not a member of this organisation."))
    with transaction.atomic():
        user.active_organisation = organisation
        user.save(update_fields=["active_organisation"])
        record_audit(
            build_actor(user, organisation=organisation), "user.switched_organisation", user
        )
    return user


# --- API tokens -------------------------------------------------------------------------------------


def create_api_token(
    *,
    actor: Actor,
    name: str,
    organisation: Organisation | None = None,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token acting for the caller in one of their organisations; the raw token is returned once.

    A token can never hold more scopes than the credential that creates it, and lives at most a year.
    """
    require(actor, perms.MANAGE_OWN_TOKENS, None)
    if actor.user_id is None:
        raise ValidationFailed.for_field("user", _("Tokens belong to a person; sign in first."))
    organisation_id = organisation.pk if organisation is not None else actor.organisation_id
    if organisation_id is None or organisation_id not in actor.memberships:
        raise ValidationFailed.for_field(
            "organisation", _("You can only create tokens for your own organisations.")
        )
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed.for_field("name", _("Give the token a name of 1 to 100 characters."))
    requested = scopes if scopes is not None else [Scope.READ]
    if not requested or any(scope not in Scope.__members__.values() for scope in requested):
        raise ValidationFailed.for_field(
            "scopes", _("Choose scopes among: %(scopes)s.") % {"scopes": ", ".join(Scope)}
        )
    if any(not actor.has_scope(Scope(scope)) for scope in requested):
        raise ValidationFailed.for_field(
            "scopes", _("A token cannot have more scopes than you have.")
        )
    now = timezone.now()
    expires_at = expires_at or now + timedelta(days=settings.HARBOR_API_TOKEN_DEFAULT_DAYS)
    if timezone.is_naive(expires_at):
        raise ValidationFailed.for_field("expires_at", _("Give the expiry with a time zone."))
    if expires_at <= now or expires_at > now + timedelta(days=MAX_TOKEN_DAYS):
        raise ValidationFailed.for_field(
            "expires_at", _("The expiry must be in the future and within a year.")
        )
    parts = new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user_id=actor.user_id,
            organisation_id=organisation_id,
            name=name,
            prefix=parts.prefix,
            secret_hash=hash_secret(parts.secret),
            scopes=sorted(set(requested)),
            expires_at=expires_at,
        )
        record_audit(actor, "api_token.created", token)
    return token, parts.raw


def revoke_api_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    """Revoke one of one's own tokens; it stops working at once."""
    if not (actor.is_staff or token.user_id == actor.user_id):
        raise NotFound(_("No such API token."))
    require(actor, perms.MANAGE_OWN_TOKENS, token if not actor.is_staff else None)
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_audit(actor, "api_token.revoked", token)
    return token


def authenticate_token(raw: str) -> ApiToken | None:
    """The active token behind a bearer string, or None; the user must still belong to its organisation."""
    parts = split_token(raw)
    if parts is None:
        return None
    token = (
        ApiToken.objects.select_related("user", "organisation", "organisation__country")
        .filter(prefix=parts.prefix)
        .first()
    )
    if token is None or not secret_matches(parts.secret, token.secret_hash) or not token.is_active:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
