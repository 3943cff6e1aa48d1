"""Language detection API: which content language a text is in; public.

Mounted under ``/api/v1/language``: ``POST /api/v1/language/detect``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from harbor.core.api import Problem, anyone
from harbor.core.errors import FieldError, ValidationFailed
from harbor.language.identify import detect_script, identify, supported_language
from harbor.reference.selectors import list_countries

router = Router(tags=["language"])

MAX_TEXT = 10_000


class DetectRequest(Schema):
    text: str = Field(description="The text to identify: 1 to 10,000 characters.")
    country: str | None = Field(
        None,
        description="The author's country, ISO 3166 alpha-2: settles Indonesian against Malay.",
    )
    declared: str | None = Field(
        None,
        description="A language the author declared; it wins when consistent with the script.",
    )


class AlternativeRead(Schema):
    language: str
    confidence: int


class DetectionRead(Schema):
    language: str | None = Field(description="BCP 47 content language; null when it cannot tell.")
    certain: bool
    script: str | None = Field(description="ISO 15924 script: Latn, Hans, Hant, Hani, Thai, …")
    zawgyi: bool = Field(description="Burmese in the legacy Zawgyi encoding.")
    confidence: int = Field(description="How strongly the text alone supports the language, 0–100.")
    alternatives: list[AlternativeRead]
    normalised_text: str | None = Field(
        description="The text converted to Unicode when it was Zawgyi; null otherwise."
    )


def detect_language(
    text: str, *, country: str | None = None, declared: str | None = None
) -> dict[str, Any]:
    """Check the request, then identify: text of 1 to 10,000 characters, a known ISO 3166 alpha-2 country,
    a content language as the declared one; every bad field is named at once."""
    errors: list[FieldError] = []
    if not text.strip():
        errors.append(FieldError("text", _("Give text.")))
    elif len(text) > MAX_TEXT:
        errors.append(
            FieldError("text", _("Give at most %(limit)d characters.") % {"limit": MAX_TEXT})
        )
    code = country.strip().upper() if country is not None else None
    if code is not None and (len(code) != 2 or not list_countries().filter(code=code).exists()):
        errors.append(
            FieldError(
                "country",
                _("“%(code)s” is not an ISO 3166 country code.") % {"code": country},
            )
        )
    if declared is not None and supported_language(declared) is None:
        errors.append(
            FieldError(
                "declared", _("“%(lang)s” is not a supported language.") % {"lang": declared}
            )
        )
    if errors:
        raise ValidationFailed.for_fields(errors)
    found = identify(text, country=code, declared=declared)
    if found is None:
        return {
            "language": None,
            "certain": False,
            "script": detect_script(text),
            "zawgyi": False,
            "confidence": 0,
            "alternatives": [],
            "normalised_text": None,
        }
    return {
        "language": found.language,
        "certain": found.certain,
        "script": found.script,
        "zawgyi": found.zawgyi,
        "confidence": found.confidence,
        "alternatives": [
            {"language": item.language, "confidence": item.confidence}
            for item in found.alternatives
        ],
        "normalised_text": found.normalised_text,
    }


@router.post(
    "/detect",
    response={200: DetectionRead, 422: Problem},
    auth=anyone,
    operation_id="detect_language",
)
def detect(request: HttpRequest, payload: DetectRequest) -> object:
    """The content language of a text: script first, then CLD2 for Latin script; Simplified or Traditional
    Chinese by distinguishing characters; Indonesian or Malay marked uncertain unless ``country`` or
    ``declared`` settles it; Zawgyi Burmese flagged and returned converted to Unicode."""
    return detect_language(payload.text, country=payload.country, declared=payload.declared)
