"""Cutting a text into sentences for translation, and putting the translations back in its layout.

Translation models are trained on single sentences: a paragraph sent whole is translated badly or cut
short. A text is cut at line breaks and after sentence-final punctuation (Latin, CJK, Burmese and Khmer)
followed by white space; Thai and Lao mark no sentence end, so their lines are kept whole. The white space
between segments is kept as it was, so ``join_segments(*split_segments(text)) == text`` always holds.
"""

from __future__ import annotations

import re

# After ".", "!", "?", "…", Burmese "။" or Khmer "។ ៕", a sentence ends only where white space follows
# ("3.5 kg" and "www.example.org" stay whole); after a CJK full stop it ends at once.
_BOUNDARY = re.compile(r"(?<=[.!?…။។៕])[ \t\u00a0\u3000]+|(?<=[。！？])[ \t\u3000]*|[ \t]*\r?\n\s*")


def split_segments(text: str) -> tuple[list[str], list[str]]:
    """The sentences of ``text`` (stripped, never empty) and the glue around them.

    ``glue`` has one more item than ``segments``: text = glue[0] + segments[0] + glue[1] + … + glue[-1].
    """
    segments: list[str] = []
    glue: list[str] = []
    pending = ""
    position = 0
    bounds = [(match.start(), match.end()) for match in _BOUNDARY.finditer(text)]
    bounds.append((len(text), len(text)))
    for start, end in bounds:
        chunk = text[position:start]
        stripped = chunk.strip()
        if stripped:
            leading = chunk[: len(chunk) - len(chunk.lstrip())]
            trailing = chunk[len(chunk.rstrip()) :]
            glue.append(pending + leading)
            segments.append(stripped)
            pending = trailing
        else:
            pending += chunk
        pending += text[start:end]
        position = end
    glue.append(pending)
    return segments, glue


def join_segments(segments: list[str], glue: list[str]) -> str:
    """The inverse of ``split_segments``: translated segments put back between the original glue."""
    parts = [glue[0]]
    for segment, after in zip(segments, glue[1:], strict=True):
        parts.append(segment)
        parts.append(after)
    return "".join(parts)
