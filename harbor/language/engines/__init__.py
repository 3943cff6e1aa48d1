"""Machine translation engines: installed CTranslate2 models, chosen per language pair by the registry."""

from harbor.language.engines.base import (
    LANGUAGES,
    PIVOT_LANGUAGE,
    EngineError,
    EngineErrorCode,
    TranslationEngine,
    validate_language,
)
from harbor.language.engines.ctranslate2_engine import CTranslate2Engine
from harbor.language.engines.manifest import ModelManifest, read_manifest
from harbor.language.engines.registry import (
    InstalledModel,
    MachineTranslation,
    PlanStep,
    TranslationCache,
    TranslationPlan,
    clear_caches,
    install_model,
    list_models,
    models_dir,
    no_model_error,
    plan_translation,
    translate,
    translation_cache,
)

__all__ = [
    "LANGUAGES",
    "PIVOT_LANGUAGE",
    "CTranslate2Engine",
    "EngineError",
    "EngineErrorCode",
    "InstalledModel",
    "MachineTranslation",
    "ModelManifest",
    "PlanStep",
    "TranslationCache",
    "TranslationEngine",
    "TranslationPlan",
    "clear_caches",
    "install_model",
    "list_models",
    "models_dir",
    "no_model_error",
    "plan_translation",
    "read_manifest",
    "translate",
    "translation_cache",
    "validate_language",
]
