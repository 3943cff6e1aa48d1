"""What can be (re)indexed: apps register a source with a way to list ids and index a batch of them.

The search app never imports the apps it indexes; they register here from their ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harbor.search.services import IndexDocument


@dataclass(frozen=True)
class IndexSource:
    """``ids_after(last, limit)``: the next ids in ascending order; ``documents(ids)``: the documents of
    those objects that still exist, in the same order; ``count()``: how many objects there are."""

    name: str
    ids_after: Callable[[int, int], list[int]]
    documents: Callable[[list[int]], list[IndexDocument]]
    count: Callable[[], int]


_SOURCES: dict[str, IndexSource] = {}


def register_source(source: IndexSource) -> None:
    _SOURCES[source.name] = source


def sources() -> dict[str, IndexSource]:
    return dict(_SOURCES)
