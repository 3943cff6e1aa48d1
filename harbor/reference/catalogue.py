"""What the harbor covers: its member states, their official languages, and the locales it speaks."""

from __future__ import annotations

from django.conf import settings

MEMBER_STATES: tuple[str, ...] = ("CN", "BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")

OFFICIAL_LANGUAGES: dict[str, tuple[str, ...]] = {
    "CN": ("zh-Hans",),
    "BN": ("ms",),
    "KH": ("km",),
    "ID": ("id",),
    "LA": ("lo",),
    "MY": ("ms",),
    "MM": ("my",),
    "PH": ("fil", "en"),
    "SG": ("en", "ms", "zh-Hans", "ta"),
    "TH": ("th",),
    "VN": ("vi",),
}

# Languages content may be written in: the eleven UI languages plus Traditional Chinese.
CONTENT_LANGUAGES: tuple[str, ...] = (
    "en",
    "zh-Hans",
    "zh-Hant",
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

UI_TO_BABEL = {
    "en": "en",
    "zh-hans": "zh_Hans",
    "id": "id",
    "ms": "ms",
    "th": "th",
    "vi": "vi",
    "fil": "fil",
    "km": "km",
    "lo": "lo",
    "my": "my",
    "ta": "ta",
}


def ui_locales() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def babel_locale(ui_code: str) -> str:
    """The CLDR locale id behind a Django UI language code (``zh-hans`` → ``zh_Hans``)."""
    return UI_TO_BABEL.get(ui_code.lower(), "en")
