"""Demo data loaders: each app registers one; ``harbor demo`` runs them in order. All are idempotent."""

from __future__ import annotations

from collections.abc import Callable

DemoLoader = Callable[[], list[str]]
_LOADERS: list[tuple[int, str, DemoLoader]] = []

DEMO_PASSWORD = "harbor-demo-2026"


def demo_loader(name: str, *, order: int = 100) -> Callable[[DemoLoader], DemoLoader]:
    """Register ``loader``; it returns lines to print (for example the demo accounts)."""

    def register(loader: DemoLoader) -> DemoLoader:
        if all(existing != name for _o, existing, _l in _LOADERS):
            _LOADERS.append((order, name, loader))
        return loader

    return register


def demo_loaders() -> list[tuple[str, DemoLoader]]:
    return [(name, loader) for _order, name, loader in sorted(_LOADERS, key=lambda item: item[:2])]
