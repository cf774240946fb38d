"""Rights cases at scale, on top of a database that `gonghui synth` filled (units, employers,
members): cases with their timeline, service ratings, legal-aid providers and referrals, hardship
files with their history and re-verifications, assistance and yearly budgets.

    gonghui synth_rights --cases 1000000 --seed 1

The same seed, arguments and `as_of` date on the same synth database give the same rows. Rows go
in through `membership.services.bulk.copy_rows` (executemany on SQLite, COPY on PostgreSQL) in
batches, each batch its own transaction; personal data is encrypted and blind-indexed in Python
first, with the key ring loaded once (`bulk.Encryptor`).

Cases are handled by "handling units": every federation and township plus enough grassroots unions
to give each its cadre (one cadre account per handling unit, made here when the database has no
cadres). The mix follows the shape of real 12351 statistics: unpaid wages first, most cases
closed within the 30 days, a few percent still open past their deadline, about 3% collective.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from gonghui.core.choices import Role, UnitKind
from gonghui.core.models import OrgUnit, RoleAssignment, User
from gonghui.membership.demo import Employers, People
from gonghui.membership.management.commands.synth import indexes_deferred
from gonghui.membership.models import Enterprise
from gonghui.membership.services import bulk
from gonghui.rights.choices import (
    AssistanceKind,
    CaseCategory,
    CaseEventKind,
    CaseOutcome,
    CaseStatus,
    Channel,
    FundSource,
    HardshipCause,
    HardshipEventKind,
    HardshipStatus,
    HardshipTier,
    ProviderKind,
    ReferralStatus,
    VerificationResult,
)
from gonghui.rights.models import (
    Assistance,
    AssistanceBudget,
    CaseEvent,
    HardshipEvent,
    HardshipFile,
    LegalAidProvider,
    LegalAidReferral,
    RightsCase,
    ServiceRating,
    Verification,
)
from gonghui.rights.workdays import add_workdays

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as services.cases (no 0/O, 1/I/L)

YEARS = 3  # cases are spread over the three years up to `as_of`, more of them lately
CLOSE_DAYS = 30
FEDERATIONS = (UnitKind.PROVINCIAL, UnitKind.MUNICIPAL, UnitKind.COUNTY, UnitKind.TOWNSHIP)
GRASSROOTS = (UnitKind.GRASSROOTS, UnitKind.JOINT_GRASSROOTS)
# How many cases a handling unit of each kind takes, relative to a grassroots union.
KIND_WEIGHT = {
    UnitKind.PROVINCIAL: 6,
    UnitKind.MUNICIPAL: 12,
    UnitKind.COUNTY: 10,
    UnitKind.TOWNSHIP: 4,
    UnitKind.GRASSROOTS: 1,
    UnitKind.JOINT_GRASSROOTS: 1.5,
}
CHANNELS = (
    (Channel.HOTLINE, 38),
    (Channel.VISIT, 24),
    (Channel.ONLINE, 20),
    (Channel.LETTER, 4),
    (Channel.ASSIGNED, 9),
    (Channel.REFERRED, 5),
)
CATEGORIES = (
    (CaseCategory.WAGES, 36),
    (CaseCategory.DISMISSAL, 14),
    (CaseCategory.CONTRACT, 12),
    (CaseCategory.SOCIAL_INSURANCE, 11),
    (CaseCategory.INJURY, 9),
    (CaseCategory.HOURS, 7),
    (CaseCategory.WOMEN, 3),
    (CaseCategory.SAFETY, 3),
    (CaseCategory.DISCRIMINATION, 2),
    (CaseCategory.OTHER, 3),
)
OUTCOMES = (
    (CaseOutcome.MEDIATED, 52),
    (CaseOutcome.ARBITRATION, 14),
    (CaseOutcome.LITIGATION, 5),
    (CaseOutcome.INSPECTION, 10),
    (CaseOutcome.LEGAL_AID, 7),
    (CaseOutcome.WITHDRAWN, 8),
    (CaseOutcome.OTHER, 4),
)
RECOVERED_SHARE = {  # of the amount claimed, by outcome (low, high)
    CaseOutcome.MEDIATED: (0.6, 1.0),
    CaseOutcome.ARBITRATION: (0.7, 1.0),
    CaseOutcome.LITIGATION: (0.5, 1.0),
    CaseOutcome.INSPECTION: (0.3, 1.0),
    CaseOutcome.LEGAL_AID: (0.2, 0.9),
}
CATEGORY_TEXT = {
    CaseCategory.WAGES: (
        "{employer}拖欠{workers}名职工{months}个月工资共计{amount}元，多次讨要未果，老板以资金周转困难为由一再推脱。",
        "本人在{employer}从事一线生产工作，{months}个月工资{amount}元至今未发，公司已停工，负责人联系不上。",
        "{employer}承包的工地项目完工后，包工头以工程款未结清为由拒付{workers}名工人工资{amount}元。",
    ),
    CaseCategory.DISMISSAL: (
        "{employer}以“业务调整”为由口头通知解除劳动合同，未提前三十日通知，也未支付经济补偿，要求补偿{amount}元。",
        "在{employer}工作{years}年，公司在未与工会协商的情况下将本人辞退，拒绝支付经济补偿金。",
    ),
    CaseCategory.CONTRACT: (
        "入职{employer}已{months}个月，单位一直未签订书面劳动合同，要求支付二倍工资差额{amount}元。",
        "{employer}单方面调整工作岗位并降低工资，未经本人同意变更劳动合同内容。",
    ),
    CaseCategory.SOCIAL_INSURANCE: (
        "{employer}自本人入职以来未依法缴纳养老、医疗等社会保险，要求补缴并赔偿损失{amount}元。",
        "{employer}按最低基数为{workers}名职工缴纳社保，与实际工资严重不符，要求按实补缴。",
    ),
    CaseCategory.INJURY: (
        "本人在{employer}车间作业时右手受伤，单位拒绝申报工伤，医疗费用{amount}元均由个人垫付。",
        "在{employer}从事打磨工作{years}年，被诊断为尘肺病，单位不承认职业病，拒绝承担相关待遇。",
    ),
    CaseCategory.HOURS: (
        "{employer}长期安排每天工作十二小时、每月仅休息两天，加班费{amount}元未按规定支付。",
        "{employer}不批准职工带薪年休假，也不支付未休年休假工资报酬。",
    ),
    CaseCategory.SAFETY: (
        "{employer}车间粉尘、噪声超标，未发放必要的劳动防护用品，{workers}名职工要求整改。",
        "{employer}夜间作业照明不足、安全通道堵塞，职工多次反映无人处理。",
    ),
    CaseCategory.DISCRIMINATION: (
        "应聘{employer}时因户籍所在地被拒绝录用，招聘人员明确表示“不招外地人”。",
        "{employer}以乙肝病原携带为由拒绝录用，本人已通过全部考核。",
    ),
    CaseCategory.WOMEN: (
        "本人怀孕后，{employer}以调岗为名降低工资，并暗示本人主动离职。",
        "{employer}未按规定给予产假，休完产假回岗后被告知岗位已被取消。",
    ),
    CaseCategory.OTHER: (
        "{employer}扣押职工身份证原件，离职时要求支付“培训费”{amount}元方可归还。",
        "{employer}以罚款代替管理，本月被扣“违纪罚款”{amount}元，要求退还。",
    ),
}
LEGAL_BASIS = {
    CaseCategory.WAGES: "《劳动法》第五十条；《保障农民工工资支付条例》第十五条",
    CaseCategory.DISMISSAL: "《劳动合同法》第四十条、第四十六条、第四十七条",
    CaseCategory.CONTRACT: "《劳动合同法》第十条、第八十二条",
    CaseCategory.SOCIAL_INSURANCE: "《社会保险法》第五十八条、第六十条",
    CaseCategory.INJURY: "《工伤保险条例》第十四条、第十七条",
    CaseCategory.HOURS: "《劳动法》第四十一条、第四十四条；《职工带薪年休假条例》第五条",
    CaseCategory.SAFETY: "《安全生产法》第四十五条；《职业病防治法》第二十二条",
    CaseCategory.DISCRIMINATION: "《就业促进法》第三条、第三十条",
    CaseCategory.WOMEN: "《妇女权益保障法》第四十八条；《女职工劳动保护特别规定》第五条",
    CaseCategory.OTHER: "《劳动合同法》第九条",
}
SUMMARY = {
    CaseOutcome.MEDIATED: "经工会组织劳资双方调解，用人单位同意支付{recovered}元，双方签订调解协议，当场履行。",
    CaseOutcome.ARBITRATION: "调解未果，工会协助职工申请劳动仲裁，仲裁委裁决支持职工请求，已执行{recovered}元。",
    CaseOutcome.LITIGATION: "工会支持职工提起诉讼，法院判决用人单位支付{recovered}元。",
    CaseOutcome.INSPECTION: "移送人社部门劳动保障监察大队，责令用人单位限期整改，追回{recovered}元。",
    CaseOutcome.LEGAL_AID: "转介法律援助中心指派律师代理，已追回{recovered}元。",
    CaseOutcome.WITHDRAWN: "职工与用人单位自行协商解决，申请撤回诉求。",
    CaseOutcome.OTHER: "已向职工解释相关政策，职工表示理解。",
}
DECLINE_REASONS = (
    "诉求不属于工会维权受理范围，已告知向相关部门反映。",
    "同一事项已进入劳动仲裁程序，不再重复受理。",
    "经核实，反映人与该单位不存在劳动关系。",
)
RATING_COMMENTS = (
    "",
    "",
    "工会干部很负责，感谢帮忙讨回工资！",
    "处理及时，态度很好。",
    "过程有点慢，但结果满意。",
    "希望以后能更快一些。",
    "非常感谢工会，为我们农民工撑腰。",
)
SMALL_EMPLOYERS = ("餐饮店", "装修队", "建筑劳务队", "快递站点", "服装加工厂")
REFERRAL_OUTCOME = "代理职工申请仲裁，达成调解协议。"
LAWYER_ORGS = ("{place}正诚律师事务所", "{place}明德律师事务所", "{place}公信律师事务所")
TIERS = ((HardshipTier.DEEP, 25), (HardshipTier.RELATIVE, 60), (HardshipTier.ACCIDENT, 15))
CAUSES = (
    HardshipCause.ILLNESS,
    HardshipCause.DISABILITY,
    HardshipCause.DISASTER,
    HardshipCause.EDUCATION,
    HardshipCause.UNEMPLOYMENT,
    HardshipCause.OTHER,
)
HARDSHIP_DETAILS = (
    "配偶患尿毒症长期透析，每月医疗支出约三千元，子女正在上学，家庭收入仅靠本人工资。",
    "本人因工致残，劳动能力部分丧失，家中有两位老人需要赡养。",
    "家中房屋在暴雨洪灾中受损，一时无力修缮，生活陷入困难。",
    "两个孩子同时在读大学，学费生活费负担沉重。",
    "企业停产后失业，配偶无固定收入，家庭人均收入低于当地标准。",
)
ASSISTANCE_AMOUNTS = {  # yuan (low, high)
    AssistanceKind.LIVING: (1000, 5000),
    AssistanceKind.MEDICAL: (2000, 20000),
    AssistanceKind.EDUCATION: (3000, 8000),
    AssistanceKind.EMPLOYMENT: (500, 3000),
    AssistanceKind.WARMTH: (500, 2000),
    AssistanceKind.OTHER: (300, 2000),
}


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return values, list(itertools.accumulate(weights))


@dataclass
class Handler:
    """A handling unit and its cadre."""

    unit_id: int
    path: str
    kind: str
    region: str
    cadre_id: int = 0


class RightsSynth:
    def __init__(self, *, cases: int, seed: int, as_of: date, batch: int, write: Callable[[str], None]):
        self.n_cases, self.as_of, self.batch, self.write, self.seed = cases, as_of, batch, write, seed
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible on purpose
        self.people = People(self.rng)
        self.employers = Employers(self.rng)
        self.crypt = bulk.Encryptor()
        self.started = time.monotonic()
        self.first_day = date(as_of.year - YEARS + 1, 1, 1)
        self.accept_due: dict[date, date] = {}
        self.channels = _weighted(CHANNELS)
        self.categories = _weighted(CATEGORIES)
        self.outcomes = _weighted(OUTCOMES)
        self.tiers = _weighted(TIERS)

    def say(self, text: str) -> None:
        self.write(f"[{time.monotonic() - self.started:7.1f} s] {text}")

    def pick(self, weighted):
        values, cumulative = weighted
        return values[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def text(self, value: str, model, field: str) -> bytes:
        return self.crypt.encrypt(value.encode(), model._meta.get_field(field).aad.encode())

    # --- handling units and cadres ------------------------------------------------------------------

    def handlers(self, cadres: int) -> list[Handler]:
        units = list(
            OrgUnit.objects.filter(kind__in=(*FEDERATIONS, *GRASSROOTS))
            .order_by("path")
            .values_list("id", "path", "kind", "region_code")
        )
        if not units:
            raise ValueError("no units: run `gonghui synth` first")
        federations = [u for u in units if u[2] in FEDERATIONS]
        grassroots = [u for u in units if u[2] in GRASSROOTS]
        if len(federations) >= cadres:
            chosen = self.rng.sample(federations, cadres)
        else:
            chosen = federations + self.rng.sample(grassroots, min(len(grassroots), cadres - len(federations)))
        chosen.sort(key=lambda u: u[1])
        handlers = [Handler(*u) for u in chosen]
        existing = dict(
            RoleAssignment.objects.filter(role=Role.CADRE, org_unit_id__in=[h.unit_id for h in handlers])
            .order_by("user_id")
            .values_list("org_unit_id", "user_id")
        )
        missing = [h for h in handlers if h.unit_id not in existing]
        if missing:
            self.make_cadres(missing)
        for handler in handlers:
            handler.cadre_id = handler.cadre_id or existing[handler.unit_id]
        return handlers

    def make_cadres(self, handlers: list[Handler]) -> None:
        """One cadre account per handling unit (no password: they exist to be measured)."""
        now = bulk._now()
        start = User.objects.filter(username__startswith="synth_cadre_").count()
        # A generator of their own: the cases that follow are the same whether or not the
        # cadres had to be made.
        rng = random.Random(self.seed + 7_777)  # noqa: S311 - made-up data
        people = People(rng)
        rows, names = [], []
        for number, handler in enumerate(handlers, start + 1):
            gender = "M" if rng.random() < 0.55 else "F"
            name = people.name(gender, people.birth_date())
            names.append(f"synth_cadre_{number:06d}")
            rows.append(("!synth", False, names[-1], "", False, True, now, name, None, "", handler.unit_id))
        columns = [
            "password",
            "is_superuser",
            "username",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "name",
            "phone",
            "phone_index",
            "org_unit_id",
        ]
        with transaction.atomic():
            bulk.copy_rows(User, columns, rows)
            ids = dict(User.objects.filter(username__in=names).values_list("username", "id"))
            for handler, username in zip(handlers, names, strict=True):
                handler.cadre_id = ids[username]
            bulk.copy_rows(
                RoleAssignment,
                ["user_id", "org_unit_id", "role", "granted_at"],
                ((h.cadre_id, h.unit_id, Role.CADRE, now) for h in handlers),
            )
        self.say(f"cadres {len(handlers):,}")

    # --- cases ------------------------------------------------------------------------------------

    def employer_index(self) -> tuple[list[str], list[int], list[str]]:
        rows = sorted(Enterprise.objects.values_list("unit_path", "id", "name"))
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def registered_day(self) -> date:
        span = (self.as_of - self.first_day).days
        return self.first_day + timedelta(days=int(self.rng.triangular(0, span, span)))

    def due_for_acceptance(self, day: date) -> date:
        due = self.accept_due.get(day)
        if due is None:
            due = self.accept_due[day] = add_workdays(day, 2)
        return due

    def cases(self, handlers: list[Handler]) -> list[tuple]:
        """Insert the cases; returns (id, unit id, path, closed_by, closed_on, outcome) of closed ones."""
        rng = self.rng
        paths, enterprise_ids, enterprise_names = self.employer_index()
        weights = list(itertools.accumulate(KIND_WEIGHT[h.kind] * rng.paretovariate(2.0) for h in handlers))
        ranges = {}
        for h in handlers:
            ranges[h.unit_id] = (bisect.bisect_left(paths, h.path), bisect.bisect_left(paths, h.path + "~"))
        model = RightsCase
        columns = [
            "id", "reference", "channel", "category", "status", "org_unit_id", "unit_path", "origin_unit_id",
            "member_id", "complainant_name", "complainant_phone", "phone_index", "complainant_id_number", "id_index",
            "enterprise_id", "employer_name", "workers_involved", "is_collective", "amount_claimed", "narrative",
            "assignee_id", "registered_on", "accepted_on", "closed_on", "accept_due", "close_due", "due_on",
            "decline_reason", "outcome", "amount_recovered", "legal_basis", "closing_summary", "closed_by_id",
            "version", "created_by_id", "created_at", "updated_at",
        ]  # fmt: skip
        aad = {name: model._meta.get_field(name).aad.encode() for name in ("complainant_name", "complainant_phone")}
        aad |= {name: model._meta.get_field(name).aad.encode() for name in ("complainant_id_number", "narrative")}
        aad["closing_summary"] = model._meta.get_field("closing_summary").aad.encode()
        encrypt = self.crypt.encrypt
        event_aad = CaseEvent._meta.get_field("note").aad.encode()
        closed: list[tuple] = []
        serial = itertools.count(RightsCase.objects.count() + 1)
        done = 0
        while done < self.n_cases:
            size = min(self.batch, self.n_cases - done)
            rows, events = [], []
            now = bulk._now()
            with transaction.atomic():
                ids = bulk.allocate_ids(RightsCase, size)
                for pk in ids:
                    h = handlers[bisect.bisect(weights, rng.random() * weights[-1])]
                    row, row_events, row_closed = self.case(pk, next(serial), h, ranges[h.unit_id], enterprise_ids,
                                                            enterprise_names, now)  # fmt: skip
                    rows.append(row)
                    events.extend(row_events)
                    if row_closed:
                        closed.append(row_closed)
                encrypted = []
                for row in rows:
                    values = dict(zip(columns, row, strict=True))
                    for name in ("complainant_name", "complainant_phone", "complainant_id_number", "narrative",
                                 "closing_summary"):  # fmt: skip
                        values[name] = encrypt(values[name].encode(), aad[name])
                    encrypted.append(tuple(values.values()))
                bulk.copy_rows(model, columns, encrypted)
                bulk.copy_rows(
                    CaseEvent,
                    ["case_id", "kind", "at", "actor_id", "from_status", "to_status", "to_unit_id", "note"],
                    ((*e, encrypt(b"", event_aad)) for e in events),
                )
            done += size
            self.say(f"cases {done:,} / {self.n_cases:,}")
        return closed

    def case(self, pk, number, h: Handler, employer_range, enterprise_ids, enterprise_names, now):
        rng, people = self.rng, self.people
        category = self.pick(self.categories)
        channel = self.pick(self.channels)
        registered = self.registered_day()
        gender = "M" if rng.random() < 0.62 else "F"
        born = people.birth_date()
        name, phone = people.name(gender, born), people.phone()
        id_number = ""
        if rng.random() < 0.3:
            id_number = people.id_number(h.region if h.region in people.regions else "110101", born, gender)
        low, high = employer_range
        enterprise_id, employer_name = None, ""
        if high > low and rng.random() < 0.8:
            at = low + int((high - low) * rng.random())
            if rng.random() < 0.25:  # repeat offenders: one employer in 17 draws a quarter of the cases
                at = max(low, at - (at - low) % 17)
            enterprise_id, employer = enterprise_ids[at], enterprise_names[at]
        else:
            employer = employer_name = self.employers.trade_name() + rng.choice(SMALL_EMPLOYERS)
        roll = rng.random()
        workers = 1 if roll < 0.8 else rng.randint(2, 9) if roll < 0.97 else int(min(300, 10 * rng.paretovariate(1.5)))
        months = rng.randint(1, 8)
        amount = None
        if category in (CaseCategory.WAGES, CaseCategory.DISMISSAL, CaseCategory.CONTRACT, CaseCategory.INJURY,
                        CaseCategory.SOCIAL_INSURANCE, CaseCategory.HOURS, CaseCategory.OTHER):  # fmt: skip
            amount = Decimal(round(workers * months * rng.uniform(3000, 8000), -1)).quantize(Decimal("0.01"))
        narrative = rng.choice(CATEGORY_TEXT[category]).format(
            employer=employer, workers=workers, months=months, years=rng.randint(2, 15), amount=amount or 0
        )
        accept_due = self.due_for_acceptance(registered)
        age = (self.as_of - registered).days
        status, accepted_on, closed_on, outcome, recovered, summary, decline = (
            CaseStatus.REGISTERED, None, None, "", None, "", "",
        )  # fmt: skip
        close_due = accept_due + timedelta(days=CLOSE_DAYS)
        roll = rng.random()
        if roll < 0.04 and age > 3:
            status, decline = CaseStatus.DECLINED, rng.choice(DECLINE_REASONS)
        elif age > 1 or roll > 0.5:
            accepted_on = min(self.as_of, registered + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5))))
            close_due = accepted_on + timedelta(days=CLOSE_DAYS)
            took = int(rng.triangular(2, 60, 18))
            if accepted_on + timedelta(days=took) <= self.as_of and rng.random() < 0.97:
                status, closed_on = CaseStatus.CLOSED, accepted_on + timedelta(days=took)
                outcome = self.pick(self.outcomes)
                if amount is not None and outcome in RECOVERED_SHARE:
                    recovered = (amount * Decimal(rng.uniform(*RECOVERED_SHARE[outcome]))).quantize(Decimal("0.01"))
                summary = SUMMARY[outcome].format(recovered=recovered or 0)
            else:
                status = rng.choice((CaseStatus.ACCEPTED, CaseStatus.INVESTIGATING, CaseStatus.MEDIATING))
        open_ = status not in (CaseStatus.CLOSED, CaseStatus.DECLINED)
        due_on = (accept_due if status == CaseStatus.REGISTERED else close_due) if open_ else None
        cadre = h.cadre_id
        row = (
            pk, reference(number), channel, category, status, h.unit_id, h.path, h.unit_id,
            None, name, phone, self.crypt.index("phone", phone), id_number,
            self.crypt.index("id_number", id_number) if id_number else "",
            enterprise_id, employer_name, workers, workers >= 10, amount, narrative,
            cadre if status != CaseStatus.REGISTERED else None, registered, accepted_on, closed_on, accept_due,
            close_due, due_on, decline, outcome, recovered, LEGAL_BASIS[category] if closed_on else "", summary,
            cadre if closed_on else None, 1 + bool(accepted_on) + bool(closed_on), cadre, now, now,
        )  # fmt: skip
        events = [(pk, CaseEventKind.REGISTERED, now, cadre, "", CaseStatus.REGISTERED, h.unit_id)]
        if accepted_on:
            events.append((pk, CaseEventKind.STATUS, now, cadre, CaseStatus.REGISTERED, CaseStatus.ACCEPTED, None))
        if status == CaseStatus.DECLINED:
            events.append((pk, CaseEventKind.STATUS, now, cadre, CaseStatus.REGISTERED, CaseStatus.DECLINED, None))
        if closed_on:
            events.append((pk, CaseEventKind.STATUS, now, cadre, CaseStatus.MEDIATING, CaseStatus.CLOSED, None))
        return row, events, (pk, h.unit_id, h.path, cadre, closed_on, outcome) if closed_on else None

    # --- ratings and legal aid ------------------------------------------------------------------------

    def ratings(self, closed: list[tuple]) -> int:
        rng, zone = self.rng, timezone.get_current_timezone()
        rows = []
        stars = _weighted(((5, 55), (4, 25), (3, 10), (2, 5), (1, 5)))
        for pk, unit_id, path, cadre, closed_on, _outcome in closed:
            if rng.random() < 0.4:
                day = min(self.as_of, closed_on + timedelta(days=rng.randint(0, 10)))
                at = timezone.datetime(
                    day.year, day.month, day.day, rng.randint(8, 21), rng.randint(0, 59), tzinfo=zone
                )
                rows.append((pk, unit_id, path, cadre, self.pick(stars), rng.choice(RATING_COMMENTS), at))
        self.insert(
            ServiceRating, ["case_id", "org_unit_id", "unit_path", "cadre_id", "stars", "comment", "rated_at"], rows
        )
        return len(rows)

    def legal_aid(self, handlers: list[Handler], closed: list[tuple]) -> int:
        rng, now = self.rng, bulk._now()
        counties = [h for h in handlers if h.kind in (UnitKind.COUNTY, UnitKind.MUNICIPAL)] or handlers[:1]
        providers = []
        for h in counties:
            for n in range(2):
                kind = (ProviderKind.AID_CENTRE, ProviderKind.LAW_FIRM)[n]
                lawyer = self.people.name("M" if rng.random() < 0.5 else "F", self.people.birth_date())
                organisation = (
                    "法律援助中心" if n == 0 else rng.choice(LAWYER_ORGS).format(place=self.employers.trade_name())
                )
                licence = f"1{rng.randint(10**15, 10**16 - 1)}"
                phone = f"0{rng.randint(100, 999)}-{rng.randint(10**7, 10**8 - 1)}"
                specialties = [CaseCategory.WAGES, CaseCategory.DISMISSAL]
                providers.append((lawyer if n else organisation, kind, organisation, licence, lawyer, phone, "",
                                  specialties, True, h.unit_id, h.path, now))  # fmt: skip
        columns = ["name", "kind", "organisation", "licence_no", "contact_person", "phone", "address", "specialties",
                   "is_active", "org_unit_id", "unit_path", "created_at"]  # fmt: skip
        providers = [(*p[:7], _json(p[7]), *p[8:]) for p in providers]
        self.insert(LegalAidProvider, columns, providers)
        found = sorted(LegalAidProvider.objects.values_list("unit_path", "id"))
        paths = [p for p, _ in found]
        rows = []
        for pk, _unit, path, cadre, closed_on, outcome in closed:
            if outcome != CaseOutcome.LEGAL_AID and rng.random() > 0.01:
                continue
            # the nearest provider at or above the case's unit (its county's), else any
            at = bisect.bisect_right(paths, path) - 1
            provider = found[at][1] if at >= 0 and path.startswith(paths[at][:12]) else found[0][1]
            referred = closed_on - timedelta(days=rng.randint(5, 20))
            cost = Decimal(rng.choice((0, 0, 1500, 3000)))
            rows.append((pk, provider, referred, ReferralStatus.CONCLUDED, REFERRAL_OUTCOME, closed_on, cost, None,
                         cadre, now))  # fmt: skip
        columns = ["case_id", "provider_id", "referred_on", "status", "outcome", "concluded_on", "cost",
                   "amount_recovered", "referred_by_id", "created_at"]  # fmt: skip
        self.insert(LegalAidReferral, columns, rows)
        return len(rows)

    # --- hardship files, assistance, budgets --------------------------------------------------------

    def hardship(self, handlers: list[Handler], files: int) -> dict[str, int]:
        rng, people, now = self.rng, self.people, bulk._now()
        grassroots = [h for h in handlers if h.kind in GRASSROOTS] or handlers
        encrypt, index = self.crypt.encrypt, self.crypt.index
        aad = {f: HardshipFile._meta.get_field(f).aad.encode() for f in ("id_number", "phone", "details")}
        counts = {"files": 0, "events": 0, "verifications": 0, "assistance": 0, "budgets": 0}
        start = HardshipFile.objects.count()
        spent: dict[tuple[int, int], Decimal] = {}
        for first in range(0, files, self.batch):
            size = min(self.batch, files - first)
            plans = []
            for number in range(first + 1, first + size + 1):
                h = rng.choice(grassroots)
                gender = "M" if rng.random() < 0.5 else "F"
                born = people.birth_date()
                region = h.region if h.region in people.regions else "110101"
                size_ = rng.randint(2, 5)
                threshold = Decimal(rng.choice((900, 1000, 1100, 1200, 1300)))
                per_capita = (threshold * Decimal(rng.uniform(0.4, 0.98))).quantize(Decimal("0.01"))
                submitted = self.first_day + timedelta(days=rng.randint(0, (self.as_of - self.first_day).days))
                roll = rng.random()
                status = (
                    HardshipStatus.PENDING if roll < 0.06 else HardshipStatus.RETURNED if roll < 0.08
                    else HardshipStatus.EXITED if roll < 0.26 else HardshipStatus.ACTIVE
                )  # fmt: skip
                approved = None
                if status in (HardshipStatus.ACTIVE, HardshipStatus.EXITED):
                    approved = min(self.as_of, submitted + timedelta(days=rng.randint(3, 30)))
                exited = None
                if status == HardshipStatus.EXITED:
                    exited = min(self.as_of, approved + timedelta(days=rng.randint(60, 700)))
                relapsed = status == HardshipStatus.ACTIVE and approved and rng.random() < 0.05
                phone = people.phone()
                plans.append(dict(
                    unit=h, file_no=f"KN{start + number:08d}", name=people.name(gender, born),
                    id_number=people.id_number(region, born, gender), phone=phone, tier=self.pick(self.tiers),
                    causes=rng.sample(CAUSES, rng.randint(1, 2)), household_size=size_,
                    income=(per_capita * 12 * size_).quantize(Decimal("0.01")), per_capita=per_capita,
                    threshold=threshold, details=rng.choice(HARDSHIP_DETAILS), status=status, submitted=submitted,
                    approved=approved, exited=exited, relapsed=relapsed,
                    next_due=(approved + timedelta(days=365)) if status == HardshipStatus.ACTIVE else None,
                ))  # fmt: skip
            with transaction.atomic():
                ids = bulk.allocate_ids(HardshipFile, len(plans))
                rows, events, verifications, assistance = [], [], [], []
                for pk, p in zip(ids, plans, strict=True):
                    h, cadre = p["unit"], p["unit"].cadre_id
                    causes = p["causes"]
                    rows.append((
                        pk, p["file_no"], p["name"], encrypt(p["id_number"].encode(), aad["id_number"]),
                        index("id_number", p["id_number"]), encrypt(p["phone"].encode(), aad["phone"]), "",
                        p["tier"], _json(causes), p["household_size"], p["income"], p["per_capita"], p["threshold"],
                        encrypt(p["details"].encode(), aad["details"]), p["status"], cadre, p["submitted"],
                        cadre if p["approved"] else None, p["approved"], "", p["next_due"], p["exited"],
                        "家庭收入已高于当地困难标准" if p["exited"] else "", int(bool(p["relapsed"])), 1, now, now,
                        h.unit_id, h.path,
                    ))  # fmt: skip
                    events.append((pk, HardshipEventKind.SUBMITTED, p["submitted"], now, cadre, ""))
                    if p["approved"]:
                        events.append((pk, HardshipEventKind.APPROVED, p["approved"], now, cadre, ""))
                        self.verifications(pk, p, cadre, verifications, events, now)
                        self.assistance(pk, p, h, assistance, spent)
                    if p["exited"]:
                        events.append((pk, HardshipEventKind.EXITED, p["exited"], now, cadre, ""))
                    if p["relapsed"]:
                        out = min(self.as_of, p["approved"] + timedelta(days=rng.randint(30, 200)))
                        back = min(self.as_of, out + timedelta(days=rng.randint(30, 200)))
                        events.append((pk, HardshipEventKind.EXITED, out, now, cadre, ""))
                        events.append((pk, HardshipEventKind.RELAPSED, back, now, cadre, ""))
                        events.append((pk, HardshipEventKind.APPROVED, back, now, cadre, ""))  # reviewed again
                columns = ["id", "file_no", "name", "id_number", "id_index", "phone", "employer_name", "tier", "causes",
                           "household_size", "annual_household_income", "per_capita_income", "local_threshold",
                           "details", "status", "submitted_by_id", "submitted_on", "approved_by_id", "approved_on",
                           "return_reason", "next_verification_due", "exited_on", "exit_reason", "relapse_count",
                           "version", "created_at", "updated_at", "org_unit_id", "unit_path"]  # fmt: skip
                bulk.copy_rows(HardshipFile, columns, rows)
                bulk.copy_rows(HardshipEvent, ["file_id", "kind", "on", "at", "actor_id", "note"], events)
                bulk.copy_rows(
                    Verification, ["file_id", "due_on", "done_on", "result", "note", "verified_by_id"], verifications
                )
                bulk.copy_rows(
                    Assistance,
                    ["file_id", "kind", "amount", "given_on", "year", "fund_source", "approved_by_id", "description",
                     "override_reason", "recorded_by_id", "created_at", "org_unit_id", "unit_path"],
                    [(*a, now, *u) for *a, u in assistance],
                )  # fmt: skip
            counts["files"] += len(rows)
            counts["events"] += len(events)
            counts["verifications"] += len(verifications)
            counts["assistance"] += len(assistance)
            self.say(f"hardship files {counts['files']:,} / {files:,}")
        counts["budgets"] = self.budgets(handlers, spent)
        return counts

    def verifications(self, pk, p, cadre, verifications, events, now) -> None:
        due = p["approved"] + timedelta(days=365)
        end = p["exited"] or self.as_of
        while due <= end:
            done = due + timedelta(days=int(self.rng.triangular(-30, 45, -10)))
            if done > self.as_of:
                break
            verifications.append((pk, due, done, VerificationResult.CONFIRMED, "", cadre))
            events.append((pk, HardshipEventKind.VERIFIED, done, now, cadre, ""))
            due = due + timedelta(days=365)

    def assistance(self, pk, p, h: Handler, assistance, spent) -> None:
        rng = self.rng
        end = p["exited"] or self.as_of
        for year in range(p["approved"].year, end.year + 1):
            kinds = [AssistanceKind.WARMTH] if rng.random() < 0.7 else []
            kinds += rng.sample(
                (AssistanceKind.LIVING, AssistanceKind.MEDICAL, AssistanceKind.EDUCATION, AssistanceKind.EMPLOYMENT),
                rng.randint(0, 2),
            )
            for kind in kinds:
                first = max(p["approved"], date(year, 1, 1))
                last = min(end, date(year, 12, 31))
                if last < first:
                    continue
                given = first + timedelta(days=rng.randint(0, (last - first).days))
                amount = Decimal(rng.randrange(*ASSISTANCE_AMOUNTS[kind], 100))
                fund = FundSource.UNION_FUNDS if rng.random() < 0.7 else FundSource.SUBSIDY
                cadre = h.cadre_id
                assistance.append((pk, kind, amount, given, year, fund, cadre, "", "", cadre, (h.unit_id, h.path)))
                spent[(h.unit_id, year)] = spent.get((h.unit_id, year), Decimal(0)) + amount

    def budgets(self, handlers: list[Handler], spent: dict) -> int:
        """A budget for each unit and year it paid assistance, a little over or under what it spent."""
        by_id = {h.unit_id: h for h in handlers}
        now = bulk._now()
        rows = []
        for (unit_id, year), amount in sorted(spent.items()):
            budget = (amount * Decimal(self.rng.uniform(0.9, 1.4))).quantize(Decimal("100"))
            h = by_id[unit_id]
            rows.append((unit_id, h.path, year, budget, "", h.cadre_id, now))
        self.insert(AssistanceBudget, ["org_unit_id", "unit_path", "year", "amount", "note", "updated_by_id",
                                       "updated_at"], rows)  # fmt: skip
        return len(rows)

    def insert(self, model, columns, rows) -> None:
        for first in range(0, len(rows), self.batch):
            with transaction.atomic():
                bulk.copy_rows(model, columns, rows[first : first + self.batch])

    # --- all --------------------------------------------------------------------------------------

    def run(self, *, cadres: int, hardship_files: int | None = None) -> dict[str, int]:
        handlers = self.handlers(cadres)
        self.say(f"{len(handlers):,} handling units with their cadres")
        # As `gonghui synth` loads members: secondary indexes built once at the end (blind indexes
        # take random inserts), foreign keys not checked row by row (they come from the database).
        with connection.constraint_checks_disabled(), indexes_deferred((RightsCase, CaseEvent), self.say):
            closed = self.cases(handlers)
        counts = {"cases": self.n_cases, "closed": len(closed), "handlers": len(handlers)}
        counts["ratings"] = self.ratings(closed)
        self.say(f"ratings {counts['ratings']:,}")
        counts["referrals"] = self.legal_aid(handlers, closed)
        self.say(f"legal aid referrals {counts['referrals']:,}")
        files = hardship_files if hardship_files is not None else max(10, self.n_cases // 20)
        counts.update(self.hardship(handlers, files))
        # Statistics for the planner on both databases: without them SQLite picks the (unit_path,
        # status) index for "overdue" at the root and reads every case, not the due_on index.
        self.say("ANALYZE …")
        with connection.cursor() as cursor:
            for model in (RightsCase, HardshipFile, HardshipEvent, Assistance, CaseEvent, ServiceRating):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.say("done: " + ", ".join(f"{value:,} {name}" for name, value in counts.items()))
        return counts


def reference(number: int) -> str:
    """A reference number as `services.cases` makes them ("WQ" and 10 characters of its alphabet),
    from a scrambled serial: distinct serials give distinct numbers (the factor is prime to 31)."""
    n = (number * 16_341_108_374_117 + 7_654_321) % 31**10
    chars = []
    for _ in range(10):
        n, r = divmod(n, 31)
        chars.append(REFERENCE_ALPHABET[r])
    return "WQ" + "".join(reversed(chars))


def _json(value) -> str:
    return json.dumps(value)


def synth_rights(
    *, cases: int, seed: int = 1, as_of: date | None = None, cadres: int = 10_000, hardship_files: int | None = None,
    batch: int = 50_000, write: Callable[[str], None] = print,
) -> dict[str, int]:  # fmt: skip
    """Generate `cases` rights cases (and hardship files, ratings, referrals, assistance) over a
    synth database. Returns the row counts."""
    synth = RightsSynth(cases=cases, seed=seed, as_of=as_of or timezone.localdate(), batch=batch, write=write)
    return synth.run(cadres=cadres, hardship_files=hardship_files)
