"""Pages of the language services: the trade and ICT glossary, public to read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from harbor.core.errors import HarborError
from harbor.core.pages import is_htmx
from harbor.language.choices import GlossaryDomain
from harbor.language.engines.base import LANGUAGES
from harbor.language.glossary import list_terms

PAGE_SIZE = 100


def _reader_language() -> str:
    language = (get_language() or "en").lower()
    return language if language in LANGUAGES else "en"


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    """Every glossary concept with its term in the reader's language, in English and in all the others;
    searchable in any language and filterable by domain."""
    q = request.GET.get("q", "").strip()
    domain = request.GET.get("domain", "")
    language = _reader_language()
    context: dict[str, Any] = {
        "q": q,
        "domain": domain,
        "domains": GlossaryDomain.choices,
        "language": language,
        "languages": LANGUAGES,
        "errors": [],
    }
    status = 200
    try:
        terms = list(list_terms(q=q, domain=domain).order_by("domain", "key")[:PAGE_SIZE])
    except HarborError as error:
        terms = []
        context["errors"] = [item.message for item in error.errors] or [str(error.detail)]
        status = error.http_status
    context["rows"] = [
        {
            "key": term.key,
            "domain": term.get_domain_display(),
            "reader": term.terms.get(language, ""),
            "english": term.terms.get("en", ""),
            "all": [(code, term.terms.get(code, "")) for code in LANGUAGES],
            "do_not_translate": term.do_not_translate,
        }
        for term in terms
    ]
    template = (
        "language/partials/_glossary_rows.html" if is_htmx(request) else "language/glossary.html"
    )
    return render(request, template, context, status=status)
