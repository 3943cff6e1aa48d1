"""What can be (re)indexed: apps register a source with a way to list ids and index a batch of them.

The search app never imports the apps it indexes; they register here from their ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class IndexSource:
    name: str
    ids_after: Callable[[int, int], list[int]]
    index_ids: Callable[[Iterable[int]], int]
    count: Callable[[], int]


_SOURCES: dict[str, IndexSource] = {}


def register_source(source: IndexSource) -> None:
    _SOURCES[source.name] = source


def sources() -> dict[str, IndexSource]:
    return dict(_SOURCES)
