"""Demo data of the language services: the bundled trade and ICT glossary."""

from __future__ import annotations

from harbor.core.demo import demo_loader
from harbor.language.glossary import load_glossary


@demo_loader("glossary", order=15)
def load_demo_glossary() -> list[str]:
    """Load the bundled glossary; concepts edited on the platform are kept as they are."""
    report = load_glossary()
    return [
        f"Glossary: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.kept} kept as edited."
    ]
