"""Translation with a CTranslate2 model and its SentencePiece tokenizers, on the CPU.

The model is loaded the first time it is asked to translate and kept for the life of the process; loading
is guarded by a lock, and a loaded translator is safe to call from several threads at once.

Decoding: greedy (beam 1) unless the manifest sets a beam of 2 to 4; on two CPU threads an OPUS-MT-sized
model translates about twice as many sentences a second greedily as with beam 2, for a small loss. Each
output is at most 1.5 × its input + 10 tokens long, and never more than 512, so a model that fails to
stop cannot run away. Texts are cut into sentences first (``segments``); a sentence longer than 200
SentencePiece pieces is translated in windows of 200 pieces.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ctranslate2
import sentencepiece
from django.conf import settings
from django.utils.translation import gettext as _

from harbor.language.engines.base import TranslationEngine
from harbor.language.engines.manifest import ModelManifest, broken, read_manifest
from harbor.language.engines.segments import join_segments, split_segments

MAX_INPUT_PIECES = 200
MAX_DECODING_LENGTH = 512
# Scripts written without spaces between words: windows of one long sentence are joined with nothing.
UNSPACED_LANGUAGES = frozenset({"zh-hans", "zh-hant"})


def decoding_limit(input_length: int) -> int:
    """The most tokens a sentence of ``input_length`` pieces may translate into."""
    return min(MAX_DECODING_LENGTH, math.ceil(1.5 * input_length) + 10)


@dataclass
class _Loaded:
    translator: Any
    source_tokenizer: Any
    target_tokenizer: Any
    eos: list[str]


class CTranslate2Engine(TranslationEngine):
    """One model folder: ``model.bin``, ``config.json``, vocabularies, SentencePiece models, manifest."""

    def __init__(self, folder: Path, manifest: ModelManifest | None = None) -> None:
        self.folder = Path(folder)
        self.manifest = manifest if manifest is not None else read_manifest(self.folder)
        self.name = self.manifest.name
        self.kind = self.manifest.kind
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    @property
    def pairs(self) -> frozenset[tuple[str, str]]:
        return self.manifest.pairs

    @property
    def is_loaded(self) -> bool:
        return self._loaded is not None

    def load(self) -> None:
        """Load the model and tokenizers now; ``EngineError`` (``mt_model_broken``) says what is wrong."""
        self._ensure_loaded()

    def _ensure_loaded(self) -> _Loaded:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load(self) -> _Loaded:
        folder, manifest = self.folder, self.manifest
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise broken(
                folder, _("config.json cannot be read (%(error)s).") % {"error": exc}
            ) from None
        if not isinstance(config, dict):
            raise broken(folder, _("config.json must hold a JSON object."))
        tokenizers = {}
        for file_name in {manifest.source_tokenizer, manifest.target_tokenizer}:
            try:
                tokenizers[file_name] = sentencepiece.SentencePieceProcessor(
                    model_file=str(folder / file_name)
                )
            except (RuntimeError, OSError, ValueError) as exc:
                raise broken(
                    folder,
                    _("the SentencePiece model %(file)s cannot be read (%(error)s).")
                    % {"file": file_name, "error": exc},
                ) from None
        self._check_vocabulary("target", set(manifest.target_prefix.values()))
        self._check_vocabulary("source", set(manifest.source_prefix.values()))
        try:
            translator = ctranslate2.Translator(
                str(folder),
                device="cpu",
                compute_type=manifest.compute_type,
                inter_threads=1,
                intra_threads=settings.HARBOR_MT_THREADS,
            )
        # A damaged model.bin surfaces as whatever the native loader trips on (RuntimeError,
        # IndexError, MemoryError …); any of them means this one folder is unusable.
        except Exception as exc:  # noqa: BLE001
            raise broken(
                folder,
                _("CTranslate2 cannot load model.bin (%(error)s).") % {"error": exc},
            ) from None
        add_eos = manifest.source_eos and not config.get("add_source_eos", False)
        return _Loaded(
            translator=translator,
            source_tokenizer=tokenizers[manifest.source_tokenizer],
            target_tokenizer=tokenizers[manifest.target_tokenizer],
            eos=[str(config.get("eos_token") or "</s>")] if add_eos else [],
        )

    def _check_vocabulary(self, side: str, tokens: set[str]) -> None:
        """Language tokens the manifest names must be in the model's vocabulary, or they would be
        read as unknown words and the output language left to chance."""
        if not tokens:
            return
        vocabulary = _read_vocabulary(self.folder, side)
        if vocabulary is None:
            return
        missing = sorted(tokens - vocabulary)
        if missing:
            raise broken(
                self.folder,
                _("the %(side)s vocabulary has no token %(tokens)s named in manifest.json.")
                % {"side": side, "tokens": ", ".join(missing)},
            )

    def translate_batch(self, texts: list[str], *, source: str, target: str) -> list[str]:
        """One translation per text, layout (line breaks, spacing between sentences) kept."""
        if not self.supports(source, target):
            raise self.unsupported(source, target)
        loaded = self._ensure_loaded()
        split = [split_segments(text) for text in texts]
        index: dict[str, int] = {}
        for segments, _glue in split:
            for segment in segments:
                index.setdefault(segment, len(index))
        translated = self._translate_segments(list(index), loaded, source=source, target=target)
        return [
            join_segments([translated[index[segment]] for segment in segments], glue)
            for segments, glue in split
        ]

    def _translate_segments(
        self, segments: list[str], loaded: _Loaded, *, source: str, target: str
    ) -> list[str]:
        if not segments:
            return []
        manifest = self.manifest
        source_prefix = [manifest.source_prefix[source]] if manifest.source_prefix else []
        target_prefix = [manifest.target_prefix[target]] if manifest.target_prefix else []
        windows: list[list[str]] = []
        owners: list[int] = []
        parts: list[list[str]] = [[] for _segment in segments]
        for number, segment in enumerate(segments):
            pieces = loaded.source_tokenizer.encode(segment, out_type=str)
            if not pieces:
                # Nothing the tokenizer can read (control or zero-width characters): kept as it is.
                parts[number].append(segment)
            for start in range(0, len(pieces), MAX_INPUT_PIECES):
                windows.append(
                    source_prefix + pieces[start : start + MAX_INPUT_PIECES] + loaded.eos
                )
                owners.append(number)
        outputs = self._decode(windows, loaded, target_prefix)
        for owner, output in zip(owners, outputs, strict=True):
            if output:
                parts[owner].append(output)
        joiner = "" if target in UNSPACED_LANGUAGES else " "
        return [joiner.join(part) for part in parts]

    def _decode(
        self, windows: list[list[str]], loaded: _Loaded, target_prefix: list[str]
    ) -> list[str]:
        """Translate token windows in batches of similar length, each with its own length bound."""
        batch_size = max(1, int(settings.HARBOR_MT_BATCH_SIZE))
        order = sorted(range(len(windows)), key=lambda position: len(windows[position]))
        outputs = [""] * len(windows)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            tokens = [windows[position] for position in chunk]
            longest = max(len(window) for window in tokens)
            try:
                results = loaded.translator.translate_batch(
                    tokens,
                    target_prefix=[target_prefix] * len(tokens) if target_prefix else None,
                    beam_size=self.manifest.beam_size,
                    max_batch_size=batch_size,
                    max_decoding_length=len(target_prefix) + decoding_limit(longest),
                )
            except (RuntimeError, ValueError) as exc:
                raise broken(
                    self.folder, _("translation failed (%(error)s).") % {"error": exc}
                ) from None
            for position, result in zip(chunk, results, strict=True):
                hypothesis = list(result.hypotheses[0])
                if target_prefix and hypothesis[: len(target_prefix)] == target_prefix:
                    hypothesis = hypothesis[len(target_prefix) :]
                outputs[position] = loaded.target_tokenizer.decode_pieces(hypothesis).strip()
        return outputs


def _read_vocabulary(folder: Path, side: str) -> set[str] | None:
    """The tokens of the model's ``side`` vocabulary, or None when the folder keeps it in a form
    this check does not read (CTranslate2 will still say if it is unusable)."""
    for stem in (f"{side}_vocabulary", "shared_vocabulary"):
        json_path = folder / f"{stem}.json"
        text_path = folder / f"{stem}.txt"
        try:
            if json_path.is_file():
                tokens = json.loads(json_path.read_text(encoding="utf-8"))
                if isinstance(tokens, list):
                    return {str(token) for token in tokens}
                return None
            if text_path.is_file():
                return set(text_path.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
    return None


def check_engine(engine: CTranslate2Engine) -> str:
    """Load ``engine`` and translate a one-word probe for its first pair; the probe's translation.

    Proves the model, its vocabularies and tokenizers work together; raises ``EngineError`` if not.
    """
    source, target = sorted(engine.pairs)[0]
    return engine.translate_batch(["hello"], source=source, target=target)[0]
