"""Reads of the directory, restricted by actor."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.errors import NotFound
from harbor.core.permissions import require
from harbor.directory import permissions as perms
from harbor.directory.choices import Verification
from harbor.directory.models import ApiToken, Invitation, Membership, Organisation


def visible_organisations(actor: Actor) -> QuerySet[Organisation]:
    """Verified organisations are public; others only to their own members and to staff."""
    organisations = Organisation.objects.select_related("country")
    if actor.is_staff:
        return organisations
    return organisations.filter(Q(verification=Verification.VERIFIED) | Q(pk__in=actor.memberships))


def list_organisations_for(
    actor: Actor,
    *,
    q: str = "",
    country: str = "",
    kind: str = "",
    verification: str = "",
) -> QuerySet[Organisation]:
    """The directory as ``actor`` may see it, searched by name and filtered by country, kind and status."""
    organisations = visible_organisations(actor)
    if q := q.strip():
        organisations = organisations.filter(
            Q(name__icontains=q) | Q(name_translations__icontains=q) | Q(slug__icontains=q)
        )
    if country:
        organisations = organisations.filter(country_id=country.upper())
    if kind:
        organisations = organisations.filter(kind=kind)
    if verification:
        organisations = organisations.filter(verification=verification)
    return organisations


def get_organisation_for(actor: Actor, slug: str) -> Organisation:
    """One organisation by slug, or NotFound when it does not exist or ``actor`` may not see it."""
    organisation = visible_organisations(actor).filter(slug=slug).first()
    if organisation is None:
        raise NotFound(_("No organisation “%(slug)s”.") % {"slug": slug})
    return organisation


def list_memberships_for(actor: Actor, organisation: Organisation) -> QuerySet[Membership]:
    """An organisation's members; visible to its own members and staff."""
    require(actor, perms.VIEW_MEMBERS, organisation)
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )


def get_membership_for(actor: Actor, organisation: Organisation, membership_id: int) -> Membership:
    membership = list_memberships_for(actor, organisation).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound(_("No such member."))
    return membership


def list_invitations_for(actor: Actor, organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations of an organisation; visible to those who manage its members."""
    require(actor, perms.MANAGE_MEMBERS, organisation)
    return Invitation.objects.filter(organisation=organisation)


def get_invitation_for(actor: Actor, organisation: Organisation, invitation_id: int) -> Invitation:
    invitation = list_invitations_for(actor, organisation).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound(_("No such invitation."))
    return invitation


def list_tokens_for(actor: Actor) -> QuerySet[ApiToken]:
    """The caller's own API tokens; nobody sees another person's tokens."""
    if actor.user_id is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=actor.user_id).select_related("organisation")


def get_token_for(actor: Actor, token_id: int) -> ApiToken:
    token = list_tokens_for(actor).filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("No such API token."))
    return token


def organisations_of(actor: Actor) -> QuerySet[Organisation]:
    """The organisations the actor belongs to (for the switcher)."""
    return Organisation.objects.filter(pk__in=actor.memberships).select_related("country")
