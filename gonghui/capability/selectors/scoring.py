"""Capability scores from the indicators of the work (ARCHITECTURE rule 4).

For each cadre and each capability of a framework version:

1. **Values.** Every mapped indicator is computed for all the cadres at once with its app's
   set-based `values_for` (keyed by the cadre's account; a cadre without an account has no work
   records, so no values).
2. **Normalised score (0–100).** *Target:* `min(value / target, 1) × 100` when higher is better,
   `min(target / value, 1) × 100` when lower is better (a value of 0 then scores 100); negative
   values score 0. *Percentile:* the cadre's percentile rank among the active cadres whose home
   unit is of the same kind (grassroots with grassroots, districts with districts), within the
   framework owner's subtree (the national default: within the cadre's top-level unit) —
   `100 × (worse + ½ × equal) / n`, where `equal` counts the cadre too: alone in the group, or
   level with everybody, a cadre scores 50.
3. **Capability score.** The weighted mean of the normalised scores of the indicators that have a
   value. An indicator without a value (a median of no applications, an indicator whose app is
   not installed) drops out and the other weights count in proportion; a count of 0 is a value.
   No value at all — or no indicator mapped — gives None: the page says "暂无工作数据", never a
   made-up number.
4. **Level.** 1–5 from the score by `choices.LEVEL_FLOORS`.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from gonghui.capability.choices import Normalisation, level_for
from gonghui.capability.models import Cadre, Framework, FrameworkCapability, IndicatorMapping
from gonghui.capability.selectors.frameworks import with_contents
from gonghui.core.indicators import Indicator, batches, discover
from gonghui.core.scoping import subtree_q

Number = int | float
TOP_LEVEL_CHARS = 4  # OrgUnit.steplen: the path of a root unit


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    indicator: Indicator | None  # None: no installed app declares this code
    weight: int
    normalisation: str
    target: float | None
    value: Number | None
    score: float | None


@dataclass(frozen=True)
class CapabilityScore:
    code: str
    name: str
    target_level: int
    score: float | None
    level: int | None
    indicators: tuple[IndicatorScore, ...]

    @property
    def has_data(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class _Cadre:
    pk: int
    user_id: int | None
    kind: str
    path: str


def target_score(value: Number, target: float, higher_is_better: bool) -> float:
    if value < 0:
        return 0.0
    if higher_is_better:
        return min(value / target, 1.0) * 100 if target > 0 else 100.0
    if value == 0:
        return 100.0
    return min(target / value, 1.0) * 100


def percentile_score(value: Number, ordered: list[Number], higher_is_better: bool) -> float:
    """Percentile rank of `value` in `ordered` (sorted, containing `value`), ties counting half."""
    n = len(ordered)
    below = bisect.bisect_left(ordered, value)
    above = n - bisect.bisect_right(ordered, value)
    equal = n - below - above
    worse = below if higher_is_better else above
    return 100 * (worse + 0.5 * equal) / n


def _load_cadres(ids: Iterable[int]) -> dict[int, _Cadre]:
    found: dict[int, _Cadre] = {}
    for batch in batches(ids):
        rows = Cadre.objects.filter(pk__in=batch).values_list("pk", "user_id", "org_unit__kind", "unit_path")
        found.update({pk: _Cadre(pk, user, kind, path) for pk, user, kind, path in rows})
    return found


def _peers(framework: Framework, cadres: dict[int, _Cadre]) -> dict[int, _Cadre]:
    """The active cadres percentile ranks compare with: same kinds of unit, in the framework's area."""
    kinds = {c.kind for c in cadres.values()}
    if framework.owner_id is not None:
        areas = [framework.owner.path]
    else:
        areas = sorted({c.path[:TOP_LEVEL_CHARS] for c in cadres.values()})
    query = Q()
    for path in areas:
        query |= subtree_q("unit_path", path)
    rows = Cadre.objects.filter(query, active=True, org_unit__kind__in=kinds).values_list(
        "pk", "user_id", "org_unit__kind", "unit_path"
    )
    return {pk: _Cadre(pk, user, kind, path) for pk, user, kind, path in rows}


def _values(indicator: Indicator, people: dict[int, _Cadre], start: date, end: date) -> dict[int, Number | None]:
    """The indicator by cadre id (computed by account id, set-based)."""
    users = [c.user_id for c in people.values() if c.user_id is not None]
    by_user = indicator.values_for(users, start, end) if users else {}
    return {pk: (by_user.get(c.user_id) if c.user_id is not None else None) for pk, c in people.items()}


def capability_scores(
    framework: Framework, cadre_ids: Iterable[int], start: date, end: date, *, indicators=None
) -> dict[int, dict[str, CapabilityScore]]:
    """Per cadre (by id), per capability code (in the framework's order): the scores of the period."""
    indicators = discover() if indicators is None else indicators
    framework = with_contents(Framework.objects.filter(pk=framework.pk).select_related("owner")).get()
    capabilities: list[FrameworkCapability] = list(framework.capabilities.all())
    mappings: list[IndicatorMapping] = [m for c in capabilities for m in c.mappings.all()]
    cadres = _load_cadres(cadre_ids)
    percentile_codes = {m.indicator for m in mappings if m.normalisation == Normalisation.PERCENTILE}
    peers = {**_peers(framework, cadres), **cadres} if percentile_codes and cadres else cadres

    values: dict[str, dict[int, Number | None]] = {}
    ranks: dict[tuple[str, str], list[Number]] = {}
    for code in dict.fromkeys(m.indicator for m in mappings):
        indicator = indicators.get(code)
        if indicator is None:
            continue
        people = peers if code in percentile_codes else cadres
        values[code] = _values(indicator, people, start, end)
        if code in percentile_codes:
            grouped: dict[str, list[Number]] = defaultdict(list)
            for pk, value in values[code].items():
                if value is not None:
                    grouped[people[pk].kind].append(value)
            for kind, found in grouped.items():
                ranks[(code, kind)] = sorted(found)

    result: dict[int, dict[str, CapabilityScore]] = {}
    for pk, cadre in cadres.items():
        per_capability = {}
        for capability in capabilities:
            scored = []
            for mapping in capability.mappings.all():
                indicator = indicators.get(mapping.indicator)
                value = values.get(mapping.indicator, {}).get(pk)
                score = None
                if value is not None and indicator is not None:
                    if mapping.normalisation == Normalisation.TARGET and mapping.target is not None:
                        score = target_score(value, mapping.target, indicator.higher_is_better)
                    elif mapping.normalisation == Normalisation.PERCENTILE:
                        ordered = ranks[(mapping.indicator, cadre.kind)]
                        score = percentile_score(value, ordered, indicator.higher_is_better)
                scored.append(
                    IndicatorScore(
                        mapping.indicator,
                        indicator,
                        mapping.weight,
                        mapping.normalisation,
                        mapping.target,
                        value,
                        score,
                    )
                )
            counted = [s for s in scored if s.score is not None]
            weights = sum(s.weight for s in counted)
            total = round(sum(s.weight * s.score for s in counted) / weights, 1) if weights else None
            per_capability[capability.code] = CapabilityScore(
                capability.code, capability.name, capability.target_level, total, level_for(total), tuple(scored)
            )
        result[pk] = per_capability
    return result
