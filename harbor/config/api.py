"""The JSON API root: every app's router under /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

from harbor.core.api import install_error_handlers
from harbor.core.jobs_api import router as jobs_router
from harbor.directory.api import router as directory_router
from harbor.fx.api import router as fx_router
from harbor.language.api import router as language_router
from harbor.reference.api import router as reference_router
from harbor.sharing.api import router as sharing_router
from harbor.trade.api import router as trade_router

api = NinjaAPI(
    title="Information Harbor API",
    version="1",
    description=(
        "The China–ASEAN Information Harbor. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `harbor token create` or on your tokens page). Errors are RFC 9457 "
        "problem+json with a stable `code`. Lists use cursor pagination (`next_cursor`)."
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/reference", reference_router)
api.add_router("/", directory_router)
api.add_router("/", jobs_router)
api.add_router("/", sharing_router)
api.add_router("/fx", fx_router)
api.add_router("/language", language_router)
api.add_router("/trade", trade_router)
