"""Forms of the directory pages. They only shape input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from harbor.core.actors import Scope
from harbor.directory.choices import MemberRole, OrganisationKind, Verification
from harbor.directory.models import Organisation
from harbor.directory.services import MAX_TOKEN_DAYS
from harbor.reference.catalogue import CONTENT_LANGUAGES
from harbor.reference.selectors import list_countries, list_languages


def member_state_choices() -> list[tuple[str, str]]:
    """The eleven member states by their name in the reader's language."""
    countries = [(country.code, country.name) for country in list_countries(members_only=True)]
    return sorted(countries, key=lambda choice: choice[1].casefold())


def content_language_choices() -> list[tuple[str, str]]:
    """Languages an organisation's name may be written in, named in the reader's language."""
    names = {language.code.lower(): language.name for language in list_languages()}
    return [(code.lower(), names.get(code.lower(), code)) for code in CONTENT_LANGUAGES]


class ChoicesForm(forms.Form):
    """A form whose choices depend on the database or the reader, so they are set per instance."""

    def _choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


class OrganisationFilterForm(ChoicesForm):
    """Search and filters of the directory; every field is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Part of a name, in any language."),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *OrganisationKind.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice_field("country").choices = [
            ("", _("All member states")),
            *member_state_choices(),
        ]


class OrganisationForm(ChoicesForm):
    """Details of an organisation as its administrators enter them."""

    name = forms.CharField(
        label=_("Official name"),
        max_length=200,
        help_text=_("As registered, in its original language and script."),
    )
    language = forms.ChoiceField(label=_("Language of the official name"))
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"))
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In the language of the official name."),
    )
    website = forms.CharField(
        label=_("Website"),
        required=False,
        max_length=200,
        widget=forms.URLInput(),
        help_text=_("An http or https address."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice_field("country").choices = [("", "—"), *member_state_choices()]
        self._choice_field("language").choices = content_language_choices()

    @classmethod
    def initial_for(cls, organisation: Organisation) -> dict[str, Any]:
        """The form's starting values for an existing organisation."""
        return {
            "name": organisation.name,
            "language": organisation.language,
            "name_en": organisation.name_translations.get("en", ""),
            "country": organisation.country_id,
            "kind": organisation.kind,
            "description": organisation.description.get(organisation.language, ""),
            "website": organisation.website,
        }

    def service_fields(self, existing: Organisation | None = None) -> dict[str, Any]:
        """The cleaned input as keyword arguments of the organisation services.

        Other languages of the description and name translations are kept as they were.
        """
        data = self.cleaned_data
        description = dict(existing.description) if existing else {}
        translations = dict(existing.name_translations) if existing else {}
        if existing is not None:
            description.pop(existing.language, None)
        description[data["language"]] = data["description"]
        translations["en"] = data["name_en"]
        return {
            "name": data["name"],
            "language": data["language"],
            "country": data["country"],
            "kind": data["kind"],
            "description": {lang: text for lang, text in description.items() if text},
            "name_translations": {lang: text for lang, text in translations.items() if text},
            "website": data["website"],
        }


class VerificationForm(forms.Form):
    """Staff decide on a verification request."""

    status = forms.ChoiceField(
        choices=[(Verification.VERIFIED, _("Verify")), (Verification.REJECTED, _("Reject"))]
    )


class InviteForm(forms.Form):
    """Invite a person by email with a role."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.VIEWER)


class RoleForm(forms.Form):
    """A member's new role."""

    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)


class SwitchOrganisationForm(forms.Form):
    """The organisation to act for from now on."""

    organisation = forms.SlugField(label=_("Acting for"), max_length=80)
    next = forms.CharField(required=False, max_length=2000)


class TokenForm(ChoicesForm):
    """A personal API token: a name, the organisation it acts for, its scopes and its lifetime."""

    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “price sync”.")
    )
    organisation = forms.ChoiceField(label=_("Acts for"))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(Scope.READ, _("Read")), (Scope.WRITE, _("Write"))],
        initial=[Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A token can read, or read and write."),
    )
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        initial=settings.HARBOR_API_TOKEN_DEFAULT_DAYS,
    )

    def __init__(
        self, *args: Any, organisations: list[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choice_field("organisation").choices = [
            (organisation.slug, organisation.display_name) for organisation in organisations or []
        ]
