"""Language services API under /api/v1/language: detection, translation, glossary and translation memory."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from harbor.core.api import Problem, anyone
from harbor.core.errors import ValidationFailed
from harbor.language import services
from harbor.language.api_detect import router as detect_router
from harbor.language.api_glossary import router as glossary_router
from harbor.language.identify import identify

router = Router(tags=["language"])
router.add_router("", detect_router)
router.add_router("", glossary_router)


class TranslateRequest(Schema):
    texts: list[str] = Field(..., min_length=1, max_length=services.MAX_TEXTS)
    source: str = Field("", max_length=20, description="language of the texts; detected when empty")
    target: str = Field(..., max_length=20)


class GlossaryHitRead(Schema):
    key: str
    source: str
    target: str


class TranslationRead(Schema):
    text: str | None = Field(..., description="None when no engine could translate it")
    provenance: str | None = Field(..., description="original, memory or machine")
    engine: str
    memory_segments: int
    machine_segments: int
    glossary: list[GlossaryHitRead]


class TranslateResponse(Schema):
    source: str
    target: str
    available: bool = Field(..., description="False when some text needed an engine and none could")
    code: str = Field("", description="why not, e.g. mt_no_engine, mt_unsupported_pair")
    message: str
    engine: str
    translations: list[TranslationRead]


@router.post(
    "/translate",
    response={200: TranslateResponse, 400: Problem, 422: Problem},
    auth=anyone,
    operation_id="translate_texts",
)
def translate(request: HttpRequest, payload: TranslateRequest) -> object:
    """Translate texts: translation memory first, then the installed engine with the glossary enforced.

    Each translation says how it was made. Without an engine for the pair, memory matches and the
    glossary terms are still returned and ``available`` is false with the reason.
    """
    source = payload.source.strip().lower()
    if not source:
        found = identify("\n".join(payload.texts))
        if found is None:
            raise ValidationFailed.for_field(
                "source", _("The language of the texts could not be told: give it.")
            )
        source = found.language
    outcome = services.translate_texts(payload.texts, source=source, target=payload.target)
    body: dict[str, Any] = {
        "source": outcome.source,
        "target": outcome.target,
        "available": outcome.available,
        "code": outcome.error_code,
        "message": outcome.message,
        "engine": outcome.engine,
        "translations": [item.as_dict() for item in outcome.items],
    }
    return body
