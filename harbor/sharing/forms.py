"""Forms of the sharing pages: record filters, the multilingual record form, search and subscriptions.

The forms only parse what the browser sends into the shape the services take; the services validate
languages, codes, countries and the sharing policy, and their field errors are put back on these fields.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from harbor.reference.catalogue import CONTENT_LANGUAGES
from harbor.reference.selectors import list_countries, list_languages
from harbor.sharing.choices import Audience, OpportunityType, RecordKind, RecordStatus, ServiceArea
from harbor.sharing.models import Record
from harbor.sharing.validation import TEXT_LIMITS

MAX_LANGUAGES = len(CONTENT_LANGUAGES)


def country_choices(*, members_only: bool) -> list[tuple[str, str]]:
    """Countries by their name in the reader's language."""
    countries = [(c.code, c.name) for c in list_countries(members_only=members_only)]
    return sorted(countries, key=lambda choice: choice[1].casefold())


def language_names() -> dict[str, str]:
    """Content language code (lower case) → its name in the reader's language."""
    return {language.code.lower(): language.name for language in list_languages()}


def content_language_choices() -> list[tuple[str, str]]:
    names = language_names()
    return [(code.lower(), names.get(code.lower(), code)) for code in CONTENT_LANGUAGES]


def split_list(value: str) -> list[str]:
    """``"a, b,,c"`` → ``["a", "b", "c"]``: the comma-separated lists of the forms."""
    return [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]


class ChoicesForm(forms.Form):
    """A form whose choices depend on the database or the reader, so they are set per instance."""

    def _choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


class RecordFilterForm(ChoicesForm):
    """Filters of the record lists; every field is optional."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *RecordKind.choices]
    )
    country = forms.ChoiceField(label=_("Home country"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice_field("country").choices = [
            ("", _("All member states")),
            *country_choices(members_only=True),
        ]


class LanguageTextForm(forms.Form):
    """Title, summary and body in one language: one fieldset of the record form."""

    # A plain text field shown as a list: the service decides which languages exist, and says so per field.
    language = forms.CharField(label=_("Language"), max_length=20, required=False)
    title = forms.CharField(
        label=_("Title"), required=False, max_length=TEXT_LIMITS["title"], strip=True
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=TEXT_LIMITS["summary"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        max_length=TEXT_LIMITS["body"],
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].widget = forms.Select(
            choices=[("", "—"), *content_language_choices()]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if has_text(self) and not data.get("language"):
            self.add_error("language", _("Choose the language of this text."))
        return data


def has_text(form: forms.Form) -> bool:
    """Whether a language fieldset has any text (an empty one is ignored)."""
    data = getattr(form, "cleaned_data", {})
    return any(data.get(name) for name in ("title", "summary", "body"))


if TYPE_CHECKING:
    _FormSet = forms.BaseFormSet[LanguageTextForm]
else:
    _FormSet = forms.BaseFormSet


class BaseLanguageTextFormSet(_FormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            language = (form.cleaned_data.get("language") or "").lower()
            if not language or not has_text(form):
                continue
            if language in seen:
                form.add_error("language", _("This language is already given above."))
            seen.add(language)


LanguageTextFormSet = forms.formset_factory(
    LanguageTextForm,
    formset=BaseLanguageTextFormSet,
    extra=0,
    max_num=MAX_LANGUAGES,
    validate_max=True,
)
TEXTS_PREFIX = "texts"


def language_text_formset(
    data: Any = None, *, initial: list[dict[str, str]] | None = None
) -> BaseLanguageTextFormSet:
    return cast(
        BaseLanguageTextFormSet,
        LanguageTextFormSet(data, initial=initial or [{}], prefix=TEXTS_PREFIX),
    )


def first_language(formset: BaseLanguageTextFormSet) -> str:
    """The language of the first fieldset with text: the original, unless the writer says otherwise."""
    for form in formset.forms:
        data = form.cleaned_data
        if data.get("language") and has_text(form):
            return str(data["language"]).lower()
    return ""


def texts_of(formset: BaseLanguageTextFormSet) -> dict[str, dict[str, str]]:
    """The language maps the services take: ``{"title": {"vi": …}, "summary": {…}, "body": {…}}``."""
    maps: dict[str, dict[str, str]] = {"title": {}, "summary": {}, "body": {}}
    for form in formset.forms:
        data = form.cleaned_data
        if not data.get("language"):
            continue
        for name in maps:
            if data.get(name):
                maps[name][data["language"]] = data[name]
    return maps


def texts_initial(record: Record) -> list[dict[str, str]]:
    """One fieldset per language the record has, the original language first."""
    languages = sorted(
        set(record.title) | set(record.summary) | set(record.body),
        key=lambda code: (code != record.original_language, code),
    )
    return [
        {
            "language": code,
            "title": record.title.get(code, ""),
            "summary": record.summary.get(code, ""),
            "body": record.body.get(code, ""),
        }
        for code in languages
    ]


class RecordForm(ChoicesForm):
    """Everything but the texts of a record: kind, language, codes, dates, links and the sharing policy."""

    kind = forms.ChoiceField(label=_("Kind"), choices=RecordKind.choices)
    opportunity_type = forms.ChoiceField(
        label=_("Type of opportunity"),
        required=False,
        choices=[("", "—"), *OpportunityType.choices],
        help_text=_("For opportunities only."),
    )
    service_area = forms.ChoiceField(
        label=_("Public service area"),
        required=False,
        choices=[("", "—"), *ServiceArea.choices],
        help_text=_("For public-service information only."),
    )
    original_language = forms.CharField(
        label=_("Original language"),
        required=False,
        max_length=20,
        help_text=_(
            "The language the record was first written in. Left as it is, it is the language of the "
            "first text below."
        ),
    )
    topics = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas, e.g. “food-safety, halal”."),
    )
    hs_codes = forms.CharField(
        label=_("HS codes"),
        required=False,
        max_length=2000,
        help_text=_(
            "HS 2022 chapters, headings or subheadings, separated by commas, e.g. “85, 850440”."
        ),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries concerned"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    effective_date = forms.DateField(
        label=_("Effective date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expiry_date = forms.DateField(
        label=_("Expiry date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One http or https address per line."),
    )
    audience = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Audience.choices,
        initial=Audience.OWNER,
        widget=forms.RadioSelect,
    )
    audience_countries = forms.MultipleChoiceField(
        label=_("Member states that may read it"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When shared with members in listed countries."),
    )
    audience_organisations = forms.CharField(
        label=_("Organisations that may read it"),
        required=False,
        max_length=2000,
        help_text=_(
            "When shared with listed organisations: their short names in the directory, separated "
            "by commas."
        ),
    )
    residency = forms.BooleanField(
        label=_("Keep on this node"),
        required=False,
        help_text=_("Peers of other countries see its description only, never its content."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(RecordStatus.DRAFT, _("Save as draft")), (RecordStatus.PUBLISHED, _("Publish"))],
        initial=RecordStatus.DRAFT,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=300,
        help_text=_("A short note kept with this version."),
    )

    def __init__(
        self, *args: Any, with_status: bool = True, with_note: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["original_language"].widget = forms.Select(
            choices=[("", _("The language of the first text")), *content_language_choices()]
        )
        self._choice_field("countries").choices = country_choices(members_only=False)
        self._choice_field("audience_countries").choices = country_choices(members_only=True)
        if not with_status:
            del self.fields["status"]
        if not with_note:
            del self.fields["note"]

    @classmethod
    def initial_for(cls, record: Record, organisation_slugs: list[str]) -> dict[str, Any]:
        """The form's starting values for an existing record."""
        return {
            "kind": record.kind,
            "opportunity_type": record.details.get("opportunity_type", ""),
            "service_area": record.details.get("service_area", ""),
            "original_language": record.original_language,
            "topics": ", ".join(record.topics),
            "hs_codes": ", ".join(record.hs_codes),
            "countries": list(record.countries),
            "effective_date": record.effective_date,
            "expiry_date": record.expiry_date,
            "links": "\n".join(link["url"] for link in record.links),
            "audience": record.audience,
            "audience_countries": list(record.audience_countries),
            "audience_organisations": ", ".join(organisation_slugs),
            "residency": record.residency,
            "status": record.status,
        }

    def service_data(self, texts: BaseLanguageTextFormSet) -> dict[str, Any]:
        """The ``data`` of ``create_record`` and the ``changes`` of ``update_record``.

        Without a declared original language the first text's language is the original; with no text
        at all the service detects it (and says what is missing).
        """
        data = self.cleaned_data
        details: dict[str, str] = {}
        if data["kind"] == RecordKind.OPPORTUNITY and data["opportunity_type"]:
            details["opportunity_type"] = data["opportunity_type"]
        if data["kind"] == RecordKind.PUBLIC_SERVICE and data["service_area"]:
            details["service_area"] = data["service_area"]
        audience = data["audience"]
        effective: date | None = data["effective_date"]
        expiry: date | None = data["expiry_date"]
        return {
            "kind": data["kind"],
            "original_language": data["original_language"].lower() or first_language(texts),
            **texts_of(texts),
            "topics": split_list(data["topics"]),
            "hs_codes": split_list(data["hs_codes"]),
            "countries": list(data["countries"]),
            "details": details,
            "links": [line.strip() for line in data["links"].splitlines() if line.strip()],
            "effective_date": effective.isoformat() if effective else None,
            "expiry_date": expiry.isoformat() if expiry else None,
            "audience": audience,
            "audience_countries": list(data["audience_countries"])
            if audience == Audience.COUNTRIES
            else [],
            "audience_organisations": split_list(data["audience_organisations"])
            if audience == Audience.ORGANISATIONS
            else [],
            "residency": data["residency"],
        }


class AttachmentForm(forms.Form):
    """A file to attach to a record; its type is sniffed by the service, not trusted from the browser."""

    file = forms.FileField(label=_("File"), allow_empty_file=True)


class CompareForm(forms.Form):
    """Two versions of a record to compare."""

    from_version = forms.IntegerField(label=_("From version"), min_value=1)
    to_version = forms.IntegerField(label=_("To version"), min_value=1)


class SearchForm(forms.Form):
    """The search box and the facet filters the links of the facet lists add."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Words in any language."),
    )
    kind = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    country = forms.CharField(required=False, max_length=2, widget=forms.HiddenInput)
    topic = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    hs = forms.CharField(required=False, max_length=6, widget=forms.HiddenInput)
    language = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    year = forms.CharField(required=False, max_length=4, widget=forms.HiddenInput)

    FILTERS = ("kind", "country", "topic", "hs", "language", "year")


class SubscriptionForm(ChoicesForm):
    """A standing question and how its answers are delivered."""

    name = forms.CharField(label=_("Name"), max_length=120)
    kinds = forms.MultipleChoiceField(
        label=_("Kinds"),
        required=False,
        choices=RecordKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The home country or a country concerned. None chosen: every country."),
    )
    topics = forms.CharField(
        label=_("Topics"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas."),
    )
    hs_prefixes = forms.CharField(
        label=_("HS code prefixes"),
        required=False,
        max_length=2000,
        help_text=_("2, 4 or 6 digits, separated by commas, e.g. “85, 0901”."),
    )
    query = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=300,
        help_text=_("Records must contain all of them, in any language."),
    )
    by_inbox = forms.BooleanField(label=_("Deliver to my inbox"), required=False, initial=True)
    by_email = forms.BooleanField(label=_("Send me an email"), required=False)
    webhook_url = forms.CharField(
        label=_("Webhook address"),
        required=False,
        max_length=500,
        widget=forms.URLInput(),
        help_text=_("An https address that receives each record as signed JSON."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice_field("countries").choices = country_choices(members_only=False)

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kinds": list(data["kinds"]),
            "countries": list(data["countries"]),
            "topics": split_list(data["topics"]),
            "hs_prefixes": split_list(data["hs_prefixes"]),
            "query": data["query"],
            "by_inbox": data["by_inbox"],
            "by_email": data["by_email"],
            "webhook_url": data["webhook_url"],
        }
