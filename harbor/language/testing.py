"""Small random-weight translation models, built in seconds, for tests, benchmarks and demonstrations.

The models are real CTranslate2 Transformer models with real SentencePiece tokenizers, so loading,
tokenising, batching, decoding and the registry are exercised exactly as with a converted OPUS-MT or
M2M100 model. Their weights are random: the output is deterministic nonsense. The output layer is biased
against the end-of-sentence, start and unknown tokens, so every translation is non-empty and runs to the
decoding limit (1.5 × input + 10 tokens), which makes speed measurements pessimistic rather than flattered
by early stops.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sentencepiece
from ctranslate2.converters.converter import Converter
from ctranslate2.specs import transformer_spec

from harbor.language.engines.base import LANGUAGES

_CONSONANTS = [*"bcdfghjklmnprstvwyz", "ch", "sh", "th", "ng", "kr", "tr", "pl"]
_VOWELS = [*"aeiou", "ai", "au", "ea", "ia", "oo", "ue"]
SAMPLE_SENTENCES: dict[str, list[str]] = {
    "en": [
        "The harbor ships rice and rubber to Singapore every week.",
        "Please send the certificate of origin before the goods arrive.",
        "The tariff on ceramic tiles is five percent under the agreement.",
        "Our warehouse in Hanoi opens at eight in the morning.",
        "Hello, how are you today?",
    ],
    "th": [
        "ท่าเรือส่งข้าวและยางพาราไปสิงคโปร์ทุกสัปดาห์",
        "กรุณาส่งหนังสือรับรองถิ่นกำเนิดสินค้าก่อนสินค้ามาถึง",
        "อัตราภาษีกระเบื้องเซรามิกคือร้อยละห้าตามความตกลง",
        "สวัสดีครับ วันนี้เป็นอย่างไรบ้าง",
    ],
    "lo": [
        "ທ່າເຮືອສົ່ງເຂົ້າແລະຢາງພາລາໄປສິງກະໂປທຸກອາທິດ",
        "ສະບາຍດີ ມື້ນີ້ເປັນແນວໃດ",
    ],
    "vi": [
        "Cảng vận chuyển gạo và cao su đến Singapore mỗi tuần.",
        "Xin chào, hôm nay bạn thế nào?",
    ],
    "zh-hans": ["港口每周向新加坡运送大米和橡胶。", "你好，今天怎么样？"],
}


def generate_sentences(
    count: int, *, seed: int = 0, min_words: int = 8, max_words: int = 20
) -> list[str]:
    """``count`` sentences of made-up Latin-script words (syllables of a few letters), reproducible by seed."""
    rng = random.Random(seed)
    syllables = [c + v for c in _CONSONANTS for v in _VOWELS]
    syllables += [c + v + "n" for c in _CONSONANTS for v in _VOWELS[:5]]

    def word() -> str:
        return "".join(rng.choice(syllables) for _syllable in range(rng.randint(1, 4)))

    return [
        " ".join(word() for _word in range(rng.randint(min_words, max_words)))
        for _sentence in range(count)
    ]


def language_token(code: str) -> str:
    """The M2M100-style token that names a language in the tiny multilingual models: ``__th__``."""
    return f"__{code}__"


class _SpecConverter(Converter):
    """Hands an already-filled model specification to CTranslate2's converter, which validates,
    aliases shared weights, quantises and writes it."""

    def __init__(self, spec: transformer_spec.TransformerSpec) -> None:
        self._spec = spec

    def _load(self) -> transformer_spec.TransformerSpec:
        return self._spec


def train_sentencepiece(
    sentences: Iterable[str],
    *,
    vocab_size: int,
    symbols: Sequence[str] = (),
    model_type: str = "unigram",
) -> bytes:
    """A SentencePiece model trained in memory; ``vocab_size`` is an upper bound on small corpora."""
    corpus = [sentence for sentence in sentences if sentence.strip()]
    if not corpus:
        raise ValueError("SentencePiece needs at least one non-blank sentence to train on.")
    required = len(set("".join(corpus))) + len(symbols) + 8
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus),
        model_writer=model,
        vocab_size=max(vocab_size, required),
        hard_vocab_limit=False,
        model_type=model_type,
        character_coverage=1.0,
        user_defined_symbols=list(symbols),
        minloglevel=2,
        num_threads=1,
    )
    return model.getvalue()


def _vocabulary(model: bytes) -> list[str]:
    processor = sentencepiece.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(piece) for piece in range(processor.get_piece_size())]


def _random_spec(
    vocabulary: list[str],
    *,
    d_model: int,
    layers: int,
    heads: int,
    ffn_size: int,
    seed: int,
    suppressed: Sequence[str],
) -> transformer_spec.TransformerSpec:
    """A post-norm Transformer (the Marian / OPUS-MT layout) with every weight drawn at random.

    Source and target embeddings share one matrix, as in OPUS-MT models with a shared vocabulary; the output
    projection has its own (with random weights, tying it to the embeddings makes the decoder repeat one
    token forever). Position encodings are left to CTranslate2's built-in sinusoidal table.
    """
    if d_model % heads:
        raise ValueError("d_model must be a multiple of heads.")
    rng = np.random.default_rng(seed)
    size = len(vocabulary)
    spec = transformer_spec.TransformerSpec.from_config((layers, layers), heads, pre_norm=False)

    def linear(layer: Any, outputs: int, inputs: int) -> None:
        layer.weight = rng.standard_normal((outputs, inputs), dtype=np.float32) / np.sqrt(inputs)
        layer.bias = np.zeros(outputs, dtype=np.float32)

    def norm(layer: Any) -> None:
        layer.gamma = np.ones(d_model, dtype=np.float32)
        layer.beta = np.zeros(d_model, dtype=np.float32)

    def attention(layer: Any, *, self_attention: bool) -> None:
        norm(layer.layer_norm)
        if self_attention:
            linear(layer.linear[0], 3 * d_model, d_model)
            linear(layer.linear[1], d_model, d_model)
        else:
            linear(layer.linear[0], d_model, d_model)
            linear(layer.linear[1], 2 * d_model, d_model)
            linear(layer.linear[2], d_model, d_model)

    def feed_forward(layer: Any) -> None:
        norm(layer.layer_norm)
        linear(layer.linear_0, ffn_size, d_model)
        linear(layer.linear_1, d_model, ffn_size)

    embeddings = rng.standard_normal((size, d_model), dtype=np.float32)
    spec.encoder.embeddings[0].weight = embeddings
    spec.encoder.scale_embeddings = False
    for layer in spec.encoder.layer:
        attention(layer.self_attention, self_attention=True)
        feed_forward(layer.ffn)
    spec.decoder.embeddings.weight = embeddings
    spec.decoder.scale_embeddings = False
    for layer in spec.decoder.layer:
        attention(layer.self_attention, self_attention=True)
        attention(layer.attention, self_attention=False)
        feed_forward(layer.ffn)
    spec.decoder.projection.weight = rng.standard_normal((size, d_model), dtype=np.float32)
    bias = np.zeros(size, dtype=np.float32)
    for token in suppressed:
        if token in vocabulary:
            bias[vocabulary.index(token)] = -1000.0
    spec.decoder.projection.bias = bias
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    return spec


def build_tiny_model(
    folder: Path | str,
    *,
    sentences: Sequence[str],
    source_lang: str = "th",
    target_lang: str = "en",
    languages: Sequence[str] = (),
    kind: str = "pair",
    name: str | None = None,
    vocab_size: int = 128,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn_size: int | None = None,
    seed: int = 0,
    quantization: str = "int8",
    tokenizer_type: str = "unigram",
    licence: str = "CC0-1.0",
) -> Path:
    """Build a random-weight CTranslate2 model with SentencePiece tokenizers and a manifest in ``folder``.

    ``kind="pair"``: translates ``source_lang`` → ``target_lang``, with ``source.spm`` and ``target.spm``.
    ``kind="multilingual"``: translates among ``languages`` with one ``sentencepiece.model`` and
    M2M100-style language tokens (``__th__``) marking the input and forcing the output language.
    ``folder`` must not exist or be empty. Returns ``folder``.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty.")
    if kind == "pair":
        codes = [source_lang, target_lang]
    elif kind == "multilingual":
        codes = list(dict.fromkeys(languages))
        if len(codes) < 2:
            raise ValueError("A multilingual model needs at least two languages.")
    else:
        raise ValueError('kind must be "pair" or "multilingual".')
    for code in codes:
        if code not in LANGUAGES:
            raise ValueError(f"{code} is not a harbor language.")
    symbols = [language_token(code) for code in codes] if kind == "multilingual" else []
    if kind == "pair":
        tokenizers = {
            "source.spm": train_sentencepiece(
                sentences, vocab_size=vocab_size, model_type=tokenizer_type
            ),
            "target.spm": train_sentencepiece(
                sentences, vocab_size=vocab_size, model_type=tokenizer_type
            ),
        }
        source_file, target_file = "source.spm", "target.spm"
    else:
        tokenizers = {
            "sentencepiece.model": train_sentencepiece(
                sentences, vocab_size=vocab_size, symbols=symbols, model_type=tokenizer_type
            )
        }
        source_file = target_file = "sentencepiece.model"
    vocabulary = _vocabulary(tokenizers[source_file])
    if _vocabulary(tokenizers[target_file]) != vocabulary:
        raise ValueError("The source and target tokenizers must share one vocabulary.")
    spec = _random_spec(
        vocabulary,
        d_model=d_model,
        layers=layers,
        heads=heads,
        ffn_size=ffn_size or 4 * d_model,
        seed=seed,
        suppressed=["<unk>", "<s>", "</s>", *symbols],
    )
    _SpecConverter(spec).convert(str(folder), quantization=quantization, force=True)
    for file_name, model in tokenizers.items():
        (folder / file_name).write_bytes(model)
    manifest: dict[str, Any] = {
        "name": name or (f"tiny-{source_lang}-{target_lang}" if kind == "pair" else "tiny-mul"),
        "kind": kind,
    }
    if kind == "pair":
        manifest["pairs"] = [[source_lang, target_lang]]
        manifest["tokenizer"] = {
            "type": "sentencepiece",
            "source": source_file,
            "target": target_file,
        }
    else:
        manifest["languages"] = codes
        manifest["tokenizer"] = {"type": "sentencepiece", "model": source_file}
        manifest["source_prefix"] = {code: language_token(code) for code in codes}
        manifest["target_prefix"] = {code: language_token(code) for code in codes}
    manifest.update(
        {
            "quantisation": quantization,
            "licence": licence,
            "source": f"random weights (harbor.language.testing.build_tiny_model, seed {seed})",
        }
    )
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return folder


def all_sample_sentences() -> list[str]:
    """Every sample sentence, in every language: enough to train a tiny shared tokenizer."""
    return [sentence for sentences in SAMPLE_SENTENCES.values() for sentence in sentences]
