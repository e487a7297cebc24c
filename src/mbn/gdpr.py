"""Personal data held about a person, section by section: each app registers how to export and erase its own.

Apps register in their AppConfig.ready(); the directory's services collect every section for an access
request (RGPD art. 15) and run every eraser for an erasure (art. 17). An app whose records must be kept by
law (report cards, audit rows) says so in its section's `retention` note and pseudonymises instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PersonalDataSection:
    title: str  # French, shown to the person
    records: list[dict[str, Any]] = field(default_factory=list)
    retention: str = ""  # French: what is kept after erasure, and why


Exporter = Callable[[int], PersonalDataSection]
Eraser = Callable[[int], int]


@dataclass(frozen=True)
class _Registration:
    export: Exporter
    erase: Eraser


_REGISTRY: dict[str, _Registration] = {}


def register(name: str, *, export: Exporter, erase: Eraser) -> None:
    """Declare one app's personal data (called once, from AppConfig.ready)."""
    _REGISTRY[name] = _Registration(export=export, erase=erase)


def sections_for(person_id: int) -> list[PersonalDataSection]:
    """Every registered section about a person of the current school."""
    return [registration.export(person_id) for registration in _REGISTRY.values()]


def erase_all(person_id: int) -> dict[str, int]:
    """Run every eraser for a person of the current school; rows changed, per section."""
    return {name: registration.erase(person_id) for name, registration in _REGISTRY.items()}


def registered() -> list[str]:
    return sorted(_REGISTRY)
