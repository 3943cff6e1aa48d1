"""The installed translation models, the choice of engine for a language pair, and installation.

Models live one folder each in ``HARBOR_MT_MODELS_DIR`` (default ``<data dir>/mt-models``), the folder named
after its manifest. For a pair the registry takes, in order: a model made for that pair; a multilingual
model covering both languages; two models through English (source → en, then en → target). Models are
tried in name order within each kind, so the choice is stable. A broken folder is reported, never raised
for the whole list, and never stops the other models from serving.

Translations are kept in an in-process LRU cache of ``CACHE_SIZE`` entries keyed by the models used (and
their files' identity, so a replaced model is not served from the old one's entries), the pair and the text.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from harbor.language.engines.base import (
    LANGUAGES,
    PIVOT_LANGUAGE,
    EngineError,
    EngineErrorCode,
    TranslationEngine,
    validate_language,
)
from harbor.language.engines.ctranslate2_engine import CTranslate2Engine, check_engine
from harbor.language.engines.manifest import MANIFEST, ModelManifest, broken, read_manifest

CACHE_SIZE = 10_000
# Each failed attempt sets one broken model aside; a node holds far fewer models than this.
MAX_PLAN_ATTEMPTS = 100

Stamp = tuple[tuple[int, int, int] | None, ...]


@dataclass(frozen=True)
class InstalledModel:
    """One folder in the models directory, as an operator sees it: what it is and whether it works."""

    name: str
    path: Path
    kind: str = ""
    pairs: tuple[tuple[str, str], ...] = ()
    languages: tuple[str, ...] = ()
    quantisation: str = ""
    licence: str = ""
    origin: str = ""
    problem: str | None = None

    @property
    def status(self) -> str:
        return "broken" if self.problem else "ok"


@dataclass(frozen=True)
class PlanStep:
    engine: TranslationEngine
    source: str
    target: str


@dataclass(frozen=True)
class TranslationPlan:
    """The engines that translate ``source`` → ``target``, in order; two steps when pivoting on English.

    ``label`` is the provenance a translation records, e.g. ``"opus-mt-th-en → opus-mt-en-lo"``; it is
    empty when source and target are the same language and nothing is translated.
    """

    source: str
    target: str
    steps: tuple[PlanStep, ...]
    key: tuple[Hashable, ...] = field(default=(), compare=False)

    @property
    def engines(self) -> tuple[str, ...]:
        return tuple(step.engine.name for step in self.steps)

    @property
    def label(self) -> str:
        return " → ".join(self.engines)

    @property
    def pivot(self) -> bool:
        return len(self.steps) > 1

    def translate(self, texts: list[str]) -> list[str]:
        """Run the texts through every step; no cache."""
        for step in self.steps:
            texts = step.engine.translate_batch(texts, source=step.source, target=step.target)
        return list(texts)


@dataclass(frozen=True)
class MachineTranslation:
    """Translations, one per input text, and the engines that made them (``engine`` is the plan label)."""

    texts: list[str]
    engine: str
    engines: tuple[str, ...]
    source: str
    target: str
    cached: int = 0


class TranslationCache:
    """A bounded, thread-safe least-recently-used map from (plan key, source, target, text) to a translation."""

    def __init__(self, maxsize: int = CACHE_SIZE) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: str) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


translation_cache = TranslationCache()


@dataclass
class _Entry:
    folder: Path
    stamp: Stamp
    manifest: ModelManifest | None
    error: EngineError | None


_lock = threading.RLock()
_entries: dict[Path, _Entry] = {}
_engines: dict[Path, tuple[Stamp, CTranslate2Engine]] = {}
_failures: dict[Path, tuple[Stamp, EngineError]] = {}


def no_model_error() -> EngineError:
    """The error when no model is installed at all: the harbor still serves glossary and memory matches."""
    return EngineError(
        EngineErrorCode.NO_ENGINE,
        _("No translation model is installed: see docs/OPERATIONS.md, Machine translation"),
    )


def models_dir() -> Path:
    return Path(settings.HARBOR_MT_MODELS_DIR)


def clear_caches() -> None:
    """Forget loaded models, known failures and cached translations (the next use reloads)."""
    with _lock:
        _entries.clear()
        _engines.clear()
        _failures.clear()
    translation_cache.clear()


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def _stamp(folder: Path) -> Stamp:
    """Changes when the folder's files are added, removed or rewritten, or the folder is replaced."""
    return (_stat(folder), _stat(folder / MANIFEST), _stat(folder / "model.bin"))


def _scan(directory: Path) -> list[_Entry]:
    """Every model folder, manifests re-read only when a folder changed."""
    try:
        folders = sorted(
            path for path in directory.iterdir() if path.is_dir() and not path.name.startswith(".")
        )
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise EngineError(
            EngineErrorCode.NO_ENGINE,
            _("The translation models folder %(folder)s cannot be read (%(error)s).")
            % {"folder": directory, "error": exc},
        ) from None
    entries = []
    with _lock:
        # A folder deleted by the operator releases its model's memory at the next look.
        present = set(folders)
        for gone in [path for path in _entries if path.parent == directory and path not in present]:
            _entries.pop(gone, None)
            _engines.pop(gone, None)
            _failures.pop(gone, None)
        for folder in folders:
            stamp = _stamp(folder)
            entry = _entries.get(folder)
            if entry is None or entry.stamp != stamp:
                entry = _read_entry(folder, stamp)
                _entries[folder] = entry
            entries.append(entry)
    return entries


def _read_entry(folder: Path, stamp: Stamp) -> _Entry:
    try:
        manifest = read_manifest(folder)
    except EngineError as error:
        return _Entry(folder, stamp, None, error)
    if manifest.name != folder.name:
        reason = _(
            "the folder is named %(folder)s but its manifest names the model %(name)s; install it "
            "with “harbor mt install”, which names the folder after the model."
        ) % {"folder": folder.name, "name": manifest.name}
        return _Entry(folder, stamp, None, broken(folder, reason))
    return _Entry(folder, stamp, manifest, None)


def _failure(entry: _Entry) -> EngineError | None:
    if entry.error is not None:
        return entry.error
    failed = _failures.get(entry.folder)
    if failed is not None and failed[0] == entry.stamp:
        return failed[1]
    return None


def _engine(entry: _Entry) -> CTranslate2Engine:
    assert entry.manifest is not None
    with _lock:
        cached = _engines.get(entry.folder)
        if cached is not None and cached[0] == entry.stamp:
            return cached[1]
        engine = CTranslate2Engine(entry.folder, entry.manifest)
        _engines[entry.folder] = (entry.stamp, engine)
        return engine


def _describe(entry: _Entry, problem: EngineError | None) -> InstalledModel:
    manifest = entry.manifest
    if manifest is None:
        error = problem or entry.error
        return InstalledModel(
            name=entry.folder.name,
            path=entry.folder,
            problem=(error.reason or str(error.detail)) if error else None,
        )
    order = {code: position for position, code in enumerate(LANGUAGES)}
    return InstalledModel(
        name=manifest.name,
        path=entry.folder,
        kind=manifest.kind,
        pairs=tuple(sorted(manifest.pairs, key=lambda pair: (order[pair[0]], order[pair[1]]))),
        languages=manifest.languages,
        quantisation=manifest.quantisation,
        licence=manifest.licence,
        origin=manifest.origin,
        problem=(problem.reason or str(problem.detail)) if problem else None,
    )


def list_models(*, check: bool = False) -> list[InstalledModel]:
    """The model folders in the models directory, by name, each ok or broken with the reason.

    Without ``check`` a model counts as ok when its manifest and files are in order (and it has not failed
    to load in this process); with ``check`` each model is loaded and translates a one-word probe.
    """
    described = []
    for entry in _scan(models_dir()):
        problem = _failure(entry)
        if check and problem is None:
            try:
                engine = _engine(entry)
                engine.load()
                check_engine(engine)
            except EngineError as error:
                _mark_failed(entry.folder, error)
                problem = error
        described.append(_describe(entry, problem))
    return described


def _mark_failed(folder: Path, error: EngineError) -> None:
    with _lock:
        stamp = _stamp(folder)
        _failures[folder] = (stamp, error)
        _engines.pop(folder, None)


def _pick(
    engines: Sequence[CTranslate2Engine], source: str, target: str
) -> CTranslate2Engine | None:
    """A model made for the pair, else a multilingual model covering it; by name within each kind."""
    for kind in ("pair", "multilingual"):
        for engine in engines:
            if engine.kind == kind and engine.supports(source, target):
                return engine
    return None


def plan_translation(*, source: str, target: str) -> TranslationPlan:
    """The engines to use for ``source`` → ``target``: direct, multilingual, or through English.

    Raises ``ValidationFailed`` for a code that is not a harbor language, ``EngineError`` with
    ``mt_no_engine`` when no working model is installed and ``mt_unsupported_pair`` when the installed
    models cannot make the pair even through English.
    """
    validate_language(source, field="source")
    validate_language(target, field="target")
    if source == target:
        return TranslationPlan(source, target, ())
    entries = _scan(models_dir())
    usable = [entry for entry in entries if _failure(entry) is None]
    if not usable:
        if entries:
            raise EngineError(
                EngineErrorCode.NO_ENGINE,
                _(
                    "No working translation model is installed: %(count)s installed model(s) are "
                    "broken; “harbor mt list” says why."
                )
                % {"count": len(entries)},
            )
        raise no_model_error()
    engines = [_engine(entry) for entry in usable]
    stamps = {entry.manifest.name: entry.stamp for entry in usable if entry.manifest}
    steps: list[PlanStep] = []
    direct = _pick(engines, source, target)
    if direct is not None:
        steps = [PlanStep(direct, source, target)]
    elif PIVOT_LANGUAGE not in (source, target):
        first = _pick(engines, source, PIVOT_LANGUAGE)
        second = _pick(engines, PIVOT_LANGUAGE, target)
        if first is not None and second is not None:
            steps = [
                PlanStep(first, source, PIVOT_LANGUAGE),
                PlanStep(second, PIVOT_LANGUAGE, target),
            ]
    if not steps:
        raise EngineError(
            EngineErrorCode.UNSUPPORTED_PAIR,
            _(
                "No installed translation model translates from %(source)s to %(target)s, "
                "directly or through English."
            )
            % {"source": source, "target": target},
        )
    key = tuple(
        (step.engine.name, stamps[step.engine.name], step.source, step.target) for step in steps
    )
    return TranslationPlan(source, target, tuple(steps), key)


def translate(texts: Sequence[str], *, source: str, target: str) -> MachineTranslation:
    """Machine-translate ``texts`` (one result per text, in order) with the best installed engines.

    Cached translations are served from the in-process cache; the rest are translated in batches. A model
    that fails to load is set aside (reported by ``list_models``) and the choice is made again without
    it, so one broken model does not stop a pair another model can serve.
    """
    texts = list(texts)
    for _attempt in range(MAX_PLAN_ATTEMPTS):
        plan = plan_translation(source=source, target=target)
        failed = _load_steps(plan)
        if failed is None:
            return _run(plan, texts)
        # The failed model is now recorded, so the next plan leaves it out; each round removes one.
        _mark_failed(*failed)
    raise no_model_error()


def _load_steps(plan: TranslationPlan) -> tuple[Path, EngineError] | None:
    """Load every engine of the plan; the folder and error of the first model that will not load."""
    for step in plan.steps:
        try:
            step.engine.load()
        except EngineError as error:
            if error.code != EngineErrorCode.MODEL_BROKEN or not isinstance(
                step.engine, CTranslate2Engine
            ):
                raise
            return step.engine.folder, error
    return None


def _run(plan: TranslationPlan, texts: list[str]) -> MachineTranslation:
    if not plan.steps:
        return MachineTranslation(list(texts), "", (), plan.source, plan.target)
    results: list[str | None] = []
    missing: dict[str, list[int]] = {}
    hits = 0
    for position, text in enumerate(texts):
        found = translation_cache.get((plan.key, text)) if text.strip() else text
        if found is None:
            missing.setdefault(text, []).append(position)
        elif text.strip():
            hits += 1
        results.append(found)
    if missing:
        originals = list(missing)
        for original, translated in zip(originals, plan.translate(originals), strict=True):
            translation_cache.put((plan.key, original), translated)
            for position in missing[original]:
                results[position] = translated
    return MachineTranslation(
        texts=[result or "" for result in results],
        engine=plan.label,
        engines=plan.engines,
        source=plan.source,
        target=plan.target,
        cached=hits,
    )


def install_model(path: Path | str, *, replace: bool = False) -> InstalledModel:
    """Check a converted model folder and copy it into the models directory under its manifest name.

    The folder must hold a valid manifest, load, and translate a one-word probe; an installed model of the
    same name is replaced only with ``replace``. The copy is made beside the target and renamed into
    place, so a running process never sees a half-copied model.
    """
    source = Path(path)
    manifest = read_manifest(source)
    check_engine(CTranslate2Engine(source, manifest))
    directory = models_dir()
    target = directory / manifest.name
    if target.exists() and target.resolve() == source.resolve():
        return _installed(target)
    if target.exists() and not replace:
        raise EngineError(
            EngineErrorCode.MODEL_EXISTS,
            _("A translation model named %(name)s is already installed; replace it explicitly.")
            % {"name": manifest.name},
            model=manifest.name,
        )
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    staging = directory / f".installing-{manifest.name}-{token}"
    retired = directory / f".replaced-{manifest.name}-{token}"
    try:
        shutil.copytree(source, staging)
        with _lock:
            if target.exists():
                os.replace(target, retired)
            os.replace(staging, target)
            _engines.pop(target, None)
            _failures.pop(target, None)
            _entries.pop(target, None)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return _installed(target)


def _installed(folder: Path) -> InstalledModel:
    entry = _read_entry(folder, _stamp(folder))
    return _describe(entry, entry.error)
