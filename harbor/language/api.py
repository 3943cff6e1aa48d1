"""Language services API under /api/v1/language: detection, translation, glossary and translation memory."""

from __future__ import annotations

from ninja import Router

from harbor.language.api_detect import router as detect_router
from harbor.language.api_glossary import router as glossary_router

router = Router(tags=["language"])
router.add_router("", detect_router)
router.add_router("", glossary_router)
