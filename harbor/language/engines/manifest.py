"""The ``manifest.json`` that sits beside a converted model and says what the model is.

```json
{
  "name": "opus-mt-th-en",
  "kind": "pair",
  "pairs": [["th", "en"]],
  "tokenizer": {"type": "sentencepiece", "source": "source.spm", "target": "target.spm"},
  "quantisation": "int8",
  "licence": "CC-BY-4.0",
  "source": "https://huggingface.co/Helsinki-NLP/opus-mt-th-en"
}
```

A multilingual model lists ``languages`` instead of ``pairs`` (it translates every ordered pair among
them) and names the token that selects the output language, by harbor code, in ``target_prefix``; a model
that also wants the input language marked (M2M100, NLLB) names those tokens in ``source_prefix``.
Optional: ``tokenizer.model`` for one SentencePiece model used on both sides, ``source_eos`` (default
true: end each input with the model's end-of-sentence token, as Marian, M2M100 and NLLB expect),
``compute_type`` (default ``"default"``: the stored quantisation), ``beam_size`` (1 to 4, default 1).
The folder's name must equal ``name``: that name is what translations record as their engine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from harbor.language.engines.base import LANGUAGES, EngineError, EngineErrorCode

MANIFEST = "manifest.json"
MODEL_FILES = ("model.bin", "config.json")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
COMPUTE_TYPES = ("default", "auto", "int8", "int8_float32", "int16", "float32")
KINDS = ("pair", "multilingual")
DEFAULT_BEAM_SIZE = 1
MAX_BEAM_SIZE = 4


@dataclass(frozen=True)
class ModelManifest:
    """What a model folder declares about its model; see the module docstring for the file."""

    name: str
    kind: str
    pairs: frozenset[tuple[str, str]]
    source_tokenizer: str
    target_tokenizer: str
    source_prefix: dict[str, str] = field(default_factory=dict)
    target_prefix: dict[str, str] = field(default_factory=dict)
    source_eos: bool = True
    compute_type: str = "default"
    beam_size: int = DEFAULT_BEAM_SIZE
    quantisation: str = ""
    licence: str = ""
    origin: str = ""

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the model reads or writes, in the harbor's order."""
        used = {code for pair in self.pairs for code in pair}
        return tuple(code for code in LANGUAGES if code in used)


def broken(folder: Path, problem: str) -> EngineError:
    """The error for a model folder that cannot be used, naming the folder and what is wrong."""
    return EngineError(
        EngineErrorCode.MODEL_BROKEN,
        _("The translation model in %(folder)s cannot be used: %(problem)s")
        % {"folder": folder, "problem": problem},
        model=folder.name,
        reason=problem,
    )


def read_manifest(folder: Path) -> ModelManifest:
    """Read and check ``folder/manifest.json`` and that the files it names are there.

    Raises ``EngineError`` (``mt_model_broken``) naming the folder and the first problem found; the model
    itself is not loaded here.
    """
    path = folder / MANIFEST
    if not folder.is_dir():
        raise broken(folder, _("it is not a folder."))
    if not path.is_file():
        raise broken(folder, _("manifest.json is missing."))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise broken(
            folder,
            _("manifest.json is not valid JSON (line %(line)s, column %(column)s: %(error)s).")
            % {"line": exc.lineno, "column": exc.colno, "error": exc.msg},
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise broken(
            folder, _("manifest.json cannot be read (%(error)s).") % {"error": exc}
        ) from None
    if not isinstance(data, dict):
        raise broken(folder, _("manifest.json must hold a JSON object."))
    manifest = _parse(folder, data)
    for name in MODEL_FILES:
        if not (folder / name).is_file():
            raise broken(
                folder,
                _("%(file)s is missing; convert the model with CTranslate2 into this folder.")
                % {"file": name},
            )
    for name in {manifest.source_tokenizer, manifest.target_tokenizer}:
        if not (folder / name).is_file():
            raise broken(
                folder,
                _("the SentencePiece model %(file)s named in manifest.json is missing.")
                % {"file": name},
            )
    return manifest


def _parse(folder: Path, data: dict[str, Any]) -> ModelManifest:
    name = data.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise broken(
            folder,
            _(
                "“name” in manifest.json must be 1 to 64 letters, digits, dots, dashes or "
                "underscores, starting with a letter or digit."
            ),
        )
    kind = data.get("kind", "pair")
    if kind not in KINDS:
        raise broken(folder, _("“kind” in manifest.json must be “pair” or “multilingual”."))
    if kind == "pair":
        pairs = _pairs(folder, data.get("pairs"))
    else:
        languages = _languages(folder, data.get("languages"), "languages")
        if len(languages) < 2:
            raise broken(
                folder, _("“languages” in manifest.json must list at least two languages.")
            )
        pairs = frozenset((a, b) for a in languages for b in languages if a != b)
    sources = {source for source, _target in pairs}
    targets = {target for _source, target in pairs}
    source_prefix = _tokens(folder, data.get("source_prefix", {}), "source_prefix")
    target_prefix = _tokens(folder, data.get("target_prefix", {}), "target_prefix")
    if kind == "multilingual" or target_prefix:
        _require_all(folder, target_prefix, targets, "target_prefix")
    if source_prefix:
        _require_all(folder, source_prefix, sources, "source_prefix")
    source_tokenizer, target_tokenizer = _tokenizer(folder, data.get("tokenizer"))
    source_eos = data.get("source_eos", True)
    if not isinstance(source_eos, bool):
        raise broken(folder, _("“source_eos” in manifest.json must be true or false."))
    compute_type = data.get("compute_type", "default")
    if compute_type not in COMPUTE_TYPES:
        raise broken(
            folder,
            _("“compute_type” in manifest.json must be one of: %(types)s.")
            % {"types": ", ".join(COMPUTE_TYPES)},
        )
    beam_size = data.get("beam_size", DEFAULT_BEAM_SIZE)
    if isinstance(beam_size, bool) or not isinstance(beam_size, int):
        beam_size = 0
    if not 1 <= beam_size <= MAX_BEAM_SIZE:
        raise broken(
            folder,
            _("“beam_size” in manifest.json must be a whole number from 1 to %(max)s.")
            % {"max": MAX_BEAM_SIZE},
        )
    texts = {}
    for key in ("quantisation", "licence", "source"):
        value = data.get(key, "")
        if not isinstance(value, str):
            raise broken(folder, _("“%(key)s” in manifest.json must be text.") % {"key": key})
        texts[key] = value
    return ModelManifest(
        name=name,
        kind=kind,
        pairs=pairs,
        source_tokenizer=source_tokenizer,
        target_tokenizer=target_tokenizer,
        source_prefix=source_prefix,
        target_prefix=target_prefix,
        source_eos=source_eos,
        compute_type=compute_type,
        beam_size=beam_size,
        quantisation=texts["quantisation"],
        licence=texts["licence"],
        origin=texts["source"],
    )


def _unknown_language(folder: Path, code: object, key: str) -> EngineError:
    return broken(
        folder,
        _("“%(code)s” in “%(key)s” is not a harbor language (%(languages)s).")
        % {"code": code, "key": key, "languages": ", ".join(LANGUAGES)},
    )


def _languages(folder: Path, value: object, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise broken(
            folder,
            _("“%(key)s” in manifest.json must be a list of language codes.") % {"key": key},
        )
    for code in value:
        if code not in LANGUAGES:
            raise _unknown_language(folder, code, key)
    return list(dict.fromkeys(value))


def _pairs(folder: Path, value: object) -> frozenset[tuple[str, str]]:
    message = _("“pairs” in manifest.json must be a non-empty list of [source, target] pairs.")
    if not isinstance(value, list) or not value:
        raise broken(folder, message)
    pairs = set()
    for pair in value:
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(code, str) for code in pair)
            and pair[0] != pair[1]
        ):
            raise broken(folder, message)
        for code in pair:
            if code not in LANGUAGES:
                raise _unknown_language(folder, code, "pairs")
        pairs.add((pair[0], pair[1]))
    return frozenset(pairs)


def _tokens(folder: Path, value: object, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(token, str) and token for token in value.values()
    ):
        raise broken(
            folder,
            _("“%(key)s” in manifest.json must map language codes to tokens.") % {"key": key},
        )
    for code in value:
        if code not in LANGUAGES:
            raise _unknown_language(folder, code, key)
    return dict(value)


def _require_all(folder: Path, tokens: dict[str, str], codes: set[str], key: str) -> None:
    missing = sorted(code for code in codes if code not in tokens)
    if missing:
        raise broken(
            folder,
            _("“%(key)s” in manifest.json has no token for %(codes)s.")
            % {"key": key, "codes": ", ".join(missing)},
        )


def _tokenizer(folder: Path, value: object) -> tuple[str, str]:
    message = _(
        "“tokenizer” in manifest.json must be {“type”: “sentencepiece”, “source”: file, "
        "“target”: file} or {“type”: “sentencepiece”, “model”: file}."
    )
    if not isinstance(value, dict) or value.get("type") != "sentencepiece":
        raise broken(folder, message)
    if "model" in value:
        source = target = value["model"]
    else:
        source, target = value.get("source"), value.get("target")
    for file_name in (source, target):
        if not isinstance(file_name, str) or not file_name:
            raise broken(folder, message)
        if Path(file_name).name != file_name or file_name in {".", ".."}:
            raise broken(
                folder,
                _("the tokenizer file “%(file)s” must be a file name inside the model folder.")
                % {"file": file_name},
            )
    return str(source), str(target)
