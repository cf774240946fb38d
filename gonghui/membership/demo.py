"""Demo data of the membership line, and the made-up people and employers `gonghui synth` uses.

`demo_load()` extends the demo city federation of `gonghui.core.demo` (杭州市总工会) with
employers, members, join applications, transfers and an organising drive. `gonghui demo` (and so
`gonghui setup` on an empty database) calls it through `core.demo.demo_extensions()`.

Everything comes from fixed tables and one seeded generator: two runs give the same rows. The
enterprises are named after the demo's grassroots unions (杭州恒锐电子科技有限公司 has the
杭州恒锐电子科技有限公司工会委员会) or made up the same way; people, ID numbers (valid GB 11643
check digits, never real persons: the birth dates and sequence numbers are drawn at random) and
phone numbers are invented.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gonghui.core.audit import audit_record
from gonghui.core.choices import GRASSROOTS_KINDS, AuditAction, UnitKind
from gonghui.core.demo import DISTRICT_BY_CODE
from gonghui.core.models import OrgUnit, User
from gonghui.lib.creditcode import make_credit_code
from gonghui.lib.idnumber import make_id_number
from gonghui.lib.regions import children, get_region
from gonghui.membership.choices import (
    NON_PUBLIC,
    DriveStage,
    Education,
    Ethnicity,
    Industry,
    MemberEventKind,
    MemberStatus,
    Ownership,
    TransferSide,
)
from gonghui.membership.models import DriveTarget, Enterprise, Member, MemberEvent
from gonghui.membership.services.bulk import EnterpriseRow, MemberRow, insert_enterprises, insert_members
from gonghui.membership.services.coverage import CoverageDelta, coverage_rebuild
from gonghui.membership.services.drives import drive_add_targets, drive_create, drive_target_assign, drive_target_visit
from gonghui.membership.services.joins import application_approve, application_reject, application_submit
from gonghui.membership.services.transfers import transfer_accept, transfer_start

# --- made-up people -----------------------------------------------------------------------------

# The most frequent surnames with their approximate share of the population in percent (2020
# census, 公安部户籍统计), so a large sample has as many 王 and 李 as the country does.
SURNAMES = (
    ("王", 7.1), ("李", 7.0), ("张", 6.6), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.2), ("赵", 2.0),
    ("吴", 1.9), ("周", 1.8), ("徐", 1.5), ("孙", 1.4), ("马", 1.2), ("朱", 1.2), ("胡", 1.1), ("郭", 1.0),
    ("何", 1.0), ("高", 1.0), ("林", 1.0), ("罗", 0.9), ("郑", 0.9), ("梁", 0.9), ("谢", 0.8), ("宋", 0.7),
    ("唐", 0.7), ("许", 0.7), ("韩", 0.6), ("冯", 0.6), ("邓", 0.6), ("曹", 0.6), ("彭", 0.6), ("曾", 0.5),
    ("肖", 0.5), ("田", 0.5), ("董", 0.5), ("袁", 0.5), ("潘", 0.5), ("于", 0.5), ("蒋", 0.5), ("蔡", 0.5),
    ("余", 0.4), ("杜", 0.4), ("叶", 0.4), ("程", 0.4), ("苏", 0.4), ("魏", 0.4), ("吕", 0.4), ("丁", 0.4),
    ("任", 0.4), ("沈", 0.3), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
    ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.3), ("廖", 0.3), ("贾", 0.3), ("夏", 0.3),
    ("韦", 0.2), ("付", 0.2), ("方", 0.2), ("白", 0.2), ("邹", 0.2), ("孟", 0.2), ("熊", 0.2), ("秦", 0.2),
    ("邱", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("闫", 0.2), ("段", 0.2), ("雷", 0.2), ("侯", 0.2),
    ("龙", 0.2), ("史", 0.2), ("陶", 0.2), ("黎", 0.2), ("贺", 0.2), ("顾", 0.2), ("毛", 0.2), ("郝", 0.2),
    ("龚", 0.2), ("邵", 0.2), ("万", 0.2), ("钱", 0.2), ("严", 0.2), ("覃", 0.1), ("武", 0.1), ("戴", 0.1),
    ("莫", 0.1), ("孔", 0.1), ("向", 0.1), ("汤", 0.1), ("欧阳", 0.05), ("司马", 0.01), ("诸葛", 0.01),
)  # fmt: skip

# Given names by birth cohort and gender: whole names that were popular then (the first ones the
# most), and characters that make up the rest. Single-character given names peaked in the 1980s.
GIVEN = {
    ("old", "M"): ("建国 建华 建平 国强 国平 志强 志明 建军 卫东 德明 永刚 振华 立新 红军 解放 金生 长江 国庆 春生",
                   "国 建 志 德 永 振 卫 立 红 金 文 明 强 华 平 军 生 林 海 春 荣 忠 福 贵 成 祥 山"),
    ("old", "F"): ("秀英 桂英 秀兰 玉兰 桂兰 秀珍 凤英 玉珍 淑芬 素珍 桂芳 玉梅 秀云 红霞 丽华 美玲 春梅 爱华 淑英",
                   "秀 桂 玉 淑 素 凤 美 丽 红 爱 春 英 兰 珍 芬 梅 云 霞 华 芳 琴 花 娥 萍 菊"),
    ("mid", "M"): ("伟 磊 勇 军 杰 涛 斌 超 强 鹏 浩 俊杰 海峰 晓东 建伟 志刚 文博 明辉 海涛 剑",
                   "晓 海 俊 文 明 志 建 伟 鹏 浩 磊 涛 斌 杰 辉 峰 刚 波 军 龙 飞 强 亮 东 宁 勇"),
    ("mid", "F"): ("芳 娜 敏 静 丽 艳 娟 霞 婷 燕 慧 海燕 丽娟 晓红 雪梅 红梅 晓燕 丽丽 莉 颖",
                   "晓 丽 海 雪 春 红 秀 美 静 燕 娟 霞 婷 芳 敏 艳 玲 慧 萍 琳 洁 倩 颖 丹 莉 梅"),
    ("young", "M"): ("浩然 子豪 宇航 浩宇 子轩 俊杰 宇轩 一鸣 家豪 博文 天宇 皓轩 梓豪 明轩 宇 晨 鑫 浩 昊 凯",
                     "子 浩 宇 俊 博 天 家 梓 明 皓 一 泽 文 晨 睿 轩 豪 航 然 杰 鑫 阳 磊 凯 鹏 涛"),
    ("young", "F"): ("欣怡 子涵 梓涵 雨欣 佳怡 诗涵 思琪 梦瑶 雨婷 可欣 一诺 语嫣 雨涵 佳琪 心怡 婷 琪 萱 悦 琳",
                     "欣 子 梓 雨 佳 诗 思 梦 可 语 心 雅 婧 怡 涵 琪 瑶 婷 萱 悦 琳 彤 璐 妍 倩 颖"),
}  # fmt: skip

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182", "183", "185",
    "186", "187", "188", "189", "191", "195", "198", "199",
)  # fmt: skip

# Ethnic groups as members of a union in an eastern province report them: mostly Han.
ETHNICITIES = (
    (Ethnicity.HAN, 91.0), (Ethnicity.ZHUANG, 1.3), (Ethnicity.HUI, 0.9), (Ethnicity.MANCHU, 0.8),
    (Ethnicity.UYGHUR, 0.6), (Ethnicity.MIAO, 0.7), (Ethnicity.YI, 0.6), (Ethnicity.TUJIA, 0.7),
    (Ethnicity.TIBETAN, 0.4), (Ethnicity.MONGOL, 0.4), (Ethnicity.DONG, 0.3), (Ethnicity.BUYEI, 0.3),
    (Ethnicity.YAO, 0.2), (Ethnicity.BAI, 0.2), (Ethnicity.KOREAN, 0.2), (Ethnicity.SHE, 0.1),
    (Ethnicity.HANI, 0.1),
)  # fmt: skip
EDUCATION = (
    (Education.PRIMARY, 4), (Education.JUNIOR, 24), (Education.SENIOR, 28), (Education.COLLEGE, 20),
    (Education.BACHELOR, 20), (Education.POSTGRADUATE, 4),
)  # fmt: skip

# Provinces most migrant workers come from (劳务输出大省): 河南 四川 安徽 湖南 贵州 江西 广西 湖北 重庆.
SENDING_PROVINCES = ("41", "51", "34", "43", "52", "36", "45", "42", "50")

BIRTH_FIRST, BIRTH_LAST = date(1960, 1, 1), date(2005, 12, 31)
BIRTH_DAYS = (BIRTH_LAST - BIRTH_FIRST).days + 1


def _cumulative(pairs):
    values, weights = zip(*pairs, strict=True)
    return values, tuple(itertools.accumulate(weights))


def _cohort(born: date) -> str:
    return "old" if born.year < 1976 else "mid" if born.year < 1991 else "young"


def county_codes() -> list[str]:
    """Every county-level region code of the table (the regions ID numbers are issued in)."""
    return sorted(
        region.code
        for province in children(None)
        for city in children(province.code)
        for region in (children(city.code) or [city])
    )


class People:
    """Names, birth dates, ID numbers and phone numbers drawn from one seeded generator.

    ID numbers are unique without remembering them: each (region, birth date) pair has a counter
    in a byte array (3,229 regions × 16,802 days, 54 MB), and the counter picks a distinct
    sequence number (and the gender its parity needs). Phone numbers are unique because their
    last eight digits are a bijection of a serial number.
    """

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames, self.surname_weights = _cumulative(SURNAMES)
        self.ethnicities, self.ethnicity_weights = _cumulative(ETHNICITIES)
        self.educations, self.education_weights = _cumulative(EDUCATION)
        self.given = {key: (whole.split(), chars.split()) for key, (whole, chars) in GIVEN.items()}
        self.regions = {code: index for index, code in enumerate(sorted(_all_region_codes()))}
        self.sending = [code for code in county_codes() if code[:2] in SENDING_PROVINCES]
        self.counters = bytearray(len(self.regions) * BIRTH_DAYS)
        self.serial = itertools.count(1)

    def pick(self, values, cum_weights):
        return values[bisect.bisect(cum_weights, self.rng.random() * cum_weights[-1])]

    def surname(self) -> str:
        return self.pick(self.surnames, self.surname_weights)

    def given_name(self, gender: str, born: date) -> str:
        whole, chars = self.given[(_cohort(born), gender)]
        roll = self.rng.random()
        if roll < 0.45:  # a popular name of the time; the first of the list the most popular
            return whole[int(len(whole) * self.rng.random() ** 2)]
        if roll < 0.55:
            return self.rng.choice(chars)
        return self.rng.choice(chars) + self.rng.choice(chars)

    def name(self, gender: str, born: date) -> str:
        return self.surname() + self.given_name(gender, born)

    def birth_date(self, first: date = BIRTH_FIRST, last: date = BIRTH_LAST) -> date:
        """Working ages: a triangular spread that peaks in the late 1980s."""
        span = (last - first).days
        return first + timedelta(days=int(self.rng.triangular(0, span, span * 0.62)))

    def ethnicity(self) -> str:
        return self.pick(self.ethnicities, self.ethnicity_weights)

    def education(self) -> str:
        return self.pick(self.educations, self.education_weights)

    def origin(self, local: str, migrant: bool) -> str:
        """Where an ID number was issued: the local county, or for most migrant workers a county
        of a province they come from."""
        if migrant and self.rng.random() < 0.8:
            return self.rng.choice(self.sending)
        return local

    def id_number(self, region: str, born: date, gender: str) -> str:
        """A valid, unique ID number. A (region, day) that ran out of numbers moves a day on."""
        region_index = self.regions[region]
        while True:
            day = (born - BIRTH_FIRST).days
            slot = region_index * BIRTH_DAYS + day
            used = self.counters[slot]
            if used < 250:
                self.counters[slot] = used + 1
                # 263 is prime to 500: distinct `used` give distinct numbers, in a scattered order
                base = (used * 263 + slot) % 500
                return make_id_number(region, born, base * 2 + (gender == "M"))
            born = born + timedelta(days=1) if born < BIRTH_LAST else BIRTH_FIRST

    def phone(self) -> str:
        # 7,919 is prime to 10⁸, so the last eight digits never repeat for 10⁸ serials.
        tail = (next(self.serial) * 7919 + 31_415_926) % 100_000_000
        return f"{self.rng.choice(MOBILE_PREFIXES)}{tail:08d}"


def _all_region_codes():
    for province in children(None):
        yield province.code
        for city in children(province.code):
            yield city.code
            for county in children(city.code):
                yield county.code


# --- made-up employers --------------------------------------------------------------------------

# 字号 (trade names) are two characters from this list; the industry word says what they do.
TRADE_CHARS = (
    "恒锐华澜鸿瑞泰纳晶芯海柯远腾永祥卡伦聚才长河万塘德曼智联金城中天宏达新泽信诚博远嘉和正泰安盛"
    "鼎盛华信天成瑞丰汇通众邦宇通立德百川康达顺丰凯旋明阳星辰兴业东方锦江同创佳"
)

INDUSTRY_WORDS = {
    Industry.A: "农业开发 生态农业 茶业 农产品",
    Industry.B: "矿业 石材",
    Industry.C: "电子科技 精密机械 纺织印染 食品 化纤 汽车零部件 服饰 五金制品 新材料 医疗器械",
    Industry.D: "能源 燃气 供水",
    Industry.E: "建设工程 建筑安装工程 装饰工程 市政工程",
    Industry.F: "商贸 贸易 百货 超市 医药连锁",
    Industry.G: "物流 运输 供应链管理 快递服务 货运代理",
    Industry.H: "餐饮管理 酒店管理 餐饮",
    Industry.I: "网络科技 信息技术 软件 数据科技 智能科技",
    Industry.J: "投资管理 融资租赁",
    Industry.K: "房地产开发 物业服务",
    Industry.L: "人力资源服务 企业管理咨询 商务咨询 保安服务",
    Industry.M: "检测技术 工程设计 环境科技",
    Industry.N: "环境卫生服务 园林绿化工程",
    Industry.O: "家政服务 汽车维修服务 美容美发",
    Industry.P: "教育科技 职业培训学校",
    Industry.Q: "医院 健康管理",
    Industry.R: "文化传媒 影视传媒 体育发展",
}
SHOP_WORDS = {
    Industry.H: ("小吃店", "快餐店", "面馆", "早餐店"),
    Industry.F: ("便利店", "服装店", "水果店", "五金店"),
    Industry.O: ("理发店", "洗衣店", "维修部"),
}
# Public institutions and social organisations: (name ending, industry).
INSTITUTIONS = (
    ("市政设施管理中心", Industry.N), ("公共交通服务中心", Industry.G), ("人民医院", Industry.Q),
    ("职业技术学校", Industry.P), ("图书馆", Industry.R), ("疾病预防控制中心", Industry.Q),
)  # fmt: skip
SOCIAL_ORGANISATIONS = (
    ("社会工作服务中心", Industry.S), ("养老服务中心", Industry.Q), ("行业协会", Industry.S),
    ("志愿者协会", Industry.S),
)  # fmt: skip

# Shares of all employers (in percent), roughly as union statistics count them.
OWNERSHIPS = (
    (Ownership.PRIVATE, 68), (Ownership.INDIVIDUAL, 9), (Ownership.STATE, 5), (Ownership.COLLECTIVE, 2),
    (Ownership.FOREIGN, 3), (Ownership.HMT, 3), (Ownership.SOCIAL, 5), (Ownership.PUBLIC_INSTITUTION, 5),
)  # fmt: skip
INDUSTRIES = (
    (Industry.C, 26), (Industry.F, 16), (Industry.L, 9), (Industry.I, 7), (Industry.E, 7), (Industry.G, 6),
    (Industry.H, 6), (Industry.M, 5), (Industry.O, 4), (Industry.K, 3), (Industry.A, 2), (Industry.R, 2),
    (Industry.N, 2), (Industry.J, 1), (Industry.D, 1), (Industry.B, 1), (Industry.P, 1), (Industry.Q, 1),
)  # fmt: skip
# Share of migrant and new-employment-form workers among employees by industry, in percent.
MIGRANT_SHARE = {Industry.C: 45, Industry.E: 70, Industry.G: 55, Industry.H: 50, Industry.O: 45, Industry.N: 40}
NEW_FORM_SHARE = {Industry.G: 35, Industry.H: 15, Industry.I: 8, Industry.O: 10, Industry.L: 6}
NEW_FORM_OCCUPATIONS = {
    Industry.G: "快递员、货车司机",
    Industry.H: "外卖配送员",
    Industry.I: "网约车司机、网络主播",
    Industry.O: "家政服务员",
    Industry.L: "网约配送员",
}
# Credit code authority and organisation type by ownership (GB 32100): 91 enterprise, 92
# individual business, 52 social service organisation (民政), 12 public institution (机构编制).
CREDIT_KIND = {
    Ownership.INDIVIDUAL: ("9", "2"),
    Ownership.SOCIAL: ("5", "2"),
    Ownership.PUBLIC_INSTITUTION: ("1", "2"),
}
PLACEHOLDERS = ("市辖区", "县")
PLACE_SUFFIXES = "特别行政区 维吾尔自治区 壮族自治区 回族自治区 自治区 自治州 省 市 县 地区 盟".split()
FOREIGN_NAMES = ("卡尔斯", "富伦斯", "泰纳", "永祥", "爱德蒙", "铃丰", "三和", "伯格曼", "丰田通商", "富士康")


def short_place(region_code: str) -> str:
    """The place name a company puts first: 杭州 for 330106, 萧山 for a county-level city."""
    region = get_region(region_code)
    while region is not None and ((region.name.endswith("区") and region.level == 3) or region.name in PLACEHOLDERS):
        region = get_region(region.parent_code)
    if region is None:
        return ""
    name = region.name
    for suffix in PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class EnterpriseDraft:
    name: str
    credit_code: str
    ownership: str
    industry: str
    employees: int
    migrant_workers: int
    new_form_workers: int
    new_form_occupations: str


class Employers:
    """Names, credit codes, ownership, industry and workforce of made-up employers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ownerships, self.ownership_weights = _cumulative(OWNERSHIPS)
        self.industries, self.industry_weights = _cumulative(INDUSTRIES)
        self.serial = itertools.count(1)

    def pick(self, values, cum_weights):
        return values[bisect.bisect(cum_weights, self.rng.random() * cum_weights[-1])]

    def trade_name(self) -> str:
        return self.rng.choice(TRADE_CHARS) + self.rng.choice(TRADE_CHARS)

    def name(self, region_code: str, ownership: str, industry: str, ending: str = "") -> str:
        """A name as such an employer would have; `ending` names an institution (人民医院)."""
        place, trade = short_place(region_code), self.trade_name()
        region = get_region(region_code)
        if ownership == Ownership.INDIVIDUAL:
            return f"{region.name if region else place}{trade}{self.rng.choice(SHOP_WORDS.get(industry, ('便利店',)))}"
        if ownership == Ownership.SOCIAL:
            return f"{place}{trade}{ending}"
        if ownership == Ownership.PUBLIC_INSTITUTION:
            return f"{region.name if region else place}{ending}"
        word = self.rng.choice(INDUSTRY_WORDS.get(industry, "科技").split())
        if ownership in (Ownership.FOREIGN, Ownership.HMT):
            return f"{self.rng.choice(FOREIGN_NAMES)}{word}（{place}）有限公司"
        if ownership == Ownership.COLLECTIVE:
            return f"{place}{trade}{word}合作社" if industry == Industry.A else f"{place}{trade}{word}厂"
        suffix = "股份有限公司" if self.rng.random() < 0.12 else "有限公司"
        if ownership == Ownership.STATE:
            return f"{place}{trade}{word}集团{suffix}"
        return f"{place}{trade}{word}{suffix}"

    def credit_code(self, region_code: str, ownership: str) -> str:
        # A scrambled serial (a bijection modulo 31⁹: the factor is prime to 31) makes distinct,
        # random-looking codes.
        authority, org_type = CREDIT_KIND.get(ownership, ("9", "1"))
        serial = (next(self.serial) * 16_341_108_374_117 + 7_654_321) % 31**9
        return make_credit_code(region_code, serial, authority=authority, org_type=org_type)

    def workforce(self, ownership: str, industry: str, employees: int) -> tuple[int, int, str]:
        """(migrant workers, new-form workers, their occupations) among `employees`. New forms of
        employment are a thing of private platforms and their contractors."""
        rng = self.rng
        migrant = min(employees, round(employees * MIGRANT_SHARE.get(industry, 15) / 100 * rng.uniform(0.5, 1.5)))
        share = NEW_FORM_SHARE.get(industry, 0) if ownership in NON_PUBLIC else 0
        new_form = min(employees, round(employees * share / 100 * rng.uniform(0.5, 1.5))) if share else 0
        return migrant, new_form, NEW_FORM_OCCUPATIONS.get(industry, "") if new_form else ""

    def draft(self, region: str, *, employees: int | None = None, ownership=None, industry=None) -> EnterpriseDraft:
        ownership = ownership or self.pick(self.ownerships, self.ownership_weights)
        ending = ""
        if ownership in (Ownership.SOCIAL, Ownership.PUBLIC_INSTITUTION):
            ending, industry = self.rng.choice(SOCIAL_ORGANISATIONS if ownership == Ownership.SOCIAL else INSTITUTIONS)
        industry = industry or self.pick(self.industries, self.industry_weights)
        if employees is None:
            # Most employers are small; a few are large (a Pareto tail).
            limit = 8 if ownership == Ownership.INDIVIDUAL else 5000
            employees = min(limit, max(1, int(3 * self.rng.paretovariate(0.9))))
        migrant, new_form, occupations = self.workforce(ownership, industry, employees)
        return EnterpriseDraft(
            name=self.name(region, ownership, industry, ending),
            credit_code=self.credit_code(region, ownership),
            ownership=ownership,
            industry=industry,
            employees=employees,
            migrant_workers=migrant,
            new_form_workers=new_form,
            new_form_occupations=occupations,
        )


# --- the demo city's employers and members ------------------------------------------------------

# What a demo union's name tells about its employer: the first keyword found decides.
OWNERSHIP_KEYWORDS = (
    ("港联", Ownership.HMT), ("（杭州）", Ownership.FOREIGN), ("协会", Ownership.SOCIAL),
    ("社会工作服务中心", Ownership.SOCIAL), ("图书馆", Ownership.PUBLIC_INSTITUTION),
    ("中学", Ownership.PUBLIC_INSTITUTION), ("学校", Ownership.PUBLIC_INSTITUTION),
    ("小学", Ownership.PUBLIC_INSTITUTION), ("医院", Ownership.PUBLIC_INSTITUTION),
    ("卫生服务中心", Ownership.PUBLIC_INSTITUTION), ("合作社", Ownership.COLLECTIVE), ("服装厂", Ownership.COLLECTIVE),
    ("城厢建筑工程公司", Ownership.COLLECTIVE), ("国有资产", Ownership.STATE), ("城市建设投资", Ownership.STATE),
    ("公交集团", Ownership.STATE), ("交通集团", Ownership.STATE), ("粮食收储", Ownership.STATE),
    ("钱江新城建设", Ownership.STATE), ("城建第三", Ownership.STATE), ("运河文化旅游", Ownership.STATE),
)  # fmt: skip
INDUSTRY_KEYWORDS = (
    ("协会", Industry.S), ("社会工作", Industry.S), ("传媒", Industry.R), ("文化旅游", Industry.R),
    ("图书馆", Industry.R), ("餐饮", Industry.H), ("宾馆", Industry.H), ("置业", Industry.K),
    ("建设开发", Industry.K), ("商业街区", Industry.L), ("财务咨询", Industry.L), ("人力资源", Industry.L),
    ("农贸市场", Industry.L), ("股份经济合作社", Industry.L), ("国有资产", Industry.J), ("城市建设投资", Industry.J),
    ("药房", Industry.F), ("百货", Industry.F), ("供销", Industry.F), ("粮食", Industry.F), ("物流", Industry.G),
    ("公交", Industry.G), ("交通", Industry.G), ("教育", Industry.P), ("中学", Industry.P), ("学校", Industry.P),
    ("小学", Industry.P), ("医院", Industry.Q), ("卫生", Industry.Q), ("蔬果", Industry.A), ("网络", Industry.I),
    ("信息技术", Industry.I), ("软件", Industry.I), ("建筑", Industry.E), ("建设集团", Industry.E),
    ("城建", Industry.E), ("工程", Industry.E),
)  # fmt: skip
# Employees of a demo employer by ownership (a sample of the city: small enough that ~1,500
# members give believable membership rates).
EMPLOYEES = {
    Ownership.STATE: (30, 90), Ownership.FOREIGN: (20, 70), Ownership.HMT: (15, 45), Ownership.PRIVATE: (6, 45),
    Ownership.PUBLIC_INSTITUTION: (10, 50), Ownership.SOCIAL: (3, 12), Ownership.COLLECTIVE: (6, 30),
}  # fmt: skip
# The small employers a joint union covers, by what the union's name says: (keyword, industry,
# ownership, how many or which ones).
JOINT_THEMES = (
    ("商务楼宇", Industry.L, Ownership.PRIVATE, 2), ("服装市场", Industry.F, Ownership.INDIVIDUAL, 2),
    ("餐饮", Industry.H, Ownership.INDIVIDUAL, 2), ("快递物流", Industry.G, Ownership.PRIVATE, 2),
    ("网约配送", Industry.G, Ownership.PRIVATE, 1), ("梦想小镇", Industry.I, Ownership.PRIVATE, 2),
    ("小微企业", None, Ownership.PRIVATE, 2),
    ("社区卫生", Industry.Q, Ownership.PUBLIC_INSTITUTION, (
        "杭州市滨江区长河街道社区卫生服务中心", "杭州市滨江区浦沿街道社区卫生服务中心",
    )),
)  # fmt: skip
# Employees of the employers in the districts without a union yet (the drive's targets): most
# have 25 or more, so a union committee is due.
NOT_UNIONISED = (180, 96, 64, 45, 38, 32, 27, 26, 21, 14, 9, 6)
VISIT_NOTES = {
    DriveStage.VISITED: "走访企业负责人，宣讲《工会法》和建会入会政策，企业表示支持。",
    DriveStage.PREPARING: "召开职工座谈会，成立建会筹备小组，拟定会员登记名单。",
    DriveStage.UNIONISED: "企业职工加入街道联合工会，完成会员登记。",
    DriveStage.DEFERRED: "企业负责人外出，厂区正在搬迁。",
}
# Streets (with a cadre account) where the employers without a union are kept, and the joint union
# there that a small employer may join when the drive succeeds.
DRIVE_STREETS = (
    ("330106013", "hujing", "330106013-002"),
    ("330106004", "zhuyonggang", "330106004-003"),
    ("330108002", "gaoshuang", None),
    ("330102014", "linxiaodan", "330102014-003"),
    ("330109002", "mazhiyuan", "330109002-003"),
    ("330110012", "yangzhenyu", "330110012-001"),
)
MEMBER_RATE = (0.55, 0.95)  # members / employees in a unionised employer
DEMO_CREDIT_REGION = "330100"
SEED = 2261


def _first_match(name: str, rules, default):
    return next((value for keyword, value in rules if keyword in name), default)


def _employer_name(union_name: str) -> str:
    for suffix in ("工会委员会", "联合工会", "工会"):
        if union_name.endswith(suffix):
            return union_name[: -len(suffix)]
    return union_name


class _Demo:
    """Builds the membership demo on top of the demo city's units and accounts."""

    def __init__(self):

        self.rng = random.Random(SEED)  # noqa: S311 - made-up data, reproducible on purpose
        self.people = People(self.rng)
        self.employers = Employers(self.rng)
        self.today = timezone.localdate()
        self.units = {unit.code: unit for unit in OrgUnit.objects.order_by("path")}
        cadres = [username for _street, username, _joint in DRIVE_STREETS]
        self.users = {
            u.username: u for u in User.objects.filter(Q(username__startswith="demo_") | Q(username__in=cadres))
        }
        self.city = self.users["demo_city"]
        self.planned: list[tuple[EnterpriseRow, OrgUnit | None]] = []  # (employer, covering union)
        self.enterprises: list[tuple[int, EnterpriseRow, OrgUnit | None]] = []  # (id, employer, union)
        self.counts: dict[str, int] = {}

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    # --- employers ---

    def employer(self, unit, union, draft: EnterpriseDraft, address: str) -> None:
        row = EnterpriseRow(
            **{name: getattr(draft, name) for name in EnterpriseDraft.__dataclass_fields__},
            region_code=unit.region_code,
            address=address,
            union_unit_id=union.pk if union else None,
            org_unit_id=unit.pk,
            unit_path=unit.path,
        )
        self.planned.append((row, union))

    def insert_employers(self) -> None:
        """All employers in one bulk insert (with their search tokens and coverage)."""
        ids = insert_enterprises([row for row, _union in self.planned], delta=CoverageDelta())  # see build()
        self.enterprises = [(pk, row, union) for pk, (row, union) in zip(ids, self.planned, strict=True)]
        self.counts["enterprises"] = len(ids)

    def employers_of_unions(self) -> None:
        rng = self.rng
        for union in (unit for unit in self.units.values() if unit.kind in GRASSROOTS_KINDS):
            if union.kind == UnitKind.JOINT_GRASSROOTS:
                _keyword, industry, ownership, covered = next(t for t in JOINT_THEMES if t[0] in union.name)
                for name in covered if isinstance(covered, tuple) else [None] * covered:
                    employees = rng.randint(3, 18)
                    if name:
                        draft = self.named(name, union.region_code, ownership, industry, employees)
                    else:
                        draft = self.employers.draft(
                            union.region_code, employees=employees, ownership=ownership, industry=industry
                        )
                    self.employer(union, union, draft, self.address(union.region_code))
                continue
            name = _employer_name(union.name)
            ownership = _first_match(name, OWNERSHIP_KEYWORDS, Ownership.PRIVATE)
            industry = _first_match(name, INDUSTRY_KEYWORDS, Industry.C)
            draft = self.named(name, union.region_code, ownership, industry, rng.randint(*EMPLOYEES[ownership]))
            self.employer(union, union, draft, union.address)

    def named(self, name: str, region: str, ownership: str, industry: str, employees: int) -> EnterpriseDraft:
        migrant, new_form, occupations = self.employers.workforce(ownership, industry, employees)
        return EnterpriseDraft(
            name=name,
            credit_code=self.employers.credit_code(region, ownership),
            ownership=ownership,
            industry=industry,
            employees=employees,
            migrant_workers=migrant,
            new_form_workers=new_form,
            new_form_occupations=occupations,
        )

    def employers_without_union(self) -> None:
        """Kept at the streets whose cadres have accounts, so the drive's targets have people."""
        for number, employees in enumerate(NOT_UNIONISED):
            street = self.units[DRIVE_STREETS[number % len(DRIVE_STREETS)][0]]
            draft = self.employers.draft(street.region_code, employees=employees, ownership=Ownership.PRIVATE)
            self.employer(street, None, draft, self.address(street.region_code))

    def address(self, district: str) -> str:

        district = DISTRICT_BY_CODE[district]
        return f"杭州市{district.name}{self.rng.choice(district.roads)}{self.rng.randint(1, 600)}号"

    # --- members ---

    def members(self) -> None:
        rows: list[MemberRow] = []
        for pk, enterprise, union in self.enterprises:
            if union is not None:
                count = round(enterprise.employees * self.rng.uniform(*MEMBER_RATE))
                rows += [self.member(enterprise, pk, union) for _ in range(count)]
        dims = {pk: (e.ownership, e.industry, e.region_code) for pk, e, _union in self.enterprises}
        ids = insert_members(rows, dims=dims, delta=CoverageDelta(), event=(MemberEventKind.JOINED, None, ""))
        kinds = {MemberStatus.LEFT: MemberEventKind.LEFT, MemberStatus.DECEASED: MemberEventKind.DECEASED}
        MemberEvent.objects.bulk_create(
            MemberEvent(member_id=pk, kind=kinds[row.status], on=row.status_date, from_unit_id=row.org_unit_id)
            for pk, row in zip(ids, rows, strict=True)
            if row.status in kinds
        )
        self.counts["members"] = len(rows)

    def member(self, enterprise: EnterpriseRow, enterprise_id: int, union: OrgUnit) -> MemberRow:
        rng, people, today = self.rng, self.people, self.today
        gender = "M" if rng.random() < 0.55 else "F"
        born = people.birth_date()
        migrant = rng.random() * enterprise.employees < enterprise.migrant_workers
        adult = date(born.year + 18, born.month, min(born.day, 28))
        first = max(adult, union.founded_on or adult, today - timedelta(days=20 * 365))
        span = (today - first).days
        joined = first + timedelta(days=int(rng.triangular(0, span, span)))  # most joined lately
        status, left_on = MemberStatus.ACTIVE, None
        roll = rng.random()
        if roll < 0.025 and joined < today - timedelta(days=60):
            status = MemberStatus.LEFT if roll > 0.003 else MemberStatus.DECEASED
            left_on = joined + timedelta(days=rng.randint(30, (today - joined).days))
        recruiter = self.users["demo_grassroots"]  # the recent recruits of her union are hers
        recruited = recruiter.pk if union.pk == recruiter.org_unit_id and (today - joined).days < 365 else None
        return MemberRow(
            name=people.name(gender, born),
            id_number=people.id_number(people.origin(union.region_code, migrant), born, gender),
            gender=gender,
            birth_date=born,
            phone=people.phone(),
            ethnicity=people.ethnicity(),
            education=people.education(),
            enterprise_id=enterprise_id,
            employer_name="",
            org_unit_id=union.pk,
            unit_path=union.path,
            join_date=joined,
            is_migrant=migrant,
            is_new_form=rng.random() * enterprise.employees < enterprise.new_form_workers,
            recruited_by_id=recruited,
            status=status,
            status_date=left_on,
        )

    # --- applications and transfers ---

    def applicant(self, unit, *, migrant=False, new_form=False, member=None, employer=None) -> dict:
        """A worker applying to `unit`; `member`: one who is on the roll of another union already."""
        gender = "M" if self.rng.random() < 0.5 else "F"
        born = self.people.birth_date(date(1975, 1, 1), date(2004, 12, 31))
        origin = self.people.origin(unit.region_code, migrant)
        return {
            "unit": unit,
            "name": member.name if member else self.people.name(gender, born),
            "id_number": member.id_number if member else self.people.id_number(origin, born, gender),
            "phone": self.people.phone(),
            "employer_name": employer or _employer_name(unit.name),
            "is_migrant": migrant,
            "is_new_form": new_form,
        }

    def applications(self) -> None:

        cadre = self.users["demo_grassroots"]
        home = self.units[cadre.org_unit.code]
        elsewhere = Member.objects.exclude(org_unit=home).filter(status="active").order_by("pk").first()
        submitted = [
            application_submit(**self.applicant(home)),
            application_submit(**self.applicant(home, migrant=True)),
            # someone already on the roll of another union: flagged for the cadre, not for the worker
            application_submit(**self.applicant(home, member=elsewhere)),
            application_submit(**self.applicant(self.units["330108001-003"], new_form=True, employer="美团外卖骑手")),
            application_submit(**self.applicant(home, new_form=True)),
            application_submit(**self.applicant(home)),
        ]
        application_approve(actor=cadre, application=submitted[4].application, join_date=self.today)
        application_reject(
            actor=cadre,
            application=submitted[5].application,
            reason="经核实，申请人不在本单位工作，请通过现工作单位的入会二维码申请",
        )
        self.counts["join applications"] = len(submitted)

    def transfers(self) -> None:

        grassroots, multi = self.users["demo_grassroots"], self.users["demo_multi"]
        home, other = self.units[grassroots.org_unit.code], self.units[multi.org_unit.code]

        def active(unit, index):
            return Member.objects.filter(org_unit=unit, status="active").order_by("pk")[index]

        started = [
            # within 西湖区: the sending union moves a member to 杭州恒锐电子科技
            transfer_start(
                actor=grassroots,
                member=active(home, 0),
                to_unit=self.units["330106004-001"],
                started_by_side=TransferSide.SENDING,
                reason="调入杭州恒锐电子科技有限公司工作",
                new_employer_name="杭州恒锐电子科技有限公司",
            ),
            # across districts: 西湖区 asks 滨江区 for a member who now works here; 滨江 answers
            transfer_start(
                actor=grassroots,
                member=active(other, 0),
                to_unit=home,
                started_by_side=TransferSide.RECEIVING,
                reason="已与我单位签订劳动合同",
                new_employer_name=_employer_name(home.name),
            ),
            transfer_start(
                actor=self.users["demo_district"],
                member=active(self.units["330106005-001"], 0),
                to_unit=home,
                started_by_side=TransferSide.SENDING,
                reason="工作调动",
            ),
        ]
        transfer_accept(actor=grassroots, transfer=started[2])
        self.counts["transfers"] = len(started)

    def drive(self) -> None:
        """The city's drive: every employer without a union on the list, each with the cadre of
        its street, at different stages; one has just founded its union (in the street's joint
        union), one is deferred."""
        drive = drive_create(
            actor=self.city,
            org_unit=self.units["330100"],
            name=f"{self.today.year}年非公企业建会入会集中攻坚行动",
            starts_on=self.today - timedelta(days=120),
            ends_on=self.today + timedelta(days=60),
            note="重点：职工25人以上未建会非公企业、快递物流和网约配送企业。",
        )
        drive_add_targets(actor=self.city, drive=drive, enterprises=Enterprise.objects.filter(union_unit__isnull=True))
        streets = {code: (self.users[username], joint) for code, username, joint in DRIVE_STREETS}
        # stages some targets went through, by their place on the list (the 27-employee firm of
        # 文新街道 joined the street's joint union)
        plans = {
            0: (DriveStage.VISITED, DriveStage.PREPARING),
            1: (DriveStage.VISITED,),
            2: (DriveStage.DEFERRED,),
            3: (DriveStage.VISITED, DriveStage.VISITED),
            6: (DriveStage.VISITED, DriveStage.PREPARING, DriveStage.UNIONISED),
        }
        targets = DriveTarget.objects.filter(drive=drive).select_related("enterprise").order_by("enterprise_id")
        for number, target in enumerate(targets):
            street_code = next(code for code in streets if target.unit_path == self.units[code].path)
            cadre, joint = streets[street_code]
            drive_target_assign(actor=self.city, target=target, assignee=cadre)
            for step, stage in enumerate(plans.get(number, ())):
                drive_target_visit(
                    actor=cadre,
                    target=target,
                    visited_on=drive.starts_on + timedelta(days=20 + 30 * step + number),
                    note=VISIT_NOTES[stage],
                    stage=stage,
                    deferred_reason="企业正在搬迁，新厂区投产后再跟进" if stage == DriveStage.DEFERRED else "",
                    union_unit=self.units[joint] if stage == DriveStage.UNIONISED else None,
                )
        self.counts["drive targets"] = targets.count()

    # --- all ---

    def build(self) -> dict[str, int]:
        self.employers_of_unions()
        self.employers_without_union()
        self.insert_employers()
        self.members()
        self.applications()
        self.transfers()
        self.drive()
        # The bulk inserts leave their coverage deltas unapplied (each apply is an upsert per unit
        # and ancestor): one rebuild from the rows is cheaper, and it includes the services' writes.
        coverage_rebuild()
        audit_record(
            action=AuditAction.CREATE,
            actor=self.city,
            object_type="membership.member",
            object_repr=f"演示数据：会员 {self.counts['members']} 名",
            detail={"count": self.counts["members"], "via": "demo"},
        )
        return self.counts


def demo_load() -> dict[str, int]:
    """Add the membership line to the demo city; `gonghui demo` calls it once the units and
    accounts are in. Does nothing where there is no demo city or its employers are there already,
    so loading twice never duplicates anything. Returns what it created, by kind."""
    if Enterprise.objects.exists() or not User.objects.filter(username="demo_city").exists():
        return {}
    with transaction.atomic():
        return _Demo().build()
