"""Pages of the sharing hub: record lists, the record page, the publish and edit form, search,
subscriptions and the inbox.

Every read goes through a selector and every write through a service, always with ``request.actor``; the
permission checks here only decide which buttons to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from harbor.core.api import actor_of
from harbor.core.errors import FieldError, HarborError
from harbor.core.pages import is_htmx, place_service_errors, render_error
from harbor.core.permissions import allowed
from harbor.directory.models import Organisation
from harbor.language.permissions import REMEMBER_TRANSLATION
from harbor.reference.selectors import list_countries
from harbor.sharing import attachments, selectors, services, subscriptions
from harbor.sharing import permissions as perms
from harbor.sharing.choices import (
    Audience,
    OpportunityType,
    RecordKind,
    RecordStatus,
    ServiceArea,
)
from harbor.sharing.diff import compare_snapshots
from harbor.sharing.forms import (
    MAX_LANGUAGES,
    TEXTS_PREFIX,
    AttachmentForm,
    BaseLanguageTextFormSet,
    CompareForm,
    LanguageTextForm,
    RecordFilterForm,
    RecordForm,
    SearchForm,
    SubscriptionForm,
    language_names,
    language_text_formset,
    texts_initial,
)
from harbor.sharing.models import InboxItem, Record, Subscription, TranslationStatus
from harbor.sharing.translations import correct_translation, text_for_reader
from harbor.sharing.validation import LANGUAGES

PAGE_SIZE = 20
MAX_SEARCH_PAGE = 500

FIELD_LABELS = {
    "kind": gettext_lazy("Kind"),
    "status": gettext_lazy("Status"),
    "original_language": gettext_lazy("Original language"),
    "title": gettext_lazy("Title"),
    "summary": gettext_lazy("Summary"),
    "body": gettext_lazy("Body"),
    "topics": gettext_lazy("Topics"),
    "hs_codes": gettext_lazy("HS codes"),
    "countries": gettext_lazy("Countries concerned"),
    "details": gettext_lazy("Details"),
    "links": gettext_lazy("Links"),
    "effective_date": gettext_lazy("Effective date"),
    "expiry_date": gettext_lazy("Expiry date"),
    "audience": gettext_lazy("Who may read it"),
    "audience_countries": gettext_lazy("Member states that may read it"),
    "audience_organisations": gettext_lazy("Organisations that may read it"),
    "residency": gettext_lazy("Keep on this node"),
}
FACET_LABELS = {
    "kind": gettext_lazy("Kind"),
    "country": gettext_lazy("Home country"),
    "topic": gettext_lazy("Topic"),
    "hs": gettext_lazy("HS code"),
    "language": gettext_lazy("Language"),
    "year": gettext_lazy("Year"),
}
TEXT_FIELDS = ("title", "summary", "body")


def _reader_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).lower()


def _country_names(codes: list[str] | None = None) -> dict[str, str]:
    countries = list_countries()
    if codes is not None:
        countries = countries.filter(code__in=[code.upper() for code in codes])
    return {country.code: country.name for country in countries}


def _add_error(form: forms.Form, name: str | None, message: str) -> None:
    """Add a message once: a service may report the same problem for several list items."""
    existing = list(form.errors.get(name or NON_FIELD_ERRORS, []))
    if message not in existing:
        form.add_error(name, message)


def _add_service_errors(form: forms.Form, error: HarborError) -> None:
    """Put a service's field errors (``hs_codes.0``, ``countries``, ``details.service_area``) on the form."""

    def field_for(path: str) -> str:
        head, _dot, rest = path.partition(".")
        return rest if head == "details" and rest else head

    place_service_errors(form, error, field_for=field_for)


def _add_record_errors(
    form: RecordForm, formset: BaseLanguageTextFormSet, error: HarborError
) -> None:
    """Put the record service's field errors next to their fields, ``title.vi`` in the Vietnamese fieldset."""
    by_language = {
        (text_form.cleaned_data.get("language") or "").lower(): text_form
        for text_form in formset.forms
        if getattr(text_form, "cleaned_data", None)
    }
    others: list[FieldError] = []
    for field_error in error.errors:
        head, _dot, language = field_error.field.partition(".")
        message = str(field_error.message)
        if head in TEXT_FIELDS and language:
            text_form = by_language.get(language.lower())
            if text_form is not None:
                field = head if language.lower() in LANGUAGES else "language"
                _add_error(text_form, field, message)
                continue
            if head == "title":
                # The original language has no fieldset yet: the choice of language is what to fix.
                _add_error(form, "original_language", message)
                continue
        others.append(field_error)
    if others or not error.errors:
        _add_service_errors(
            form, HarborError(error.code, error.detail, status=error.status, errors=others)
        )


def _querystring(params: QueryDict, **changes: str | None) -> str:
    """The current query with some parameters set (or removed, given None); ``page`` always dropped."""
    query = params.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return "?" + query.urlencode() if query else "?"


# --- record lists ---------------------------------------------------------------------------------------


def _record_list(request: HttpRequest, *, mine: bool) -> HttpResponse:
    actor = actor_of(request)
    form = RecordFilterForm(request.GET)
    page = None
    status = 200
    if form.is_valid():
        records = selectors.list_records_for(
            actor,
            kind=form.cleaned_data["kind"],
            country=form.cleaned_data["country"],
            status="" if mine else RecordStatus.PUBLISHED,
        )
        if mine:
            records = records.filter(owner_id=actor.organisation_id)
        page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        status = 400
    context = {
        "form": form,
        "page": page,
        "mine": mine,
        "can_publish": allowed(actor, perms.PUBLISH_RECORD),
        "list_url": reverse("sharing:my_records" if mine else "sharing:record_list"),
    }
    template = (
        "sharing/partials/_record_results.html" if is_htmx(request) else "sharing/record_list.html"
    )
    return render(request, template, context, status=status)


@vary_on_headers("HX-Request")
def record_list(request: HttpRequest) -> HttpResponse:
    """Published records the reader may read, newest first, filtered by kind and home country."""
    return _record_list(request, mine=False)


@login_required
@vary_on_headers("HX-Request")
def my_records(request: HttpRequest) -> HttpResponse:
    """Every record of the organisation the reader acts for, drafts and withdrawn ones included."""
    if actor_of(request).organisation_id is None:
        return render_error(
            request,
            status=403,
            detail=_(
                "Records belong to organisations. Register one or accept an invitation first."
            ),
        )
    return _record_list(request, mine=True)


# --- the record page ------------------------------------------------------------------------------------


@dataclass
class Shown:
    """What the reader sees of a record: its texts in one language, and whether that is the one they want."""

    language: str
    wanted: str
    title: tuple[str, str]
    summary: tuple[str, str]
    body: tuple[str, str]

    @property
    def is_wanted(self) -> bool:
        return self.language == self.wanted


def _shown(record: Record, wanted: str) -> Shown:
    languages = set(record.title) | set(record.summary) | set(record.body)
    language = wanted if wanted in languages else record.original_language
    return Shown(
        language=language,
        wanted=wanted,
        title=record.text("title", language),
        summary=record.text("summary", language),
        body=record.text("body", language),
    )


def _details(record: Record) -> list[tuple[str, str]]:
    """Kind-specific facts with their labels: an opportunity's type, a public service's area."""
    details = []
    opportunity = record.details.get("opportunity_type")
    if opportunity in OpportunityType.values:
        details.append((_("Type of opportunity"), str(OpportunityType(opportunity).label)))
    area = record.details.get("service_area")
    if area in ServiceArea.values:
        details.append((_("Public service area"), str(ServiceArea(area).label)))
    return details


def _record_context(
    request: HttpRequest,
    record: Record,
    *,
    attachment_form: AttachmentForm | None = None,
    compare_form: CompareForm | None = None,
) -> dict[str, Any]:
    actor = actor_of(request)
    names = language_names()
    requested = request.GET.get("lang", "").lower()
    wanted = requested if requested in LANGUAGES else _reader_language()
    shown = _shown(record, wanted)
    machine = None
    if not shown.is_wanted:
        machine = text_for_reader(record, wanted)
        if machine is not None and machine.status == TranslationStatus.DONE:
            shown = Shown(
                language=wanted,
                wanted=wanted,
                title=(wanted, machine.title),
                summary=(wanted, machine.summary),
                body=(wanted, machine.body),
            )
    record_languages = sorted(set(record.title) | set(record.summary) | set(record.body))
    countries = _country_names([*record.countries, *record.audience_countries])
    versions = list(selectors.list_versions_for(actor, record.pk))
    is_member = record.owner_id in actor.memberships
    latest = versions[-1].number if versions else record.version
    return {
        "record": record,
        "shown": shown,
        "machine": machine,
        "can_correct": machine is not None
        and machine.status == TranslationStatus.DONE
        and allowed(actor, REMEMBER_TRANSLATION),
        "shown_language_name": names.get(shown.language, shown.language),
        "wanted_language_name": names.get(wanted, wanted),
        "original_language_name": names.get(record.original_language, record.original_language),
        "record_languages": [(code, names.get(code, code)) for code in record_languages],
        "countries": [(code, countries.get(code, code)) for code in record.countries],
        "attachments": list(record.attachments.order_by("created_at", "pk")),
        "versions": versions,
        "compare_form": compare_form
        or CompareForm(initial={"from_version": max(1, latest - 1), "to_version": latest}),
        "show_policy": is_member,
        "audience_countries": [
            (code, countries.get(code, code)) for code in record.audience_countries
        ]
        if is_member
        else [],
        "audience_organisations": list(
            Organisation.objects.filter(pk__in=record.audience_organisations).order_by("name")
        )
        if is_member
        else [],
        "details": _details(record),
        "can_edit": allowed(actor, perms.EDIT_RECORD, record),
        "attachment_form": attachment_form or AttachmentForm(),
    }


def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    """One record in the reader's language (or its original, said so), with its history and files."""
    try:
        record = selectors.get_record_for(actor_of(request), record_id)
    except HarborError as error:
        return render_error(request, error)
    return render(request, "sharing/record_detail.html", _record_context(request, record))


# --- publish and edit -----------------------------------------------------------------------------------


def _with_extra_fieldset(request: HttpRequest) -> QueryDict:
    """The posted data with one more language fieldset (the form's fallback without scripts)."""
    data = request.POST.copy()
    key = f"{TEXTS_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, MAX_LANGUAGES))
    return data


def _form_page(
    request: HttpRequest,
    form: RecordForm,
    formset: BaseLanguageTextFormSet,
    record: Record | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "formset": formset,
        "record": record,
        "next_index": formset.total_form_count(),
        "max_languages": MAX_LANGUAGES,
    }
    return render(request, "sharing/record_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    """Write a record for the acting organisation, as a draft or published at once."""
    actor = actor_of(request)
    if not allowed(actor, perms.PUBLISH_RECORD):
        return render_error(
            request,
            status=403,
            detail=_("Only editors, administrators and owners of an organisation can publish."),
        )
    reader_language = _reader_language()
    initial_language = reader_language if reader_language in LANGUAGES else ""
    if request.method == "POST" and "add_language" in request.POST:
        return _form_page(
            request,
            RecordForm(request.POST),
            language_text_formset(_with_extra_fieldset(request)),
            None,
        )
    form = RecordForm(request.POST or None)
    formset = language_text_formset(request.POST or None, initial=[{"language": initial_language}])
    status = 200
    if request.method == "POST":
        status = 400
        # Both are validated, so every field error shows at once.
        form_valid, texts_valid = form.is_valid(), formset.is_valid()
        if form_valid and texts_valid:
            try:
                record = services.create_record(
                    actor=actor,
                    data=form.service_data(formset),
                    publish=form.cleaned_data["status"] == RecordStatus.PUBLISHED,
                )
            except HarborError as error:
                _add_record_errors(form, formset, error)
                status = error.http_status
            else:
                messages.success(
                    request,
                    _("The record is published.")
                    if record.status == RecordStatus.PUBLISHED
                    else _("The draft is saved. Publish it when it is ready."),
                )
                return redirect("sharing:record_detail", record_id=record.pk)
    return _form_page(request, form, formset, None, status)


def _organisation_slugs(record: Record) -> list[str]:
    return list(
        Organisation.objects.filter(pk__in=record.audience_organisations)
        .order_by("slug")
        .values_list("slug", flat=True)
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    """Edit a record of the acting organisation: every save is a new version."""
    actor = actor_of(request)
    try:
        record = selectors.get_record_for(actor, record_id)
    except HarborError as error:
        return render_error(request, error)
    if not allowed(actor, perms.EDIT_RECORD, record):
        return render_error(
            request,
            status=403,
            detail=_("Only editors of the organisation that owns this record can edit it."),
        )
    with_status = record.status == RecordStatus.DRAFT
    if request.method == "POST" and "add_language" in request.POST:
        return _form_page(
            request,
            RecordForm(request.POST, with_status=with_status, with_note=True),
            language_text_formset(_with_extra_fieldset(request)),
            record,
        )
    form = RecordForm(
        request.POST or None,
        initial=RecordForm.initial_for(record, _organisation_slugs(record)),
        with_status=with_status,
        with_note=True,
    )
    formset = language_text_formset(request.POST or None, initial=texts_initial(record))
    status = 200
    if request.method == "POST":
        status = 400
        form_valid, texts_valid = form.is_valid(), formset.is_valid()
        if form_valid and texts_valid:
            try:
                record = services.update_record(
                    record,
                    actor=actor,
                    changes=form.service_data(formset),
                    note=form.cleaned_data["note"],
                )
                if with_status and form.cleaned_data["status"] == RecordStatus.PUBLISHED:
                    record = services.publish_record(record, actor=actor)
            except HarborError as error:
                _add_record_errors(form, formset, error)
                status = error.http_status
                record.refresh_from_db()
            else:
                messages.success(
                    request,
                    _("Saved as version %(version)s.") % {"version": record.version},
                )
                return redirect("sharing:record_detail", record_id=record.pk)
    return _form_page(request, form, formset, record, status)


@login_required
@require_GET
def language_fieldset(request: HttpRequest) -> HttpResponse:
    """One more language fieldset for the record form (HTMX appends it to the others)."""
    try:
        index = int(request.GET.get("index", ""))
    except ValueError:
        return render_error(request, status=400, detail=_("Which fieldset is this?"))
    if not 0 <= index < MAX_LANGUAGES:
        return render_error(
            request,
            status=400,
            detail=_("A record has at most %(n)d languages.") % {"n": MAX_LANGUAGES},
        )
    text_form = LanguageTextForm(prefix=f"{TEXTS_PREFIX}-{index}")
    context = {
        "text_form": text_form,
        "index": index,
        "next_index": index + 1,
        "max_languages": MAX_LANGUAGES,
        "total_forms": index + 1,
    }
    return render(request, "sharing/partials/_language_fieldset_added.html", context)


def _status_change(request: HttpRequest, record_id: int, *, publish: bool) -> HttpResponse:
    actor = actor_of(request)
    try:
        record = selectors.get_record_for(actor, record_id)
        if publish:
            services.publish_record(record, actor=actor)
        else:
            services.withdraw_record(record, actor=actor)
    except HarborError as error:
        return render_error(request, error)
    messages.success(
        request,
        _("The record is published.")
        if publish
        else _("The record is withdrawn. Only your organisation can read it now."),
    )
    return redirect("sharing:record_detail", record_id=record_id)


@login_required
@require_POST
def record_publish(request: HttpRequest, record_id: int) -> HttpResponse:
    """Make a draft or a withdrawn record readable under its sharing policy."""
    return _status_change(request, record_id, publish=True)


@login_required
@require_POST
def translation_correct(request: HttpRequest, record_id: int) -> HttpResponse:
    """A reader corrects the machine translation shown; the correction goes into the translation memory."""
    actor = actor_of(request)
    try:
        record = selectors.get_record_for(actor, record_id)
    except HarborError as error:
        return render_error(request, error)
    language = request.POST.get("language", "")[:10]
    corrections = {
        name: request.POST.get(name, "")[:20_000] for name in ("title", "summary", "body")
    }
    try:
        correct_translation(record, language=language, corrections=corrections, actor=actor)
    except HarborError as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(
            request, _("Thank you: the correction is saved and will be reused in translations.")
        )
    return redirect(f"{reverse('sharing:record_detail', args=[record.pk])}?lang={language}")


@login_required
@require_POST
def record_withdraw(request: HttpRequest, record_id: int) -> HttpResponse:
    """Take a published record back."""
    return _status_change(request, record_id, publish=False)


@login_required
@require_POST
def attachment_add(request: HttpRequest, record_id: int) -> HttpResponse:
    """Attach a file to a record of the acting organisation."""
    actor = actor_of(request)
    try:
        record = selectors.get_record_for(actor, record_id)
    except HarborError as error:
        return render_error(request, error)
    form = AttachmentForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            attachment = attachments.add_attachment(
                record,
                actor=actor,
                filename=upload.name or "",
                stream=upload,
                size=upload.size or 0,
            )
        except HarborError as error:
            _add_service_errors(form, error)
            status = error.http_status
        else:
            messages.success(request, _("“%(name)s” is attached.") % {"name": attachment.filename})
            return redirect("sharing:record_detail", record_id=record.pk)
    context = _record_context(request, record, attachment_form=form)
    return render(request, "sharing/record_detail.html", context, status=status)


# --- versions -------------------------------------------------------------------------------------------


def _display_value(field: str, value: Any, countries: dict[str, str]) -> str:
    """A snapshot value as a reader can read it."""
    if value in (None, "", [], {}):
        return "—"
    if field == "kind":
        return str(RecordKind(value).label) if value in RecordKind.values else str(value)
    if field == "audience":
        return str(Audience(value).label) if value in Audience.values else str(value)
    if field == "status":
        return str(RecordStatus(value).label) if value in RecordStatus.values else str(value)
    if field == "residency":
        return _("Yes") if value else _("No")
    if field in ("countries", "audience_countries") and isinstance(value, list):
        return ", ".join(countries.get(str(code), str(code)) for code in value)
    if field == "links" and isinstance(value, list):
        return ", ".join(
            str(link.get("url", link)) if isinstance(link, dict) else str(link) for link in value
        )
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in sorted(value.items()))
    return str(value)


def _comparison(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``compare_snapshots`` output as rows: labels, readable values, and text diffs line by line."""
    names = language_names()
    countries = _country_names()
    rows = []
    for change in changes:
        field = change["field"]
        row: dict[str, Any] = {"field": field, "label": FIELD_LABELS.get(field, field)}
        if "text_diff" in change:
            row["texts"] = [
                {
                    "language": language,
                    "name": names.get(language, language),
                    "lines": [
                        (
                            "added"
                            if line.startswith("+")
                            else "removed"
                            if line.startswith("-")
                            else "same",
                            line,
                        )
                        for line in lines
                    ],
                }
                for language, lines in change["text_diff"].items()
            ]
        else:
            row["before"] = _display_value(field, change["before"], countries)
            row["after"] = _display_value(field, change["after"], countries)
        rows.append(row)
    return rows


@vary_on_headers("HX-Request")
def record_compare(request: HttpRequest, record_id: int) -> HttpResponse:
    """What changed between two versions of a record: each field, and the texts line by line."""
    actor = actor_of(request)
    try:
        record = selectors.get_record_for(actor, record_id)
    except HarborError as error:
        return render_error(request, error)
    form = CompareForm(request.GET)
    if not form.is_valid():
        return render_error(request, status=400, detail=_("Choose two versions to compare."))
    before_number = form.cleaned_data["from_version"]
    after_number = form.cleaned_data["to_version"]
    try:
        before = selectors.get_version_for(actor, record_id, before_number)
        after = selectors.get_version_for(actor, record_id, after_number)
    except HarborError as error:
        return render_error(request, error)
    context = {
        "record": record,
        "from_version": before_number,
        "to_version": after_number,
        "rows": _comparison(compare_snapshots(before.snapshot, after.snapshot)),
    }
    if is_htmx(request):
        return render(request, "sharing/partials/_comparison.html", context)
    context["compare_form"] = form
    context["versions"] = list(selectors.list_versions_for(actor, record_id))
    return render(request, "sharing/record_compare.html", context)


# --- search ---------------------------------------------------------------------------------------------


@dataclass
class SearchPage:
    number: int
    total: int
    num_pages: int
    total_exact: bool = True

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def _facet_label(name: str, value: str, countries: dict[str, str], names: dict[str, str]) -> str:
    if name == "kind":
        return str(RecordKind(value).label) if value in RecordKind.values else value
    if name == "country":
        return countries.get(value.upper(), value)
    if name == "language":
        return names.get(value, value)
    return value


def _search_page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), MAX_SEARCH_PAGE)


@vary_on_headers("HX-Request")
def search(request: HttpRequest) -> HttpResponse:
    """Search every language; results, facet counts and pages cover only records the reader may read."""
    actor = actor_of(request)
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form}
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        number = _search_page_number(request)
        try:
            result = selectors.search_records_for(
                actor,
                data["q"],
                kind=data["kind"],
                country=data["country"],
                hs=data["hs"],
                topic=data["topic"],
                language=data["language"],
                year=data["year"],
                reader_language=_reader_language(),
                limit=PAGE_SIZE,
                offset=(number - 1) * PAGE_SIZE,
            )
        except HarborError as error:
            _add_service_errors(form, error)
            status = error.http_status
        else:
            snippets = {doc.object_id: doc.snippet for doc in result.found.documents}
            countries = _country_names()
            names = language_names()
            facets = []
            for name, values in result.found.facets.items():
                active = data.get(name, "")
                facets.append(
                    {
                        "name": name,
                        "label": FACET_LABELS.get(name, name),
                        "values": [
                            {
                                "value": value,
                                "label": _facet_label(name, value, countries, names),
                                "count": count,
                                "active": value.lower() == str(active).lower(),
                                "url": _querystring(request.GET, **{name: value}),
                            }
                            for value, count in values
                        ],
                    }
                )
            context.update(
                items=[(record, snippets.get(record.pk)) for record in result.records],
                facets=[facet for facet in facets if facet["values"]],
                page=SearchPage(
                    number=number,
                    total=result.found.total,
                    num_pages=max(1, math.ceil(result.found.total / PAGE_SIZE)),
                    total_exact=result.found.total_exact,
                ),
                previous_url=_querystring(request.GET, page=str(number - 1)),
                next_url=_querystring(request.GET, page=str(number + 1)),
                active_filters=[
                    {
                        "name": name,
                        "label": FACET_LABELS[name],
                        "value": _facet_label(name, data[name], countries, names),
                        "remove_url": _querystring(request.GET, **{name: None}),
                    }
                    for name in SearchForm.FILTERS
                    if data[name]
                ],
                searched=True,
            )
    else:
        status = 400
    template = (
        "sharing/partials/_search_results.html" if is_htmx(request) else "sharing/search.html"
    )
    return render(request, template, context, status=status)


# --- subscriptions and the inbox ------------------------------------------------------------------------


def _feed_url(subscription: Subscription) -> str:
    path = reverse("sharing:subscription_feed", args=[subscription.feed_token])
    return f"{settings.HARBOR_PUBLIC_URL}{path}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def subscription_list(request: HttpRequest) -> HttpResponse:
    """One's subscriptions with their feed addresses; a new webhook's secret is shown once."""
    actor = actor_of(request)
    form = SubscriptionForm(request.POST or None)
    status, created = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created = subscriptions.create_subscription(actor=actor, data=form.service_data())
            except HarborError as error:
                _add_service_errors(form, error)
                status = error.http_status
            else:
                status = 201
                form = SubscriptionForm()
    countries = _country_names()
    rows = [
        {
            "subscription": subscription,
            "feed_url": _feed_url(subscription),
            "kinds": [
                RecordKind(kind).label for kind in subscription.kinds if kind in RecordKind.values
            ],
            "countries": [countries.get(code, code) for code in subscription.countries],
        }
        for subscription in subscriptions.list_subscriptions_for(actor)
    ]
    context = {
        "form": form,
        "rows": rows,
        "created": created,
        "created_feed_url": _feed_url(created) if created else "",
        "has_organisation": actor.organisation_id is not None,
    }
    return render(request, "sharing/subscriptions.html", context, status=status)


@login_required
@require_POST
def subscription_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Delete one of one's subscriptions; its feed address stops working at once."""
    actor = actor_of(request)
    try:
        subscription = subscriptions.get_subscription_for(actor, subscription_id)
        subscriptions.delete_subscription(subscription, actor=actor)
    except HarborError as error:
        return render_error(request, error)
    messages.success(
        request, _("The subscription “%(name)s” is deleted.") % {"name": subscription.name}
    )
    return redirect("sharing:subscription_list")


def _inbox_rows(request: HttpRequest, items: list[InboxItem]) -> list[dict[str, Any]]:
    """Inbox items, with the record's title only while the reader may still read the record."""
    readable = set(
        selectors.visible_records(actor_of(request))
        .filter(pk__in=[item.record_id for item in items])
        .values_list("pk", flat=True)
    )
    return [{"item": item, "readable": item.record_id in readable} for item in items]


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """What one's subscriptions delivered, newest first, unread ones marked."""
    actor = actor_of(request)
    items = subscriptions.list_inbox_for(actor).select_related("record__owner")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": _inbox_rows(request, list(page.object_list)),
        "unread": subscriptions.list_inbox_for(actor, unread_only=True).count(),
    }
    return render(request, "sharing/inbox.html", context)


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest, item_id: int) -> HttpResponse:
    """Mark an inbox item as read; answers HTMX with the updated row."""
    actor = actor_of(request)
    item = (
        subscriptions.list_inbox_for(actor)
        .select_related("record__owner")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        return render_error(request, status=404, detail=_("No such inbox item."))
    try:
        item = subscriptions.mark_read(item, actor=actor)
    except HarborError as error:
        return render_error(request, error)
    if is_htmx(request):
        return render(
            request, "sharing/partials/_inbox_row.html", {"row": _inbox_rows(request, [item])[0]}
        )
    return redirect("sharing:inbox")
