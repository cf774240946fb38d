"""Assessment cycles: create, open, rate, answer the worker survey, compute, calibrate, publish.

Rules (documented here because the pages and the tests rely on them):

* **Who manages a cycle.** Administrators of the owner federation (`may_edit_framework`).
* **Weights.** Five whole percentages (self, superior, peers, workers, indicators) adding up to
  exactly 100; anything else is refused.
* **Opening** freezes the framework version (`status = frozen`): results stay explainable, and
  the framework services refuse every edit of a non-draft version. The participants are the
  active cadres whose home unit lies in the cycle's subtree. Rater assignments:
  - *self*: the cadre, when they have an account;
  - *superior*: the cadres holding a current post of chair or vice-chair (主席/副主席) in the
    parent unit of the cadre's home unit (the simplest rule that matches 上级评价);
  - *peers* (同级互评): the other participants whose home unit is the same unit or a sibling
    unit (same parent). A rater is never their own peer or superior (refused);
  - *workers*: no assignment — a survey link per participant (see `survey_answer`).
  Raters without an account cannot answer and get no assignment.
* **Scores.** Per capability and rater kind, the mean rating (1–5) becomes 0–100 by
  `(mean − 1) / 4 × 100`. Peers count only when at least `ANONYMITY_MIN` (3) peers submitted;
  worker feedback only with at least 3 answers for that capability (survey answers pooled, for
  `protect`, with the stars of the rights line's service ratings of cases the cadre closed and
  that were rated in the period). The indicator kind is the work-data score of
  `selectors.scoring.capability_scores`. A kind without a value drops out and its weight is
  spread over the other kinds in proportion to their weights: score = Σ wₖ·sₖ / Σ wₖ over the kinds
  with a value. The overall score is the mean of the five capability scores (calibrated where
  the federation calibrated) that have one.
* **Publishing** ends the cycle: afterwards every change is refused with a message.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.capability.choices import FrameworkStatus, Position, level_for
from gonghui.capability.models import (
    Cadre,
    CadrePost,
    Cycle,
    CycleStatus,
    Framework,
    Participant,
    RaterAssignment,
    RaterKind,
    Rating,
    Result,
    SurveyAnswer,
)
from gonghui.capability.selectors.frameworks import IN_FORCE, framework_in_force, may_edit_framework
from gonghui.capability.selectors.scoring import capability_scores
from gonghui.core.audit import audit_record
from gonghui.core.choices import AuditAction
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import subtree_q
from gonghui.lib.crypto import blind_index

ANONYMITY_MIN = 3  # peers (and worker answers) count only from this many on
SCALE = (1, 2, 3, 4, 5)
SUPERIOR_POSITIONS = (Position.CHAIR, Position.VICE_CHAIR)
TOKEN_SIG_CHARS = 16
KIND_ORDER = [k.value for k in RaterKind]


# --- helpers ----------------------------------------------------------------------------------------


def may_manage_cycle(user, cycle_or_unit) -> bool:
    unit = cycle_or_unit.org_unit if isinstance(cycle_or_unit, Cycle) else cycle_or_unit
    return may_edit_framework(user, unit)


def _require_manager(actor, unit: OrgUnit) -> None:
    if not may_manage_cycle(actor, unit):
        raise PermissionDenied


def _locked(cycle: Cycle) -> Cycle:
    return Cycle.objects.select_for_update(of=("self",)).select_related("org_unit", "framework").get(pk=cycle.pk)


def _require_status(cycle: Cycle, *allowed: str) -> None:
    if cycle.status in allowed:
        return
    if cycle.status == CycleStatus.PUBLISHED:
        raise ValidationError(_("This cycle is published: its ratings and results can no longer be changed."))
    raise ValidationError(
        _("This cannot be done while the cycle is %(status)s.") % {"status": cycle.get_status_display()}
    )


def clean_weights(weights: dict[str, int]) -> dict[str, int]:
    """The five weights, whole percentages adding up to 100; else ValidationError."""
    kinds = [RaterKind.SELF, RaterKind.SUPERIOR, RaterKind.PEER, RaterKind.WORKER, RaterKind.INDICATORS]
    clean = {}
    for kind in kinds:
        value = weights.get(kind, 0)
        if not isinstance(value, int) or not 0 <= value <= 100:
            raise ValidationError(
                _("The weight of %(kind)s must be a whole number from 0 to 100.") % {"kind": RaterKind(kind).label}
            )
        clean[kind] = value
    total = sum(clean.values())
    if total != 100:
        raise ValidationError(
            _("The weights add up to %(total)s %%; they must add up to exactly 100 %%.") % {"total": total}
        )
    return clean


def to_hundred(mean: float) -> float:
    """A mean rating on the 1–5 scale as 0–100."""
    return (mean - 1) / 4 * 100


def combine(kind_scores: dict[str, float | None], weights: dict[str, int]) -> float | None:
    """Weighted mean over the kinds that have a score; a missing kind's weight is spread over the
    others in proportion to theirs. None when no kind with a weight has a score."""
    counted = [(weights.get(kind, 0), score) for kind, score in kind_scores.items() if score is not None]
    total = sum(w for w, _s in counted)
    if not total:
        return None
    return round(sum(w * s for w, s in counted) / total, 1)


def _capability_codes(framework: Framework) -> list[str]:
    return list(framework.capabilities.order_by("order").values_list("code", flat=True))


# --- create, update, open -----------------------------------------------------------------------------


def cycle_create(
    *,
    actor,
    owner: OrgUnit,
    name: str,
    period_start: date,
    period_end: date,
    deadline: date,
    weights: dict[str, int],
    subtree: OrgUnit | None = None,
    framework: Framework | None = None,
) -> Cycle:
    with transaction.atomic():
        _require_manager(actor, owner)
        subtree = subtree or owner
        if not subtree.path.startswith(owner.path):
            raise ValidationError(_("The cadres assessed must belong to %(unit)s.") % {"unit": owner.name})
        if period_end < period_start:
            raise ValidationError(_("The end of the period is before its start."))
        weights = clean_weights(weights)
        framework = framework or framework_in_force(owner)
        if framework is None or framework.status not in IN_FORCE:
            raise ValidationError(_("There is no published capability framework for this unit. Publish one first."))
        cycle = Cycle(
            org_unit=owner,
            subtree=subtree,
            name=" ".join(name.split()),
            period_start=period_start,
            period_end=period_end,
            deadline=deadline,
            framework=framework,
            created_by=actor,
            **{f"weight_{kind}": value for kind, value in weights.items()},
        )
        cycle.full_clean()
        cycle.save()
        audit_record(action=AuditAction.CREATE, actor=actor, obj=cycle)
    return cycle


def cycle_update(*, actor, cycle: Cycle, name: str, deadline: date, weights: dict[str, int] | None = None) -> Cycle:
    """Rename, move the deadline and (while a draft) change the weights."""
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_manager(actor, cycle.org_unit)
        _require_status(cycle, CycleStatus.DRAFT, CycleStatus.OPEN)
        cycle.name, cycle.deadline = " ".join(name.split()), deadline
        fields = ["name", "deadline"]
        if weights is not None:
            if cycle.status != CycleStatus.DRAFT and weights != cycle.weights:
                raise ValidationError(_("The weights can only change before the cycle opens."))
            for kind, value in clean_weights(weights).items():
                setattr(cycle, f"weight_{kind}", value)
                fields.append(f"weight_{kind}")
        cycle.full_clean()
        cycle.save(update_fields=fields)
        RaterAssignment.objects.filter(participant__cycle=cycle, submitted_at__isnull=True).update(due=deadline)
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=cycle, detail={"fields": fields})
    return cycle


def framework_freeze(*, framework: Framework) -> None:
    """Freeze a published version for a cycle (the framework services only know draft → published)."""
    Framework.objects.filter(pk=framework.pk, status=FrameworkStatus.PUBLISHED).update(status=FrameworkStatus.FROZEN)


def _superiors(units: set[str], today: date) -> dict[str, list[int]]:
    """Cadre ids (with accounts) holding a chair/vice-chair post in each of the given unit paths."""
    step = OrgUnit.steplen
    parents = {path[:-step] for path in units if len(path) > step}
    found: dict[str, list[int]] = defaultdict(list)
    if not parents:
        return found
    posts = (
        CadrePost.objects.current(today)
        .filter(unit_path__in=parents, position__in=SUPERIOR_POSITIONS, cadre__active=True, cadre__user__isnull=False)
        .values_list("unit_path", "cadre_id")
        .distinct()
    )
    for path, cadre_id in posts:
        found[path].append(cadre_id)
    return found


def cycle_open(*, actor, cycle: Cycle, today: date | None = None) -> Cycle:
    today = today or timezone.localdate()
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_manager(actor, cycle.org_unit)
        _require_status(cycle, CycleStatus.DRAFT)
        if cycle.deadline < today:
            raise ValidationError(_("The deadline has passed. Move it to a later date first."))
        cadres = list(
            Cadre.objects.filter(subtree_q("unit_path", cycle.subtree.path), active=True)
            .select_related("org_unit")
            .order_by("unit_path", "pk")
        )
        if not cadres:
            raise ValidationError(_("No active cadre has a home unit in %(unit)s.") % {"unit": cycle.subtree.name})
        framework_freeze(framework=cycle.framework)
        participants = Participant.objects.bulk_create(
            Participant(cycle=cycle, cadre=c, org_unit=c.org_unit, unit_path=c.unit_path) for c in cadres
        )
        participants = list(Participant.objects.filter(cycle=cycle).select_related("cadre"))
        step = OrgUnit.steplen
        superiors = _superiors({p.unit_path for p in participants}, today)
        assignments = []
        for p in participants:
            if p.cadre.user_id:
                assignments.append(RaterAssignment(participant=p, rater_id=p.cadre_id, kind=RaterKind.SELF))
            for rater in superiors.get(p.unit_path[:-step], []):
                if rater != p.cadre_id:
                    assignments.append(RaterAssignment(participant=p, rater_id=rater, kind=RaterKind.SUPERIOR))
            for other in participants:
                same_parent = other.unit_path[:-step] == p.unit_path[:-step] and len(other.unit_path) == len(
                    p.unit_path
                )
                if other.pk != p.pk and other.cadre.user_id and same_parent:
                    assignments.append(RaterAssignment(participant=p, rater_id=other.cadre_id, kind=RaterKind.PEER))
        for a in assignments:
            a.due = cycle.deadline
        RaterAssignment.objects.bulk_create(assignments)
        cycle.status, cycle.opened_at = CycleStatus.OPEN, timezone.now()
        cycle.save(update_fields=["status", "opened_at"])
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=cycle,
            detail={"status": "open", "participants": len(participants), "assignments": len(assignments)},
        )
    return cycle


def assignment_add(*, actor, participant: Participant, rater: Cadre, kind: str) -> RaterAssignment:
    """Ask one more rater (e.g. a peer from another unit). A cadre never rates themselves as a peer
    or superior: that is what the self-assessment is for."""
    with transaction.atomic():
        cycle = _locked(participant.cycle)
        _require_manager(actor, cycle.org_unit)
        _require_status(cycle, CycleStatus.DRAFT, CycleStatus.OPEN)
        if kind not in (RaterKind.SUPERIOR, RaterKind.PEER):
            raise ValidationError(_("Only superiors and peers can be added as raters."))
        if rater.pk == participant.cadre_id:
            raise ValidationError(
                _("%(name)s cannot rate themselves as a peer or superior: the self-assessment is for that.")
                % {"name": rater.name}
            )
        if rater.user_id is None:
            raise ValidationError(_("%(name)s has no account and could not answer.") % {"name": rater.name})
        assignment, created = RaterAssignment.objects.get_or_create(
            participant=participant, rater=rater, kind=kind, defaults={"due": cycle.deadline}
        )
        if not created:
            raise ValidationError(_("%(name)s already rates this cadre.") % {"name": rater.name})
        audit_record(action=AuditAction.CREATE, actor=actor, obj=cycle, detail={"assignment": assignment.pk})
    return assignment


# --- rating -------------------------------------------------------------------------------------------


def _clean_scores(codes: list[str], scores: dict[str, object], names: dict[str, str]) -> dict[str, int]:
    clean, errors = {}, []
    for code in codes:
        value = scores.get(code)
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
        if value not in SCALE:
            errors.append(_("%(capability)s: choose a score from 1 to 5.") % {"capability": names.get(code, code)})
        else:
            clean[code] = value
    if errors:
        raise ValidationError(errors)
    return clean


def rating_submit(
    *,
    actor,
    assignment: RaterAssignment,
    scores: dict[str, object],
    comments: dict[str, str] | None = None,
    today: date | None = None,
) -> RaterAssignment:
    """Save the rater's scores (1–5 for every capability of the framework). Until the deadline a
    rater may change their answers; after it, or once the cycle moved on, nothing changes."""
    today = today or timezone.localdate()
    comments = comments or {}
    with transaction.atomic():
        assignment = (
            RaterAssignment.objects.select_for_update(of=("self",))
            .select_related("participant", "rater", "participant__cycle")
            .get(pk=assignment.pk)
        )
        cycle = _locked(assignment.participant.cycle)
        if assignment.rater.user_id is None or assignment.rater.user_id != actor.pk:
            raise PermissionDenied
        _require_status(cycle, CycleStatus.OPEN)
        if today > cycle.deadline:
            raise ValidationError(
                _("The deadline (%(date)s) has passed: ratings are no longer accepted.")
                % {"date": cycle.deadline.isoformat()}
            )
        if assignment.kind != RaterKind.SELF and assignment.rater_id == assignment.participant.cadre_id:
            raise ValidationError(_("You cannot rate yourself as a peer or superior."))
        capabilities = dict(cycle.framework.capabilities.order_by("order").values_list("code", "name"))
        clean = _clean_scores(list(capabilities), scores, capabilities)
        assignment.ratings.all().delete()
        Rating.objects.bulk_create(
            Rating(
                assignment=assignment,
                capability=code,
                score=value,
                comment=(comments.get(code) or "").strip()[:500],
            )
            for code, value in clean.items()
        )
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at"])
    return assignment


# --- the worker survey --------------------------------------------------------------------------------


def _token_signature(pk: int) -> str:
    return blind_index("assessment_survey_link", str(pk))[:TOKEN_SIG_CHARS]


def survey_token(participant: Participant) -> str:
    """The path segment of a participant's survey link: `<id>-<HMAC signature>` (no login)."""
    return f"{participant.pk}-{_token_signature(participant.pk)}"


def participant_for_token(token: str) -> Participant | None:
    match = re.fullmatch(rf"(\d{{1,18}})-([0-9a-f]{{{TOKEN_SIG_CHARS}}})", token or "")
    if not match:
        return None
    pk = int(match.group(1))
    if _token_signature(pk) != match.group(2):
        return None
    return Participant.objects.select_related("cycle", "cycle__framework", "cadre", "org_unit").filter(pk=pk).first()


class SurveyRefused(ValidationError):
    pass


def survey_answer(
    *, participant: Participant, card_no: str, phone: str, scores: dict[str, object], today: date | None = None
) -> SurveyAnswer:
    """A member of the cadre's unit (subtree) answers the survey — once. The member is identified
    by card number and mobile phone (matched through the phone's blind index); the answer keeps
    only a keyed hash of (participant, member)."""
    from gonghui.lib.fields import BlindIndexField
    from gonghui.membership.choices import MemberStatus
    from gonghui.membership.models import Member

    today = today or timezone.localdate()
    with transaction.atomic():
        cycle = Cycle.objects.select_related("framework").get(pk=participant.cycle_id)
        if cycle.status != CycleStatus.OPEN or today > cycle.deadline:
            raise SurveyRefused(_("This survey is closed. Thank you for your interest."))
        card_no = re.sub(r"\s+", "", card_no or "")
        phone = re.sub(r"\s+", "", phone or "")
        member = None
        if card_no and phone:
            try:
                phone_index = BlindIndexField.lookup(Member, "phone_index", phone)
            except ValidationError:
                phone_index = None
            if phone_index:
                member = (
                    Member.objects.under(participant.unit_path)
                    .filter(card_no=card_no, phone_index=phone_index, status=MemberStatus.ACTIVE)
                    .only("pk")
                    .first()
                )
        if member is None:
            raise ValidationError(
                _(
                    "No active member of %(unit)s has this card number and mobile phone. "
                    "Check both; the card number is on your member card."
                )
                % {"unit": participant.org_unit.name}
            )
        key = blind_index("assessment_survey_member", f"{participant.pk}:{member.pk}")
        if SurveyAnswer.objects.filter(participant=participant, answer_key=key).exists():
            raise SurveyRefused(_("You have already answered this survey. Each member answers once."))
        capabilities = dict(cycle.framework.capabilities.order_by("order").values_list("code", "name"))
        clean = _clean_scores(list(capabilities), scores, capabilities)
        try:
            with transaction.atomic():
                answer = SurveyAnswer.objects.create(participant=participant, answer_key=key, scores=clean)
        except IntegrityError:  # the same member answering twice at the same moment
            raise SurveyRefused(_("You have already answered this survey. Each member answers once.")) from None
    return answer


# --- compute, calibrate, publish ----------------------------------------------------------------------


def _service_ratings(user_ids: list[int], start: date, end: date) -> dict[int, tuple[float, int]]:
    """(sum of stars, count) of the rights line's service ratings per cadre account in the period."""
    try:
        from gonghui.rights.models import ServiceRating
    except ImportError:  # pragma: no cover - rights app not installed
        return {}
    if not user_ids:
        return {}
    rows = (
        ServiceRating.objects.filter(cadre_id__in=user_ids, rated_at__date__gte=start, rated_at__date__lte=end)
        .values("cadre_id")
        .annotate(n=Count("id"), mean=Avg("stars"))
        .order_by()
    )
    return {row["cadre_id"]: (float(row["mean"]) * row["n"], row["n"]) for row in rows}


def kind_scores(cycle: Cycle, participants: list[Participant]) -> dict[int, dict[str, dict[str, float | None]]]:
    """Per participant id, per capability code, per rater kind: the 0–100 score or None."""
    codes = _capability_codes(cycle.framework)
    ids = [p.pk for p in participants]
    submitted = RaterAssignment.objects.filter(participant_id__in=ids, submitted_at__isnull=False)
    peers_answered = dict(
        submitted.filter(kind=RaterKind.PEER)
        .values("participant_id")
        .annotate(n=Count("id"))
        .values_list("participant_id", "n")
        .order_by()
    )
    means: dict[tuple[int, str, str], float] = {}
    rows = (
        Rating.objects.filter(assignment__in=submitted)
        .values("assignment__participant_id", "assignment__kind", "capability")
        .annotate(mean=Avg("score"))
        .order_by()
    )
    for row in rows:
        key = (row["assignment__participant_id"], row["capability"], row["assignment__kind"])
        means[key] = float(row["mean"])
    worker: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for pid, scores in SurveyAnswer.objects.filter(participant_id__in=ids).values_list("participant_id", "scores"):
        for code, value in scores.items():
            worker[(pid, code)][0] += value
            worker[(pid, code)][1] += 1
    users = {p.pk: p.cadre.user_id for p in participants if p.cadre.user_id}
    stars = _service_ratings(list(users.values()), cycle.period_start, cycle.period_end)
    for pid, user_id in users.items():
        if user_id in stars and "protect" in codes:
            total, n = stars[user_id]
            worker[(pid, "protect")][0] += total
            worker[(pid, "protect")][1] += n
    indicators = capability_scores(
        cycle.framework, [p.cadre_id for p in participants], cycle.period_start, cycle.period_end
    )

    result: dict[int, dict[str, dict[str, float | None]]] = {}
    for p in participants:
        per_code = {}
        for code in codes:
            kinds: dict[str, float | None] = {}
            for kind in (RaterKind.SELF, RaterKind.SUPERIOR, RaterKind.PEER):
                mean = means.get((p.pk, code, kind))
                if kind == RaterKind.PEER and peers_answered.get(p.pk, 0) < ANONYMITY_MIN:
                    mean = None
                kinds[kind] = round(to_hundred(mean), 1) if mean is not None else None
            total, n = worker.get((p.pk, code), (0.0, 0))
            kinds[RaterKind.WORKER] = round(to_hundred(total / n), 1) if n >= ANONYMITY_MIN else None
            score = indicators.get(p.cadre_id, {}).get(code)
            kinds[RaterKind.INDICATORS] = score.score if score is not None else None
            per_code[code] = kinds
        result[p.pk] = per_code
    return result


def _overall(participant: Participant) -> None:
    finals = [r.final_score for r in participant.results.all() if r.final_score is not None]
    participant.overall_score = round(sum(finals) / len(finals), 1) if finals else None
    participant.overall_level = level_for(participant.overall_score)
    participant.save(update_fields=["overall_score", "overall_level"])


def cycle_compute(*, actor, cycle: Cycle) -> Cycle:
    """Close the rating and compute every result (again, keeping calibrations): the cycle moves
    to calibrating."""
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_manager(actor, cycle.org_unit)
        _require_status(cycle, CycleStatus.OPEN, CycleStatus.CALIBRATING)
        participants = list(cycle.participants.select_related("cadre"))
        scores = kind_scores(cycle, participants)
        weights = cycle.weights
        existing = {(r.participant_id, r.capability): r for r in Result.objects.filter(participant__cycle=cycle)}
        for p in participants:
            for code, kinds in scores[p.pk].items():
                score = combine(kinds, weights)
                result = existing.get((p.pk, code)) or Result(participant=p, capability=code)
                result.score, result.breakdown = score, kinds
                result.level = level_for(result.final_score)
                result.save()
            _overall(p)
        cycle.status, cycle.computed_at = CycleStatus.CALIBRATING, timezone.now()
        cycle.save(update_fields=["status", "computed_at"])
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=cycle, detail={"status": "calibrating"})
    return cycle


def cycle_calibrate(*, actor, result: Result, score: float | None, reason: str) -> Result:
    """The federation sets (or, with None, removes) a calibrated score, always with a reason."""
    with transaction.atomic():
        result = Result.objects.select_for_update(of=("self",)).select_related("participant").get(pk=result.pk)
        cycle = _locked(result.participant.cycle)
        _require_manager(actor, cycle.org_unit)
        _require_status(cycle, CycleStatus.CALIBRATING)
        reason = " ".join((reason or "").split())
        if score is not None:
            if not 0 <= score <= 100:
                raise ValidationError(_("A calibrated score is between 0 and 100."))
            if not reason:
                raise ValidationError(_("Give the reason for the calibration: it is shown with the result."))
        before = result.calibrated_score
        result.calibrated_score = None if score is None else round(float(score), 1)
        result.calibration_reason = reason if score is not None else ""
        result.calibrated_by = actor if score is not None else None
        result.level = level_for(result.final_score)
        result.save()
        _overall(result.participant)
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=result.participant,
            detail={"capability": result.capability, "calibrated": [before, result.calibrated_score]},
        )
    return result


def cycle_publish(*, actor, cycle: Cycle) -> Cycle:
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_manager(actor, cycle.org_unit)
        _require_status(cycle, CycleStatus.CALIBRATING)
        cycle.status, cycle.published_at = CycleStatus.PUBLISHED, timezone.now()
        cycle.save(update_fields=["status", "published_at"])
        audit_record(action=AuditAction.UPDATE, actor=actor, obj=cycle, detail={"status": "published"})
    return cycle


def cycle_delete(*, actor, cycle: Cycle) -> None:
    """Delete a draft (nothing rated yet)."""
    with transaction.atomic():
        cycle = _locked(cycle)
        _require_manager(actor, cycle.org_unit)
        _require_status(cycle, CycleStatus.DRAFT)
        audit_record(action=AuditAction.DELETE, actor=actor, obj=cycle)
        cycle.delete()
