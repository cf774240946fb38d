"""Indicators of cadre work, declared where the work is (ARCHITECTURE rule 4).

Each domain app lists in its `indicators.py` a tuple `INDICATORS` of `Indicator`s: a measure of a
cadre's work in a period, tied to one capability (a line of work), with a unit and a direction.
`discover()` collects them from every installed app, the way the admin finds `admin.py`, so the
capability app never reaches into another app's tables.

Every indicator is computed set-based: `values_for(cadre_ids, start, end)` answers for many cadres
with a few grouped queries (the capability app computes thousands at once); `value(cadre, …)` is
the same for one. Periods are inclusive calendar dates (Asia/Shanghai). A value is None where the
measure has nothing to measure (a median of no applications), never 0 by default.

An indicator may also say where its records are: `evidence(cadre_id, start, end)` returns the URL
of a list of the records behind one cadre's value (the app's own list, filtered), or None. The
capability file links each value to it, so every score can be opened down to the work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from gonghui.core.choices import LineOfWork

Number = int | float
ValuesFor = Callable[[Sequence[int], date, date], dict[int, Number | None]]
Evidence = Callable[[int, date, date], str | None]
BATCH = 2000  # ids per IN (…) list: well inside every database's limit on parameters


@dataclass(frozen=True)
class Indicator:
    code: str  # "<capability>.<measure>", e.g. "organize.members_recruited"
    label: Any  # lazy translated text
    unit: Any  # what a value counts: people, %, hours …
    capability: str  # a LineOfWork value
    values_for: ValuesFor
    higher_is_better: bool = True
    description: Any = ""
    evidence: Evidence | None = None  # (cadre id, start, end) -> URL of the records, or None

    def __post_init__(self):
        if self.capability not in LineOfWork.values:
            raise ValueError(f"{self.code}: unknown capability {self.capability!r}")
        if not self.code.startswith(f"{self.capability}."):
            raise ValueError(f"{self.code}: the code starts with its capability")

    def value(self, cadre, start: date, end: date) -> Number | None:
        """The indicator for one cadre (a user) in the period."""
        return self.values_for([cadre.pk], start, end).get(cadre.pk)

    def evidence_url(self, cadre_id: int, start: date, end: date) -> str | None:
        """Where the records behind one cadre's value are listed (None if the app offers no list)."""
        return self.evidence(cadre_id, start, end) if self.evidence is not None else None


def batches(ids: Iterable[int]) -> Iterator[list[int]]:
    """The ids in slices small enough for one IN (…) list."""
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def discover() -> dict[str, Indicator]:
    """Every installed app's indicators by code (apps without an `indicators` module have none)."""
    found: dict[str, Indicator] = {}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "indicators"):
            continue
        module = import_module(f"{config.name}.indicators")
        for indicator in getattr(module, "INDICATORS", ()):
            if indicator.code in found:
                raise ValueError(f"indicator {indicator.code} is declared twice")
            found[indicator.code] = indicator
    return found
