"""Comparing two versions of a record field by field; texts compared line by line per language."""

from __future__ import annotations

import difflib
from typing import Any


def _text_diff(before: str, after: str) -> list[str]:
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
    return [line for line in list(lines)[2:] if not line.startswith("@@")]


def compare_snapshots(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields that differ, with old and new values; language maps also carry a per-language text diff."""
    changes: list[dict[str, Any]] = []
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        change: dict[str, Any] = {"field": field, "before": old, "after": new}
        if (
            isinstance(old, dict)
            and isinstance(new, dict)
            and field in ("title", "summary", "body")
        ):
            change["text_diff"] = {
                language: _text_diff(str(old.get(language, "")), str(new.get(language, "")))
                for language in sorted(set(old) | set(new))
                if old.get(language) != new.get(language)
            }
        changes.append(change)
    return changes
