"""Facet values as index tokens: ``name=value`` with the value percent-encoded.

One string per document (``SearchDocument.facet_terms``) holds every facet value of the document. The same
tokens filter inside the full-text match on SQLite and through an array column on PostgreSQL, and facet
counts decode them. Percent-encoding keeps each value one token (no spaces, no quotes) and distinct: a
value can never run into the next one, and ``zh`` is never a prefix match of ``zh-hans``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote, unquote

VALUE_LENGTH = 60


# Characters ``quote`` leaves as they are: values made only of them need no encoding.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def facet_token(name: str, value: object) -> str:
    """The token of one facet value (values are cut to ``VALUE_LENGTH`` characters, as stored)."""
    return _token(name, str(value)[:VALUE_LENGTH])


@lru_cache(maxsize=65536)
def _token(name: str, text: str) -> str:
    """Remembered: kinds, countries, languages and topics repeat across documents."""
    if _UNRESERVED.fullmatch(text) is None:
        text = quote(text, safe="")
    return f"{name}={text}"


def facet_terms(facets: dict[str, list[str]]) -> str:
    """Every value of every facet as one space-separated string, each value once."""
    tokens = (facet_token(name, value) for name, values in facets.items() for value in values)
    return " ".join(dict.fromkeys(tokens))


def count_facets(
    strings: Iterable[str], names: Iterable[str], limit: int
) -> dict[str, list[tuple[str, int]]]:
    """Per facet name, its values among the given documents with how many hold each.

    Most frequent first, ties by value, at most ``limit`` values per name. Many documents share the
    same string, so equal strings are counted first, then each distinct string is split once; the
    tokens are split by name afterwards, once per distinct token.
    """
    counters: dict[str, Counter[str]] = {name: Counter() for name in names}
    tokens: Counter[str] = Counter()
    for string, documents in Counter(strings).items():
        for token in string.split():
            tokens[token] += documents
    for token, count in tokens.items():
        name, _sep, value = token.partition("=")
        if name in counters:
            counters[name][unquote(value)] += count
    return {
        name: sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
        for name, counter in counters.items()
    }
