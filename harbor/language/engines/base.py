"""What every machine-translation engine offers, and the errors translation can end in.

An engine translates between harbor language codes (``en``, ``zh-hans``, ``th`` …); which model sits behind
it, and how that model names its languages, is the engine's own business.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from harbor.core.errors import HarborError, ValidationFailed

# The languages the harbor translates between; English is the pivot when no model covers a pair directly.
LANGUAGES: tuple[str, ...] = (
    "en",
    "zh-hans",
    "zh-hant",
    "id",
    "ms",
    "th",
    "vi",
    "fil",
    "km",
    "lo",
    "my",
    "ta",
)
PIVOT_LANGUAGE = "en"


class EngineErrorCode(StrEnum):
    NO_ENGINE = "mt_no_engine"
    UNSUPPORTED_PAIR = "mt_unsupported_pair"
    MODEL_BROKEN = "mt_model_broken"
    MODEL_EXISTS = "mt_model_exists"


STATUS_BY_ENGINE_CODE: dict[str, int] = {
    EngineErrorCode.NO_ENGINE: 503,
    EngineErrorCode.UNSUPPORTED_PAIR: 422,
    EngineErrorCode.MODEL_BROKEN: 503,
    EngineErrorCode.MODEL_EXISTS: 409,
}


class EngineError(HarborError):
    """Machine translation cannot be done: no model, no model for the pair, or a model that is broken.

    ``model`` names the model folder at fault, when one is (it is also in ``extra`` for the API);
    ``reason`` is what is wrong with it, without the folder, for listings.
    """

    def __init__(
        self,
        code: EngineErrorCode,
        detail: str | Promise,
        *,
        model: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.model = model
        self.reason = reason
        super().__init__(
            code,
            detail,
            status=STATUS_BY_ENGINE_CODE[code],
            extra={"model": model} if model else {},
        )


def validate_language(code: str, *, field: str) -> str:
    """``code`` when it is one of the harbor's languages; otherwise a validation error naming ``field``."""
    if code not in LANGUAGES:
        raise ValidationFailed.for_field(
            field,
            _("“%(code)s” is not a harbor language; use one of: %(languages)s.")
            % {"code": code, "languages": ", ".join(LANGUAGES)},
        )
    return code


class TranslationEngine(ABC):
    """A machine-translation engine: a name, the ordered language pairs it covers, and batch translation.

    ``translate_batch`` returns exactly one string per input, in order; an empty or blank input gives back
    the same text untranslated. An engine raises ``EngineError`` and nothing else.
    """

    name: str
    kind: str

    @property
    @abstractmethod
    def pairs(self) -> frozenset[tuple[str, str]]:
        """Every (source, target) pair the engine translates."""

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(code for pair in self.pairs for code in pair)

    def load(self) -> None:
        """Make the engine ready (load its model); ``EngineError`` if it cannot be. Nothing by default."""
        return None

    def supports(self, source: str, target: str) -> bool:
        return (source, target) in self.pairs

    @abstractmethod
    def translate_batch(self, texts: list[str], *, source: str, target: str) -> list[str]:
        """Translate ``texts`` from ``source`` to ``target`` (harbor codes)."""

    def unsupported(self, source: str, target: str) -> EngineError:
        return EngineError(
            EngineErrorCode.UNSUPPORTED_PAIR,
            _("The translation model %(model)s does not translate from %(source)s to %(target)s.")
            % {"model": self.name, "source": source, "target": target},
            model=self.name,
        )
