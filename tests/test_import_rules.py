"""The import rules of docs/ARCHITECTURE.md, checked on the source of every module under harbor/.

- ``core`` and ``reference`` import no domain app (nor ``harbor.config``, which wires the domain apps
  together; their management commands, which run the assembled project, may use it);
- an app never imports another app's ``views``, ``api`` or ``tasks``;
- there is no import cycle between apps;
- ``sharing`` imports neither ``trade`` nor ``cert``; ``ledger`` imports neither ``orders`` nor ``disputes``;
  ``risk`` and ``credit`` never import another domain app's ``services`` (they read, they do not write).

``harbor.config`` is the composition root and may import anything. Test packages are not checked.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "harbor"
ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / PACKAGE
FOUNDATION = frozenset({"core", "reference"})
COMPOSITION_ROOT = "config"
PRIVATE_MODULES = frozenset({"views", "api", "tasks"})
# Apps that must not know of others at all (DESIGN, "the house").
UNKNOWN_TO = {"sharing": frozenset({"trade", "cert"}), "ledger": frozenset({"orders", "disputes"})}
READ_ONLY_APPS = frozenset({"risk", "credit"})


@dataclass(frozen=True)
class Import:
    """One import statement: the module that imports, the module imported, and where."""

    source: str
    target: str
    location: str


def apps(package_dir: Path = PACKAGE_DIR) -> frozenset[str]:
    """Every subpackage of harbor, the composition root included."""
    return frozenset(
        child.name
        for child in package_dir.iterdir()
        if child.is_dir() and (child / "__init__.py").exists()
    )


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def source_files() -> Iterator[Path]:
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).parts
        if "tests" in parts or "__pycache__" in parts:
            continue
        yield path


def imports_of(path: Path) -> Iterator[Import]:
    """Every harbor module ``path`` imports, at any depth (function-level imports count too)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                targets.append(candidate if is_module(candidate) else base)
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                location = f"{path.relative_to(ROOT)}:{node.lineno}"
                yield Import(module, target, location)


def all_imports() -> list[Import]:
    return [found for path in source_files() for found in imports_of(path)]


def app_of(dotted: str, known_apps: frozenset[str]) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in known_apps else None


def foundation_violations(imports: Iterable[Import], known_apps: frozenset[str]) -> list[str]:
    """core and reference import no domain app, and harbor.config only from management commands."""
    found: list[str] = []
    for item in imports:
        source_app = app_of(item.source, known_apps)
        target_app = app_of(item.target, known_apps)
        if source_app not in FOUNDATION or target_app is None or target_app == source_app:
            continue
        if target_app in FOUNDATION:
            continue
        if target_app == COMPOSITION_ROOT and ".management.commands." in item.source:
            continue
        line = f"{item.location}: {item.source} imports {item.target}"
        if line not in found:
            found.append(line)
    return found


def private_module_violations(imports: Iterable[Import], known_apps: frozenset[str]) -> list[str]:
    """No app imports another domain app's views, api or tasks (core and reference are open to all)."""
    found: list[str] = []
    for item in imports:
        source_app = app_of(item.source, known_apps)
        target_app = app_of(item.target, known_apps)
        if source_app in (None, COMPOSITION_ROOT) or target_app in (None, source_app):
            continue
        if target_app in FOUNDATION or target_app == COMPOSITION_ROOT:
            continue
        parts = item.target.split(".")
        line = f"{item.location}: {item.source} imports {item.target}"
        if len(parts) > 2 and parts[2] in PRIVATE_MODULES and line not in found:
            found.append(line)
    return found


def design_rule_violations(imports: Iterable[Import], known_apps: frozenset[str]) -> list[str]:
    """sharing knows nothing of trade or cert, ledger nothing of orders or disputes; risk and credit only read."""
    found: list[str] = []
    for item in imports:
        source_app = app_of(item.source, known_apps)
        target_app = app_of(item.target, known_apps)
        if source_app is None or target_app is None or source_app == target_app:
            continue
        parts = item.target.split(".")
        forbidden = target_app in UNKNOWN_TO.get(source_app, frozenset())
        writes = (
            source_app in READ_ONLY_APPS
            and target_app not in FOUNDATION
            and len(parts) > 2
            and parts[2] == "services"
        )
        line = f"{item.location}: {item.source} imports {item.target}"
        if (forbidden or writes) and line not in found:
            found.append(line)
    return found


def app_cycles(imports: Iterable[Import], known_apps: frozenset[str]) -> list[str]:
    """Each cycle in the app graph once, as ``a → b → a`` with one import per edge."""
    edges: dict[str, dict[str, str]] = defaultdict(dict)
    for item in imports:
        source_app = app_of(item.source, known_apps)
        target_app = app_of(item.target, known_apps)
        if COMPOSITION_ROOT in (source_app, target_app) or None in (source_app, target_app):
            continue
        if source_app != target_app:
            assert source_app is not None and target_app is not None
            edges[source_app].setdefault(target_app, item.location)
    cycles: list[str] = []
    seen: set[frozenset[str]] = set()

    def visit(app: str, path: list[str]) -> None:
        for following in sorted(edges.get(app, {})):
            if following in path:
                cycle = [*path[path.index(following) :], following]
                members = frozenset(cycle)
                if members not in seen:
                    seen.add(members)
                    via = ", ".join(
                        f"{a} → {b} at {edges[a][b]}" for a, b in itertools.pairwise(cycle)
                    )
                    cycles.append(f"{' → '.join(cycle)} ({via})")
            else:
                visit(following, [*path, following])

    for start in sorted(edges):
        visit(start, [start])
    return cycles


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports()


def test_the_parser_sees_the_imports_between_apps(imports: list[Import]) -> None:
    # A rule checked over no imports would pass whatever the code did.
    known = apps()
    pairs = {(app_of(i.source, known), app_of(i.target, known)) for i in imports}
    assert ("directory", "core") in pairs
    assert ("config", "directory") in pairs


def test_core_and_reference_import_no_domain_app(imports: list[Import]) -> None:
    assert foundation_violations(imports, apps()) == []


def test_no_app_imports_another_apps_views_api_or_tasks(imports: list[Import]) -> None:
    assert private_module_violations(imports, apps()) == []


def test_apps_keep_to_the_design_rules_on_who_knows_whom(imports: list[Import]) -> None:
    assert design_rule_violations(imports, apps()) == []


def test_there_is_no_import_cycle_between_apps(imports: list[Import]) -> None:
    assert app_cycles(imports, apps()) == []


KNOWN = frozenset(
    {
        "core",
        "reference",
        "config",
        "directory",
        "sharing",
        "trade",
        "cert",
        "ledger",
        "orders",
        "risk",
    }
)


@pytest.mark.parametrize(
    ("source", "target", "breaks_rule"),
    [
        ("harbor.core.audit", "harbor.directory.models", True),
        ("harbor.reference.services", "harbor.trade.selectors", True),
        ("harbor.core.views", "harbor.config.api", True),
        ("harbor.core.management.commands.openapi", "harbor.config.api", False),
        ("harbor.core.audit", "harbor.reference.models", False),
        ("harbor.directory.services", "harbor.core.audit", False),
    ],
)
def test_foundation_rule_on_known_cases(source: str, target: str, breaks_rule: bool) -> None:
    found = foundation_violations([Import(source, target, "x.py:1")], KNOWN)
    assert bool(found) is breaks_rule


@pytest.mark.parametrize(
    ("source", "target", "breaks_rule"),
    [
        ("harbor.trade.services", "harbor.sharing.tasks", True),
        ("harbor.trade.views", "harbor.directory.views", True),
        ("harbor.trade.services", "harbor.directory.api", True),
        ("harbor.trade.services", "harbor.sharing.services", False),
        ("harbor.trade.services", "harbor.trade.tasks", False),
        ("harbor.config.api", "harbor.directory.api", False),
        ("harbor.directory.api", "harbor.core.api", False),
    ],
)
def test_private_module_rule_on_known_cases(source: str, target: str, breaks_rule: bool) -> None:
    found = private_module_violations([Import(source, target, "x.py:1")], KNOWN)
    assert bool(found) is breaks_rule


@pytest.mark.parametrize(
    ("source", "target", "breaks_rule"),
    [
        ("harbor.sharing.services", "harbor.trade.models", True),
        ("harbor.sharing.policy", "harbor.cert.choices", True),
        ("harbor.ledger.services", "harbor.orders.models", True),
        ("harbor.risk.scoring", "harbor.ledger.services", True),
        ("harbor.risk.scoring", "harbor.ledger.selectors", False),
        ("harbor.trade.services", "harbor.sharing.services", False),
        ("harbor.orders.services", "harbor.ledger.services", False),
    ],
)
def test_design_rules_on_known_cases(source: str, target: str, breaks_rule: bool) -> None:
    found = design_rule_violations([Import(source, target, "x.py:1")], KNOWN)
    assert bool(found) is breaks_rule


def test_cycle_rule_names_the_cycle_and_its_imports() -> None:
    given = [
        Import("harbor.trade.services", "harbor.sharing.services", "harbor/trade/services.py:3"),
        Import("harbor.sharing.models", "harbor.trade.models", "harbor/sharing/models.py:7"),
        Import("harbor.trade.models", "harbor.core.models", "harbor/trade/models.py:1"),
    ]
    assert app_cycles(given, KNOWN) == [
        "sharing → trade → sharing (sharing → trade at harbor/sharing/models.py:7, "
        "trade → sharing at harbor/trade/services.py:3)"
    ]
