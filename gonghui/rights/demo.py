"""Demo data of the rights line: cases in every step of the workflow, legal-aid providers and
referrals, workers' ratings, hardship households and the help given to them, budgets.

`demo_load()` extends the demo city of `gonghui.core.demo` (杭州市总工会) after the membership
line's demo (the apps load in INSTALLED_APPS order), so members and employers are there: some
complainants and every hardship worker are members on the roll. Everything goes through the
rights services, so references, deadlines (working days), timelines and audit entries are what
the application itself would have written; afterwards the dates of each step are moved back to
when it "happened" (the services stamp today), relative to the day the demo is loaded.

Fixed tables and one seeded generator: two loads on the same day give the same rows. The people,
phone numbers and ID numbers (valid check digits, random birth dates and sequence numbers) are
invented; the law firms are made up in the manner of Hangzhou's, the public bodies are generic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation

from gonghui.core.choices import GRASSROOTS_KINDS
from gonghui.core.models import OrgUnit, User
from gonghui.membership.demo import People
from gonghui.membership.models import Enterprise, Member
from gonghui.rights.choices import (
    AssistanceKind,
    CaseOutcome,
    CaseStatus,
    FundSource,
    ProviderKind,
    ReferralStatus,
    Relation,
    VerificationResult,
)
from gonghui.rights.models import CaseEvent, HardshipEvent, HardshipFile, RightsCase, ServiceRating
from gonghui.rights.services import assistance as assistance_services
from gonghui.rights.services import cases as case_services
from gonghui.rights.services import hardship as hardship_services
from gonghui.rights.services import legalaid as legalaid_services
from gonghui.rights.services import ratings as rating_services

SEED = 4012  # any fixed number; changing it changes every generated case and household

# Who handles cases where: (username, code of the unit whose grassroots unions they serve).
# Street cadres register the cases of the unions of their street; district administrators those
# of the unions reporting to the district directly.
DESKS = (
    ("demo_grassroots", "330106013-001"),
    ("hujing", "330106013"),
    ("zhuyonggang", "330106004"),
    ("demo_district", "330106"),
    ("gaoshuang", "330108002"),
    ("demo_multi", "330108001-001"),
    ("linxiaodan", "330102014"),
    ("wangjianguo", "330102"),
    ("mazhiyuan", "330109002"),
    ("huangwenjie", "330109"),
    ("yangzhenyu", "330110012"),
    ("liuhongmei", "330105013"),  # 拱墅区的管理员 for the unions of 武林街道
)


@dataclass(frozen=True)
class Scenario:
    category: str
    narrative: str  # {employer}, {months}, {amount}, {job}
    amount: tuple[int, int] | None  # yuan claimed, a range
    legal_basis: str
    summary: str  # the closing summary of a closed case
    outcomes: tuple[str, ...]  # the likely outcomes, the first the most


SCENARIOS = (
    Scenario(
        "wages",
        "本人在{employer}从事{job}工作，近{months}个月工资一直拖欠，合计约{amount}元，多次向公司讨要，"
        "负责人以资金周转困难为由推脱。",
        (6000, 42000),
        "《劳动法》第五十条；《劳动合同法》第三十条、第八十五条",
        "经工会协调，企业与职工签订还款协议，拖欠工资已分两期全部支付。",
        (CaseOutcome.MEDIATED, CaseOutcome.INSPECTION, CaseOutcome.ARBITRATION),
    ),
    Scenario(
        "contract",
        "入职{employer}已{months}个月，公司一直未与本人签订书面劳动合同，要求补签合同并支付未签合同期间的二倍工资。",
        (8000, 36000),
        "《劳动合同法》第十条、第八十二条",
        "企业已与职工补签劳动合同，并经调解支付二倍工资差额。",
        (CaseOutcome.MEDIATED, CaseOutcome.ARBITRATION),
    ),
    Scenario(
        "insurance",
        "{employer}自本人入职起未缴纳社会保险，仅每月随工资发放200元补贴，要求依法补缴养老、医疗保险。",
        None,
        "《社会保险法》第五十八条、第六十三条、第八十六条",
        "经工会督促，企业已为职工办理社保登记并补缴欠缴期间的社会保险费。",
        (CaseOutcome.MEDIATED, CaseOutcome.INSPECTION),
    ),
    Scenario(
        "injury",
        "本人在{employer}车间操作冲床时右手食指受伤，住院治疗半个月，公司拒绝申报工伤，只同意支付部分医药费。",
        (15000, 80000),
        "《工伤保险条例》第十四条、第十七条、第三十条",
        "工会协助职工申请工伤认定，已认定为工伤，企业按规定支付停工留薪期工资。",
        (CaseOutcome.MEDIATED, CaseOutcome.ARBITRATION, CaseOutcome.LEGAL_AID),
    ),
    Scenario(
        "hours",
        "{employer}长期安排每天工作12小时、每月仅休息2天，延长工作时间的加班费一直未按规定支付。",
        (5000, 20000),
        "《劳动法》第三十六条、第四十一条、第四十四条",
        "企业调整排班，恢复每周至少休息一天，并补发近一年加班工资。",
        (CaseOutcome.MEDIATED, CaseOutcome.INSPECTION),
    ),
    Scenario(
        "dismissal",
        "{employer}以“经营调整”为由口头通知本人明天起不用上班，未提前通知，也未支付经济补偿，本人已工作{months}个月。",
        (10000, 60000),
        "《劳动合同法》第四十条、第四十六条、第四十七条、第八十七条",
        "经调解，企业按工作年限支付经济补偿及代通知金，双方解除劳动关系。",
        (CaseOutcome.MEDIATED, CaseOutcome.ARBITRATION, CaseOutcome.LITIGATION),
    ),
    Scenario(
        "safety",
        "{employer}喷漆车间通风设施损坏已有两个月，未发放防毒口罩，多名职工出现咳嗽、头晕症状，向班组长反映无人处理。",
        None,
        "《安全生产法》第四十五条；《职业病防治法》第二十二条、第三十九条",
        "工会劳动保护监督检查员到场检查，企业已修复通风设施并配发防护用品，组织职业健康检查。",
        (CaseOutcome.MEDIATED, CaseOutcome.INSPECTION),
    ),
    Scenario(
        "discrimination",
        "本人应聘{employer}{job}岗位，面试通过后因体检显示乙肝病毒携带被拒绝录用。",
        None,
        "《就业促进法》第三条、第三十条；《就业服务与就业管理规定》第十九条",
        "工会约谈企业人力资源部门，企业撤销不录用决定并道歉。",
        (CaseOutcome.MEDIATED, CaseOutcome.OTHER),
    ),
    Scenario(
        "women",
        "本人怀孕五个月后，{employer}以调岗为由将本人从{job}调至仓库，工资降低三成，并暗示本人主动辞职。",
        (4000, 15000),
        "《劳动合同法》第四十二条；《妇女权益保障法》第四十八条；《女职工劳动保护特别规定》第五条",
        "经工会女职工委员会协调，企业恢复原岗位原待遇，补发降薪期间的工资差额。",
        (CaseOutcome.MEDIATED,),
    ),
    Scenario(
        "wages",
        "本人为{employer}站点的网约配送员，站点以超时、差评为由多次扣罚配送费，近{months}个月累计被扣约{amount}元，"
        "申诉无人答复。",
        (1500, 6000),
        "《关于维护新就业形态劳动者劳动保障权益的指导意见》第十条；《劳动合同法》第四条",
        "经工会与平台站点协商，站点退还不合理扣款，并公示扣罚规则、建立申诉渠道。",
        (CaseOutcome.MEDIATED, CaseOutcome.OTHER),
    ),
    Scenario(
        "other",
        "本人已从{employer}离职，公司拒绝出具解除劳动合同证明、办理档案和社保转移，影响新单位入职。",
        None,
        "《劳动合同法》第五十条、第八十九条",
        "企业已出具解除劳动合同证明，并在十五日内办理档案和社会保险关系转移手续。",
        (CaseOutcome.MEDIATED, CaseOutcome.WITHDRAWN),
    ),
)
JOBS = (
    "操作工",
    "仓库管理员",
    "司机",
    "厨师",
    "收银员",
    "电焊工",
    "缝纫工",
    "质检员",
    "保洁员",
    "销售专员",
    "软件测试",
)

WITHDRAWN_SUMMARY = "职工与企业自行和解，撤回诉求。"
DECLINE_REASONS = (
    "经核实，投诉人与被投诉单位之间为承揽关系，不属于劳动争议，建议向市场监督管理部门反映。",
    "该争议已由劳动人事争议仲裁委员会立案受理，工会不再重复受理，可为您提供仲裁法律咨询。",
    "诉求涉及的是房屋租赁纠纷，不属于工会维权受理范围，建议向街道人民调解委员会申请调解。",
)

COLLECTIVE_WAGES = (
    "西溪花园二期项目工地23名农民工反映：分包单位{employer}自今年{since}起未发放工资，合计约486300元。"
    "项目部称总包方未按期拨付工程款，工人多次讨薪无果，情绪激动，有到区政府聚集的苗头。"
)
COLLECTIVE_DISMISSAL = (
    "{employer}计划整体搬迁至安徽生产基地，印染车间15名职工不愿随迁，公司要求职工“自愿离职”，"
    "拒绝支付经济补偿，职工要求依法协商解除劳动合同并足额支付经济补偿。"
)

PROVIDERS = (
    {
        "unit": "330100",
        "name": "杭州市法律援助中心",
        "kind": ProviderKind.AID_CENTRE,
        "organisation": "杭州市司法局",
        "contact_person": "郑立华",
        "phone": "0571-12348",
        "address": "杭州市上城区解放东路18号市民中心",
        "specialties": ["wages", "injury", "dismissal", "contract", "insurance"],
    },
    {
        "unit": "330100",
        "name": "杭州市总工会职工法律服务站",
        "kind": ProviderKind.UNION_STATION,
        "organisation": "杭州市总工会",
        "contact_person": "沈慧敏",
        "phone": "0571-12351",
        "address": "杭州市上城区庆春路126号职工服务中心一楼",
        "specialties": ["wages", "contract", "dismissal", "women", "discrimination", "hours"],
    },
    {
        "unit": "330106",
        "name": "浙江钱塘明理律师事务所",
        "kind": ProviderKind.LAW_FIRM,
        "organisation": "浙江钱塘明理律师事务所",
        "licence_no": "23301200810325467",
        "contact_person": "周文斌",
        "phone": "0571-87961235",
        "address": "杭州市西湖区文三路259号昌地火炬大厦1号楼15层",
        "specialties": ["injury", "dismissal", "insurance"],
    },
    {
        "unit": "330108",
        "name": "浙江之江律和律师事务所",
        "kind": ProviderKind.LAW_FIRM,
        "organisation": "浙江之江律和律师事务所",
        "licence_no": "23301201411078923",
        "contact_person": "邵佳琪",
        "phone": "0571-86698217",
        "address": "杭州市滨江区江南大道3850号创新大厦9层",
        "specialties": ["wages", "contract", "women"],
    },
    {
        "unit": "330109",
        "name": "萧山区总工会法律服务站（驻区劳动人事争议仲裁院）",
        "kind": ProviderKind.UNION_STATION,
        "organisation": "杭州市萧山区总工会",
        "contact_person": "孔建新",
        "phone": "0571-82623351",
        "address": "杭州市萧山区市心中路818号",
        "specialties": ["wages", "injury", "dismissal"],
    },
)

RATING_COMMENTS = {
    5: ("非常感谢工会，工资全部拿到了！", "处理及时，工作人员很耐心", "张老师一直帮我跟公司沟通，很负责", ""),
    4: ("结果满意，就是等的时间有点长", "工会出面后公司态度好多了", ""),
    3: ("问题解决了一部分，补偿比预期少", ""),
    2: ("处理太慢，打了好几次电话才有回复",),
}

# Hardship households: (desk, tier, causes, size of household, annual income, the situation,
# household members as (relation, age, occupation, monthly income, health), what became of it).
HOUSEHOLDS = (
    ("demo_grassroots", "deep", ["illness"], 3, 30000, "配偶患尿毒症，每周透析三次，医保报销后每月自付约2000元，女儿读高中。",  # noqa: E501
     ((Relation.SPOUSE, 47, "无业（患病）", 0, "尿毒症"), (Relation.CHILD, 17, "高中学生", 0, "")), "active"),
    ("demo_grassroots", "relative", ["education", "other"], 4, 62000, "单职工家庭，两个孩子分别读大学和初中，住房为租赁。",  # noqa: E501
     ((Relation.SPOUSE, 44, "家政服务（灵活就业）", 1800, ""), (Relation.CHILD, 20, "大学在读", 0, ""),
      (Relation.CHILD, 13, "初中学生", 0, "")), "active_verified"),
    ("hujing", "accident", ["disaster"], 3, 41000, "今年汛期老家房屋被洪水冲毁，父亲在抢险中受伤住院。",
     ((Relation.PARENT, 71, "务农", 0, "腰椎骨折"), (Relation.CHILD, 9, "小学学生", 0, "")), "active"),
    ("hujing", "deep", ["disability", "illness"], 2, 19000, "本人肢体二级残疾，母亲患阿尔茨海默病需专人照护。",
     ((Relation.PARENT, 76, "退休", 1600, "阿尔茨海默病"),), "active_overdue"),
    ("zhuyonggang", "relative", ["unemployment"], 3, 36000, "配偶所在企业破产失业，本人月收入约3000元，孩子读小学。",
     ((Relation.SPOUSE, 39, "失业，登记求职中", 0, ""), (Relation.CHILD, 8, "小学学生", 0, "")), "exited"),
    ("zhuyonggang", "deep", ["illness"], 4, 48000, "女儿确诊急性淋巴细胞白血病，化疗费用已花费二十余万元，负债较重。",
     ((Relation.SPOUSE, 36, "超市理货员", 2600, ""), (Relation.CHILD, 10, "小学学生（休学治疗）", 0, "急性淋巴细胞白血病"),  # noqa: E501
      (Relation.PARENT, 65, "无固定收入", 0, "高血压")), "active_verified"),
    ("demo_district", "relative", ["illness", "education"], 3, 52000, "本人患乳腺癌术后康复期，儿子考入大学。",
     ((Relation.SPOUSE, 50, "出租车司机", 3200, ""), (Relation.CHILD, 18, "大学一年级", 0, "")), "relapsed"),
    ("gaoshuang", "accident", ["illness"], 2, 28000, "配偶车祸重伤，肇事方无力赔偿，ICU治疗费用已超十五万元。",
     ((Relation.SPOUSE, 33, "快递员（受伤停工）", 0, "多处骨折，颅脑损伤"),), "active"),
    ("gaoshuang", "deep", ["disability"], 3, 26000, "本人因工致残五级，配偶无业照顾家庭，孩子上幼儿园。",
     ((Relation.SPOUSE, 31, "无业", 0, ""), (Relation.CHILD, 5, "幼儿园", 0, "")), "returned"),
    ("linxiaodan", "relative", ["education"], 4, 70000, "三个孩子上学，配偶打零工收入不稳定。",
     ((Relation.SPOUSE, 41, "零工", 1500, ""), (Relation.CHILD, 16, "高中学生", 0, ""),
      (Relation.CHILD, 12, "初中学生", 0, "")), "active"),
    ("mazhiyuan", "deep", ["illness", "disability"], 3, 24000, "本人患慢性肾病，儿子智力残疾二级需长期康复训练。",
     ((Relation.SPOUSE, 52, "保洁员", 2100, "糖尿病"), (Relation.CHILD, 22, "无业", 0, "智力残疾二级")), "active_verified"),  # noqa: E501
    ("mazhiyuan", "relative", ["unemployment", "illness"], 2, 30000, "所在纺织企业停产，本人待岗，母亲常年卧床。",
     ((Relation.PARENT, 80, "无", 0, "脑梗后遗症"),), "exited_early"),
    ("yangzhenyu", "accident", ["disaster"], 4, 58000, "家中突发火灾，房屋及家具全部烧毁，暂住亲戚家。",
     ((Relation.SPOUSE, 35, "餐饮服务员", 2800, ""), (Relation.CHILD, 11, "小学学生", 0, ""),
      (Relation.CHILD, 6, "幼儿园", 0, "")), "pending"),
    ("wangjianguo", "deep", ["illness"], 2, 22000, "本人患肺癌晚期，靶向药每月自费约6000元，配偶残疾。",
     ((Relation.SPOUSE, 58, "无业", 0, "肢体残疾三级"),), "active"),
    ("liuhongmei", "relative", ["education", "unemployment"], 3, 45000, "配偶长期失业，女儿考入浙江大学。",
     ((Relation.SPOUSE, 49, "失业", 0, ""), (Relation.CHILD, 19, "大学在读", 0, "")), "active_verified"),
)  # fmt: skip

BUDGETS = (
    ("330100", 1_200_000, "市总工会帮扶资金（含送温暖、金秋助学专项）"),
    ("330106", 360_000, "区总工会帮扶资金"),
    ("330108", 240_000, "区总工会帮扶资金"),
    ("330102", 260_000, "区总工会帮扶资金"),
    ("330109", 220_000, "区总工会帮扶资金"),
    ("330110", 200_000, "区总工会帮扶资金"),
    ("330105", 180_000, "区总工会帮扶资金"),
    ("330106013", 60_000, "街道总工会帮扶资金"),
)


class _Demo:
    def __init__(self):
        self.rng = random.Random(SEED)  # noqa: S311 - made-up data, reproducible on purpose
        self.people = People(self.rng)
        self.today = timezone.localdate()
        self.units = {unit.code: unit for unit in OrgUnit.objects.order_by("path")}
        names = {username for username, _code in DESKS} | {"demo_city", *REVIEWERS}
        self.users = {user.username: user for user in User.objects.filter(username__in=names, is_active=True)}
        self.desks = []  # (cadre, [grassroots units they serve])
        for username, code in DESKS:
            root = self.units[code]
            served = [
                unit
                for unit in self.units.values()
                if unit.kind in GRASSROOTS_KINDS and unit.path.startswith(root.path) and unit.depth <= root.depth + 1
            ]
            self.desks.append((self.users[username], served or [root]))
        self.counts: dict[str, int] = {}
        self.stamped: dict[int, datetime] = {}  # case id → time of its latest timeline entry

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def this_year(self, month: int, day: int) -> date:
        """A day of this year's calendar, or yesterday if it has not come yet."""
        wanted = date(self.today.year, month, day)
        return wanted if wanted < self.today else max(self.today - timedelta(days=1), date(self.today.year, 1, 1))

    def at(self, day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(self.rng.randint(8, 17), self.rng.randint(0, 59))))

    def stamp_case_events(self, case: RightsCase, day: date) -> None:
        """Move the case's latest timeline entry to the day it happened."""
        last = CaseEvent.objects.filter(case=case).order_by("-id").first()
        # Later steps of a day come later in it: the timeline reads in the order things happened.
        at = self.at(day)
        previous = self.stamped.get(case.pk)
        if previous is not None and at <= previous:
            at = previous + timedelta(minutes=self.rng.randint(5, 40))
        self.stamped[case.pk] = at
        CaseEvent.objects.filter(pk=last.pk).update(at=at)

    # --- people ---

    def complainant(self, unit: OrgUnit) -> dict:
        """A member of the unit (half the time) or a worker who is not a member (yet)."""
        member = None
        if self.rng.random() < 0.5:
            members = Member.objects.filter(org_unit=unit, status="active").order_by("pk")
            count = members.count()
            member = members[self.rng.randrange(count)] if count else None
        if member is not None:
            return {
                "member": member,
                "complainant_name": member.name,
                "complainant_phone": member.phone or self.people.phone(),
                "complainant_id_number": member.id_number,
            }
        gender = "M" if self.rng.random() < 0.6 else "F"
        born = self.people.birth_date(date(1966, 1, 1), date(2004, 12, 31))
        migrant = self.rng.random() < 0.6
        with_id = self.rng.random() < 0.6  # a hotline caller often gives no ID number
        region = self.people.origin(unit.region_code, migrant)
        return {
            "complainant_name": self.people.name(gender, born),
            "complainant_phone": self.people.phone(),
            "complainant_id_number": self.people.id_number(region, born, gender) if with_id else "",
        }

    def employer_of(self, unit: OrgUnit) -> dict:
        enterprise = Enterprise.objects.filter(union_unit=unit).order_by("pk").first()
        if enterprise is not None and self.rng.random() < 0.85:
            return {"enterprise": enterprise}
        street = unit.name.replace("工会委员会", "").replace("联合工会", "")
        name = self.rng.choice(("杭州{}劳务派遣有限公司", "杭州{}物业管理有限公司", "杭州{}餐饮有限公司"))
        return {"employer_name": name.format(street[:2] if len(street) > 4 else "恒达")}

    # --- cases ---

    def register(self, cadre, unit, scenario: Scenario, registered_on: date, **extra) -> RightsCase:
        amount = None
        if scenario.amount:
            amount = Decimal(self.rng.randrange(*scenario.amount, 100))
        employer = self.employer_of(unit)
        employer_label = employer["enterprise"].name if "enterprise" in employer else employer["employer_name"]
        data = {
            "channel": self.rng.choice(("hotline", "hotline", "visit", "visit", "online", "letter", "assigned")),
            "category": scenario.category,
            "workers_involved": 1 if self.rng.random() < 0.85 else self.rng.randint(2, 6),
            "amount_claimed": amount,
            "narrative": scenario.narrative.format(
                employer=employer_label,
                months=self.rng.randint(2, 14),
                amount=amount or "",
                job=self.rng.choice(JOBS),
            ),
            **employer,
            **self.complainant(unit),
            **extra,
        }
        case = case_services.case_register(actor=cadre, org_unit=unit, registered_on=registered_on, **data)
        self.stamp_case_events(case, registered_on)
        return case

    def step(self, case, cadre, to_status: str, on: date, **fields) -> RightsCase:
        case = case_services.case_transition(
            actor=cadre, case=case, to_status=to_status, version=case.version, **fields
        )
        self.stamp_case_events(case, on)
        return case

    def work(self, case: RightsCase, cadre, target: str, age: int, scenario: Scenario) -> RightsCase:
        """Take a registered case `age` days old to `target`, each step on a day of its past."""
        registered = case.registered_on
        if target == CaseStatus.REGISTERED:
            return case
        if target == CaseStatus.DECLINED:
            day = min(registered + timedelta(days=self.rng.randint(0, 2)), self.today)
            case = self.step(case, cadre, CaseStatus.DECLINED, day, reason=self.rng.choice(DECLINE_REASONS))
            return self.backdate(case, {})
        accepted = min(registered + timedelta(days=self.rng.randint(0, 2)), self.today)
        case = self.step(case, cadre, CaseStatus.ACCEPTED, accepted)
        case = case_services.case_assign(actor=cadre, case=case, assignee=cadre)
        self.stamp_case_events(case, accepted)
        dates = {"accepted_on": accepted, "close_due": case_services.close_due_for(accepted)}
        path = {
            CaseStatus.ACCEPTED: [],
            CaseStatus.INVESTIGATING: [CaseStatus.INVESTIGATING],
            CaseStatus.MEDIATING: [CaseStatus.INVESTIGATING, CaseStatus.MEDIATING],
            CaseStatus.CLOSED: [CaseStatus.INVESTIGATING, CaseStatus.MEDIATING][: self.rng.randint(1, 2)],
        }[target]
        day = accepted
        span = max((self.today - accepted).days, 1)
        for status in path:
            day = min(day + timedelta(days=self.rng.randint(1, max(1, span // 3))), self.today)
            case = self.step(case, cadre, status, day)
            if status == CaseStatus.INVESTIGATING and self.rng.random() < 0.5:
                case_services.case_add_note(actor=cadre, case=case, note=self.rng.choice(NOTES))
                self.stamp_case_events(case, day)
        if target == CaseStatus.CLOSED:
            closed = min(day + timedelta(days=self.rng.randint(2, 20)), self.today)
            outcome = scenario.outcomes[int(len(scenario.outcomes) * self.rng.random() ** 2)]
            recovered = None
            if case.amount_claimed and outcome not in (CaseOutcome.WITHDRAWN, CaseOutcome.INSPECTION):
                share = Decimal(self.rng.choice((100, 100, 100, 90, 80, 60))) / 100
                recovered = (case.amount_claimed * share).quantize(Decimal("1"))
            case = self.step(
                case,
                cadre,
                CaseStatus.CLOSED,
                closed,
                outcome=outcome,
                amount_recovered=recovered,
                legal_basis=scenario.legal_basis,
                closing_summary=scenario.summary
                if outcome != CaseOutcome.WITHDRAWN
                else "职工与企业自行和解，撤回诉求。",
            )
            dates["closed_on"] = closed
        return self.backdate(case, dates)

    def backdate(self, case: RightsCase, dates: dict) -> RightsCase:
        """The services stamp today; the demo's steps happened in the past."""
        if case.status in (CaseStatus.ACCEPTED, CaseStatus.INVESTIGATING, CaseStatus.MEDIATING):
            dates["due_on"] = dates["close_due"]
        if dates:
            RightsCase.objects.filter(pk=case.pk).update(**dates)
            case.refresh_from_db()
        return case

    def cases(self) -> None:
        # (status, how many days ago each was registered): ages past the deadline of the step
        # make overdue cases (2 working days to accept, 30 days to close).
        plan = [
            (CaseStatus.REGISTERED, (0, 0, 1, 1, 2, 6, 9, 13)),
            (CaseStatus.ACCEPTED, (3, 4, 6, 9, 14, 20, 41, 47)),
            (CaseStatus.INVESTIGATING, (8, 11, 15, 18, 22, 26, 29, 38, 52, 63)),
            (CaseStatus.MEDIATING, (16, 19, 24, 27, 33, 45, 58, 71)),
            (CaseStatus.DECLINED, (12, 35, 88, 140, 210)),
            (CaseStatus.CLOSED, tuple(30 + 15 * n for n in range(21))),
        ]
        cases = []
        number = 0
        for status, ages in plan:
            for age in ages:
                cadre, served = self.desks[number % len(self.desks)]
                unit = served[(number // len(self.desks)) % len(served)]
                scenario = SCENARIOS[(number * 7) % len(SCENARIOS)]
                case = self.register(cadre, unit, scenario, self.ago(age))
                cases.append(self.work(case, cadre, status, age, scenario))
                number += 1
        cases += self.collective_cases()
        self.counts["rights cases"] = len(cases)
        self.ratings([c for c in cases if c.status == CaseStatus.CLOSED])
        self.legal_aid(cases)

    def collective_cases(self) -> list[RightsCase]:
        """Two collective cases (群体性): unpaid wages of 23 migrant builders, resolved; a plant's
        relocation leaving 15 workers without compensation, under investigation and overdue."""
        admin = self.users["huangwenjie"]
        builder = self.units["330109001-001"]  # 杭州萧山城厢建筑工程公司工会委员会
        registered = self.ago(75)
        foreman = self.complainant(builder)
        wages = case_services.case_register(
            actor=admin,
            org_unit=builder,
            channel="hotline",
            category="wages",
            employer_name="杭州振鑫建筑劳务有限公司",
            workers_involved=23,
            amount_claimed=Decimal("486300"),
            narrative=COLLECTIVE_WAGES.format(employer="杭州振鑫建筑劳务有限公司", since=f"{registered.month}月"),
            registered_on=registered,
            **foreman,
        )
        self.stamp_case_events(wages, registered)
        scenario = Scenario(
            "wages",
            "",
            None,
            "《保障农民工工资支付条例》第二十九条、第三十条、第三十六条；《劳动合同法》第三十条、第八十五条",
            "区总工会会同人社、住建部门约谈总包单位，总包方先行垫付全部拖欠工资486300元，已通过农民工工资专用账户发放到23名工人个人银行卡。",
            (CaseOutcome.MEDIATED,),
        )
        wages = self.step(wages, admin, CaseStatus.ACCEPTED, registered)
        case_services.case_assign(actor=admin, case=wages, assignee=admin)
        self.stamp_case_events(wages, registered)
        wages = RightsCase.objects.get(pk=wages.pk)
        wages = self.step(wages, admin, CaseStatus.INVESTIGATING, registered + timedelta(days=2))
        case_services.case_add_note(
            actor=admin, case=wages, note="已核对工人考勤表和工资表23份，总包单位为浙江钱塘建筑安装工程有限公司。"
        )
        self.stamp_case_events(wages, registered + timedelta(days=3))
        wages = RightsCase.objects.get(pk=wages.pk)
        wages = self.step(wages, admin, CaseStatus.MEDIATING, registered + timedelta(days=6))
        wages = self.step(
            wages,
            admin,
            CaseStatus.CLOSED,
            registered + timedelta(days=18),
            outcome=CaseOutcome.MEDIATED,
            amount_recovered=Decimal("486300"),
            legal_basis=scenario.legal_basis,
            closing_summary=scenario.summary,
        )
        wages = self.backdate(
            wages,
            {
                "accepted_on": registered,
                "close_due": case_services.close_due_for(registered),
                "closed_on": registered + timedelta(days=18),
            },
        )

        plant = self.units["330102018-001"]  # 杭州九堡纺织印染有限公司工会委员会
        cadre = self.users["wangjianguo"]
        registered = self.ago(44)
        relocation = case_services.case_register(
            actor=cadre,
            org_unit=plant,
            channel="visit",
            category="dismissal",
            workers_involved=15,
            amount_claimed=Decimal("1137500"),
            narrative=COLLECTIVE_DISMISSAL.format(employer="杭州九堡纺织印染有限公司"),
            registered_on=registered,
            **self.employer_of(plant),
            **self.complainant(plant),
        )
        self.stamp_case_events(relocation, registered)
        relocation = self.step(relocation, cadre, CaseStatus.ACCEPTED, registered + timedelta(days=1))
        relocation = self.step(relocation, cadre, CaseStatus.INVESTIGATING, registered + timedelta(days=5))
        case_services.case_add_note(
            actor=cadre, case=relocation, note="已召开职工代表座谈会，企业同意就经济补偿方案进行集体协商。"
        )
        self.stamp_case_events(relocation, registered + timedelta(days=9))
        accepted = registered + timedelta(days=1)
        relocation = self.backdate(
            RightsCase.objects.get(pk=relocation.pk),
            {"accepted_on": accepted, "close_due": case_services.close_due_for(accepted)},
        )
        return [wages, relocation]

    def ratings(self, closed: list[RightsCase]) -> None:
        """The workers of about half the closed cases rated the service through their one-time
        link; the stars lean high, as they do."""
        rated = 0
        for case in closed[::2]:
            stars = self.rng.choice((5, 5, 5, 4, 4, 3, 2))
            rating = rating_services.rating_submit(
                case=case,
                token=rating_services.rating_token(case),
                stars=stars,
                comment=self.rng.choice(RATING_COMMENTS[stars]),
            )
            day = min(case.closed_on + timedelta(days=self.rng.randint(1, 6)), self.today)
            ServiceRating.objects.filter(pk=rating.pk).update(rated_at=self.at(day))
            self.stamp_case_events(case, day)
            rated += 1
        self.counts["service ratings"] = rated

    def legal_aid(self, cases: list[RightsCase]) -> None:
        city = self.users["demo_city"]
        providers = {}
        for spec in PROVIDERS:
            fields = {k: v for k, v in spec.items() if k != "unit"}
            providers[spec["name"]] = legalaid_services.provider_create(
                actor=city, org_unit=self.units[spec["unit"]], **fields
            )
        self.counts["legal aid providers"] = len(providers)
        centre, station = providers["杭州市法律援助中心"], providers["杭州市总工会职工法律服务站"]
        referred = 0
        by_user = {user.pk: user for user in self.users.values()}
        for case in cases:
            if case.status == CaseStatus.CLOSED and case.outcome == CaseOutcome.LEGAL_AID:
                actor = by_user.get(case.closed_by_id, city)
                referral = legalaid_services.referral_create(
                    actor=actor,
                    case=case,
                    provider=centre,
                    referred_on=case.closed_on,
                    note="申请人经济困难，符合法律援助条件",
                )
                self.stamp_case_events(case, case.closed_on)
                concluded = min(case.closed_on + timedelta(days=20), self.today)
                legalaid_services.referral_update(
                    actor=actor,
                    referral=referral,
                    status=ReferralStatus.CONCLUDED,
                    outcome="经仲裁调解结案，用人单位支付工伤待遇",
                    concluded_on=concluded,
                    cost=Decimal("3000"),
                    amount_recovered=case.amount_recovered or Decimal("42000"),
                )
                referred += 1
        # Two open cases are with the union's own legal service station.
        for case in [c for c in cases if c.status == CaseStatus.MEDIATING][:2]:
            actor = by_user.get(case.assignee_id, city)
            referral = legalaid_services.referral_create(
                actor=actor, case=case, provider=station, referred_on=case.accepted_on, note="代写仲裁申请书"
            )
            self.stamp_case_events(case, case.accepted_on)
            legalaid_services.referral_update(actor=actor, referral=referral, status=ReferralStatus.IN_PROGRESS)
            referred += 1
        self.counts["legal aid referrals"] = referred

    # --- hardship files and assistance ---

    def household_member(self, relation, age, occupation, income, health, region) -> dict:
        gender = self.rng.choice("MF")
        born = self.today - timedelta(days=int(age * 365.25) + self.rng.randint(0, 300))
        name = self.people.name(gender, born)
        return {
            "name": name,
            "relation": relation,
            "id_number": self.people.id_number(region, born, gender) if age >= 16 or self.rng.random() < 0.7 else "",
            "birth_date": born,
            "occupation": occupation,
            "monthly_income": Decimal(income),
            "health": health,
        }

    def reviewer(self, unit: OrgUnit, file: HardshipFile | None = None) -> User:
        """A user of the union above `unit` (上级审核), a district's administrator if there is one;
        for a file, never the person who submitted it (申报 and 审核 are two people)."""
        file = file or HardshipFile(org_unit=unit, unit_path=unit.path)
        for user in (*(self.users[name] for name in REVIEWERS), *self.users.values()):
            if hardship_services.may_review(user, file):
                return user
        return self.users["demo_city"]

    def hardship(self) -> list[HardshipFile]:
        files = []
        used = set()
        for number, (username, tier, causes, size, income, details, household, fate) in enumerate(HOUSEHOLDS):
            cadre = self.users[username]
            served = next(units for user, units in self.desks if user.username == username)
            unit = served[number % len(served)]
            members = list(
                Member.objects.filter(org_unit=unit, status="active").exclude(pk__in=used).order_by("pk")[:7]
            )
            worker = members[number % len(members)]
            used.add(worker.pk)
            submitted = self.ago(420 if fate in ("active_overdue", "exited", "relapsed") else self.rng.randint(20, 300))
            if fate == "pending":
                submitted = self.ago(self.rng.randint(3, 12))
            threshold = Decimal("1290") if tier == "deep" else Decimal("1935")
            file = hardship_services.hardship_submit(
                actor=cadre,
                org_unit=unit,
                submitted_on=submitted,
                name=worker.name,
                id_number=worker.id_number,
                phone=worker.phone or self.people.phone(),
                enterprise=worker.enterprise,
                tier=tier,
                causes=causes,
                household_size=size,
                annual_household_income=Decimal(income),
                local_threshold=threshold,
                details=details,
                household=[self.household_member(*spec, region=unit.region_code) for spec in household],
            )
            HardshipEvent.objects.filter(file=file).update(on=submitted)
            if fate == "returned":
                hardship_services.hardship_return(
                    actor=self.reviewer(unit, file),
                    file=file,
                    reason="请补充残疾证复印件和近12个月家庭收入证明",
                )
            elif fate != "pending":
                file = self.approve(file, unit, submitted + timedelta(days=self.rng.randint(5, 15)))
                file = self.follow(file, cadre, fate)
            files.append(file)
        self.counts["hardship files"] = len(files)
        return files

    def approve(self, file: HardshipFile, unit: OrgUnit, on: date) -> HardshipFile:
        file = hardship_services.hardship_approve(
            actor=self.reviewer(unit, file), file=file, note="经入户核查，情况属实"
        )
        HardshipFile.objects.filter(pk=file.pk).update(
            approved_on=on, next_verification_due=hardship_services.one_year_after(on)
        )
        HardshipEvent.objects.filter(file=file, kind="approved").update(on=on)
        file.refresh_from_db()
        return file

    def follow(self, file: HardshipFile, cadre, fate: str) -> HardshipFile:
        """What happened to an approved file since: help, a re-verification, an exit, a relapse."""
        if fate in ("active", "active_verified", "active_overdue"):
            self.assist(file, cadre)
        elif fate in ("relapsed", "exited"):  # helped in the months before the exit
            self.assist(file, cadre, latest=file.approved_on + timedelta(days=100))
        if fate == "active_verified" and file.next_verification_due <= self.today:
            hardship_services.hardship_verify(
                actor=cadre,
                file=file,
                done_on=file.next_verification_due - timedelta(days=self.rng.randint(0, 20)),
                result=VerificationResult.CONFIRMED,
                note="入户复核，家庭收入未明显变化",
            )
        elif fate == "active_verified":  # approved less than a year ago: verified early, on time
            done = min(file.approved_on + timedelta(days=self.rng.randint(150, 300)), self.today)
            hardship_services.hardship_verify(
                actor=cadre, file=file, done_on=max(done, file.approved_on), result=VerificationResult.CONFIRMED
            )
        if fate in ("exited", "exited_early", "relapsed"):
            file.refresh_from_db()
            exit_on = min(file.approved_on + timedelta(days=self.rng.randint(120, 300)), self.today)
            hardship_services.hardship_exit(
                actor=cadre, file=file, on=exit_on, reason="配偶已重新就业，家庭人均收入超过当地困难职工标准"
            )
        if fate == "relapsed":
            file.refresh_from_db()
            hardship_services.hardship_relapse(
                actor=cadre,
                file=file,
                on=min(file.exited_on + timedelta(days=60), self.today),
                reason="本人乳腺癌复发再次住院化疗，家庭再度陷入困难",
            )
        file.refresh_from_db()
        return file

    def assist(self, file: HardshipFile, cadre, latest: date | None = None) -> None:
        approver = self.users["demo_city"] if file.tier == "deep" else self.reviewer(file.org_unit)
        kinds = [
            (AssistanceKind.WARMTH, self.this_year(1, 18), 2000 if file.tier == "deep" else 1000, "春节送温暖慰问金"),
            (AssistanceKind.LIVING, self.ago(self.rng.randint(20, 90)), 3000, "季度生活救助"),
        ]
        if "illness" in file.causes or "disability" in file.causes:
            kinds.append((AssistanceKind.MEDICAL, self.ago(self.rng.randint(10, 120)), 5000, "住院自付医疗费用救助"))
        if "education" in file.causes:
            kinds.append((AssistanceKind.EDUCATION, self.this_year(8, 26), 5000, "金秋助学：子女考入大学"))
        if "unemployment" in file.causes:
            kinds.append((AssistanceKind.EMPLOYMENT, self.ago(self.rng.randint(30, 150)), 800, "职业技能培训补贴"))
        if "disaster" in file.causes:
            kinds.append((AssistanceKind.OTHER, self.ago(self.rng.randint(5, 40)), 4000, "突发灾害临时救助"))
        for kind, given_on, amount, description in kinds:
            assistance_services.assistance_record(
                actor=cadre,
                file=file,
                kind=kind,
                amount=Decimal(amount),
                given_on=max(min(given_on, latest or given_on), file.approved_on),
                fund_source=FundSource.SUBSIDY if kind == AssistanceKind.WARMTH else FundSource.UNION_FUNDS,
                approved_by=approver,
                description=description,
            )
            self.counts["assistance records"] = self.counts.get("assistance records", 0) + 1

    def budgets(self) -> None:
        city = self.users["demo_city"]
        for code, amount, note in BUDGETS:
            assistance_services.budget_set(
                actor=city, unit=self.units[code], year=self.today.year, amount=Decimal(amount), note=note
            )
        self.counts["assistance budgets"] = len(BUDGETS)

    def build(self) -> dict[str, int]:
        self.cases()
        self.budgets()
        self.hardship()
        return self.counts


# Who reviews hardship files (上级审核): the districts' administrators first.
REVIEWERS = ("demo_district", "zhaoliming", "wangjianguo", "huangwenjie", "wuxiaoli", "liuhongmei", "hujing")

NOTES = (
    "已电话联系企业人事负责人，对方承诺三个工作日内提供工资发放记录。",
    "到企业实地走访，调取考勤记录和劳动合同，职工所述基本属实。",
    "职工补充提交了微信聊天记录和银行流水截图。",
    "约谈企业法定代表人，告知其法律责任，企业同意协商。",
)


def demo_load() -> dict[str, int]:
    """Add the rights line to the demo city; `gonghui demo` calls it after the membership line's.
    Does nothing where there is no demo city, its members are missing, or cases are there
    already, so loading twice never duplicates anything. Returns what it created, by kind."""
    if RightsCase.objects.exists() or not User.objects.filter(username="demo_city").exists():
        return {}
    if not Member.objects.exists():
        return {}
    # The timeline's texts written by the services (legal aid notes) are in the demo's language.
    with translation.override("zh-hans"), transaction.atomic():
        return _Demo().build()
