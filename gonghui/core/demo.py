"""Demo data: a believable city federation (杭州市总工会) with districts, streets, grassroots and
industry unions, and accounts to try the platform with.

`gonghui demo` loads it into an empty database (and `gonghui setup` does so on first run);
`gonghui serve` prints `demo_logins()`. Everything is fixed data plus one seeded random
generator, so two runs give the same units, people and phone numbers.

Region codes are GB/T 2260 (gonghui/lib/regions.py); street codes and names are the National
Bureau of Statistics' 2023 list of township-level divisions (统计用区划代码). The federations are
named after the real ones; their addresses and contacts, the enterprises (apart from a few public
bodies such as 杭州市第一人民医院), people and phone numbers are invented.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, transaction
from django.db.models import Prefetch
from django.utils.module_loading import module_has_submodule

from gonghui.core.audit import audit_record
from gonghui.core.choices import AuditAction, Role, UnitKind
from gonghui.core.models import OrgUnit, RoleAssignment, User
from gonghui.core.services import unit_search_index

DEMO_PASSWORD = "demo12345"  # noqa: S105 - published on purpose: demo accounts only
SEED = 2260  # any fixed number; changing it changes every generated person and phone number

# Demo data is Chinese whatever the interface language, so the role names are written out.
ROLE_NAMES = {Role.ADMIN: "管理员", Role.CADRE: "干部", Role.VIEWER: "只读", Role.AUDITOR: "审计员"}

# The accounts README and `gonghui serve` advertise, in the order they are listed.
DEMO_USERNAMES = (
    "demo_city",
    "demo_district",
    "demo_grassroots",
    "demo_auditor",
    "demo_viewer",
    "demo_multi",
)


class DatabaseNotEmpty(Exception):
    pass


# --- the tree -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grassroots:
    """A grassroots (or joint grassroots) union of an enterprise or institution."""

    name: str
    founded: int  # year
    joint: bool = False
    address: str = ""  # a fixed address; otherwise one on a road of its street or district
    district: str = ""  # the district code, for unions not under a district (industry, city)
    landline: bool = False  # institutions give an office landline rather than a mobile


def G(name: str, founded: int, **kwargs) -> Grassroots:
    """A grassroots union (基层工会); short, so the tables below read like a list."""
    return Grassroots(name, founded, **kwargs)


def J(name: str, founded: int, **kwargs) -> Grassroots:
    """A joint grassroots union (联合基层工会) of small firms, a building or a trade."""
    return Grassroots(name, founded, joint=True, **kwargs)


@dataclass(frozen=True)
class Street:
    code: str  # 9-digit township-level code
    name: str
    roads: tuple[str, ...]
    unions: tuple[Grassroots, ...]


@dataclass(frozen=True)
class District:
    code: str
    name: str
    roads: tuple[str, ...]
    streets: tuple[Street, ...]
    direct: tuple[Grassroots, ...] = ()  # grassroots unions reporting to the district directly


DISTRICTS = (
    District(
        "330102",
        "上城区",
        ("解放东路", "新业路", "庆春路"),
        (
            Street(
                "330102003",
                "湖滨街道",
                ("延安路", "平海路", "东坡路", "学士路", "惠兴路"),
                (
                    G("杭州西子湖畔餐饮管理有限公司工会委员会", 2007),
                    G("杭州湖滨商业街区运营管理有限公司工会委员会", 2011),
                    J("湖滨街道商务楼宇联合工会委员会", 2017),
                ),
            ),
            Street(
                "330102014",
                "四季青街道",
                ("钱江路", "新业路", "富春路", "解放东路", "五星路"),
                (
                    G("杭州钱江新城建设开发有限公司工会委员会", 2002),
                    G("港联置业（杭州）有限公司工会委员会", 2005),
                    J("四季青服装市场联合工会委员会", 2013),
                    G("杭州智汇云财务咨询有限公司工会委员会", 2019),
                ),
            ),
            Street(
                "330102018",
                "九堡街道",
                ("九环路", "杭海路", "德胜东路", "九睦路"),
                (
                    G("杭州九堡纺织印染有限公司工会委员会", 1995),
                    G("鸿瑞电子（杭州）有限公司工会委员会", 2004),
                ),
            ),
        ),
        direct=(G("杭州市上城区图书馆工会委员会", 1992, landline=True),),
    ),
    District(
        "330105",
        "拱墅区",
        ("环城北路", "湖墅南路", "莫干山路"),
        (
            Street(
                "330105013",
                "武林街道",
                ("体育场路", "武林路", "环城北路", "中山北路"),
                (
                    G("浙江武林文化传媒集团有限公司工会委员会", 2003),
                    G("杭州百汇药房连锁有限公司工会委员会", 2010),
                    J("武林街道餐饮行业联合工会委员会", 2015),
                ),
            ),
            Street(
                "330105009",
                "祥符街道",
                ("莫干山路", "丰潭路", "祥园路", "花园岗街"),
                (
                    G("杭州祥符精密机械有限公司工会委员会", 1998),
                    G("泰纳（杭州）汽车零部件有限公司工会委员会", 2008),
                    G("杭州市拱墅区餐饮行业协会工会委员会", 2016, landline=True),
                ),
            ),
            Street(
                "330105005",
                "拱宸桥街道",
                ("湖州街", "小河路", "丽水路", "桥弄街"),
                (
                    G("杭州运河文化旅游发展有限公司工会委员会", 2009),
                    G("杭州拱宸桥服装厂工会委员会", 1986),
                    G("杭州小河物流有限公司工会委员会", 2014),
                ),
            ),
        ),
    ),
    District(
        "330106",
        "西湖区",
        ("天目山路", "文三路", "古墩路"),
        (
            Street(
                "330106004",
                "西溪街道",
                ("文三路", "天目山路", "学院路", "教工路", "文二路"),
                (
                    G("杭州恒锐电子科技有限公司工会委员会", 2006),
                    G("浙江华澜教育科技股份有限公司工会委员会", 2012),
                    J("西溪街道快递物流行业联合工会", 2019),
                    G("杭州西溪宾馆有限公司工会委员会", 1993, landline=True),
                ),
            ),
            Street(
                "330106013",
                "文新街道",
                ("文一路", "文二西路", "古墩路", "丰潭路", "竞舟路"),
                (
                    G("杭州文新智联网络科技有限公司工会委员会", 2015),
                    J("文新街道小微企业联合工会委员会", 2018),
                    G("杭州德曼克机电有限公司工会委员会", 2007),
                    G("杭州市西湖区文新街道社会工作服务中心工会", 2020),
                ),
            ),
            Street(
                "330106005",
                "翠苑街道",
                ("文三路", "学院路", "文二路", "古翠路", "万塘路"),
                (
                    G("浙江翠苑建设集团有限公司工会委员会", 1996),
                    G("杭州万塘信息技术股份有限公司工会委员会", 2010),
                    G("杭州市西湖区翠苑供销合作社工会委员会", 1985, landline=True),
                ),
            ),
        ),
        direct=(
            G("杭州市西湖区城市建设投资集团有限公司工会委员会", 2004, landline=True),
            G("杭州之江生物医药股份有限公司工会委员会", 2013, address="杭州市西湖区之江路1088号"),
        ),
    ),
    District(
        "330108",
        "滨江区",
        ("江南大道", "滨盛路", "长河路"),
        (
            Street(
                "330108001",
                "西兴街道",
                ("江陵路", "滨盛路", "江南大道", "物联网街", "滨兴路"),
                (
                    G("杭州江南数字传媒有限公司工会委员会", 2014),
                    G("杭州市滨江区软件行业协会工会委员会", 2017, landline=True),
                    J("西兴街道网约配送员联合工会", 2021),
                    G("富伦斯（杭州）医疗器械有限公司工会委员会", 2011),
                ),
            ),
            Street(
                "330108002",
                "长河街道",
                ("长河路", "江虹路", "滨安路", "建业路", "聚才路"),
                (
                    G("杭州海柯智能装备股份有限公司工会委员会", 2012),
                    G("杭州长河光电科技有限公司工会委员会", 2009),
                    G("杭州聚才人力资源服务有限公司工会委员会", 2018),
                ),
            ),
            Street(
                "330108003",
                "浦沿街道",
                ("东信大道", "六和路", "浦沿路", "滨文路", "月明路"),
                (
                    G("杭州市滨江区浦沿股份经济合作社工会委员会", 2005, landline=True),
                    G("杭州晶芯微电子有限公司工会委员会", 2015),
                    G("杭州恒途新能源汽车科技有限公司工会委员会", 2020),
                ),
            ),
        ),
    ),
    District(
        "330109",
        "萧山区",
        ("市心中路", "金城路", "人民路"),
        (
            Street(
                "330109001",
                "城厢街道",
                ("人民路", "城河街", "西河路", "萧然西路", "体育路"),
                (
                    G("杭州萧山城厢建筑工程公司工会委员会", 1986),
                    G("杭州萧然百货有限公司工会委员会", 1999),
                    G("杭州萧山城厢农贸市场管理有限公司工会委员会", 2010),
                ),
            ),
            Street(
                "330109002",
                "北干街道",
                ("金城路", "市心北路", "博学路", "山阴路"),
                (
                    G("杭州萧山国有资产经营集团有限公司工会委员会", 2001, landline=True),
                    G("杭州金城纺织印染有限公司工会委员会", 1997),
                    J("北干街道小微企业联合工会委员会", 2016),
                ),
            ),
        ),
        # firms in the Xiaoshan economic and technological development zone report to the district
        direct=(
            G("卡尔斯（杭州）传动系统有限公司工会委员会", 2006, address="杭州市萧山区建设一路66号"),
            G("杭州远腾化纤有限公司工会委员会", 2000, address="杭州市萧山区鸿达路158号"),
            G("永祥精密电子（杭州）有限公司工会委员会", 2003, address="杭州市萧山区建设三路399号"),
        ),
    ),
    District(
        "330110",
        "余杭区",
        ("文一西路", "五常大道", "余杭塘路"),
        (
            Street(
                "330110012",
                "仓前街道",
                ("文一西路", "良睦路", "海曙路", "余杭塘路"),
                (
                    J("仓前街道梦想小镇创业企业联合工会", 2017),
                    G("杭州未来智谷软件股份有限公司工会委员会", 2016),
                    G("杭州市余杭区粮食收储有限公司工会委员会", 1994, landline=True),
                ),
            ),
            Street(
                "330110005",
                "五常街道",
                ("五常大道", "荆长大道", "文一西路"),
                (
                    G("杭州五常食品有限公司工会委员会", 1995),
                    G("杭州锐展光学科技股份有限公司工会委员会", 2013),
                ),
            ),
            Street(
                "330110010",
                "良渚街道",
                ("古墩路", "杭行路", "好运街"),
                (
                    G("杭州良渚蔬果专业合作社工会委员会", 2011),
                    G("杭州余杭交通集团有限公司工会委员会", 2006, landline=True),
                    G("浙江良渚建材股份有限公司工会委员会", 2000),
                ),
            ),
        ),
    ),
)

DISTRICT_BY_CODE = {district.code: district for district in DISTRICTS}

# City-owned enterprises whose unions report to the city federation directly (市属企业).
CITY_DIRECT = (G("杭州市公交集团有限公司工会委员会", 1987, district="330102", landline=True),)

# Industry unions of the city, each with a few member unions (district code for their region).
INDUSTRIES = (
    (
        "330100-JY",
        "杭州市教育工会",
        (
            G("杭州市城西中学工会委员会", 1987, district="330106", landline=True),
            G("杭州市商贸职业学校工会委员会", 1991, district="330105", landline=True),
            G("杭州市钱江实验小学工会委员会", 2004, district="330102", landline=True),
        ),
    ),
    (
        "330100-WJ",
        "杭州市卫生健康工会",
        (
            G(
                "杭州市第一人民医院工会",
                1985,
                district="330102",
                address="杭州市上城区浣纱路261号",
                landline=True,
            ),
            J("杭州市滨江区社区卫生服务中心联合工会", 2014, district="330108", landline=True),
        ),
    ),
    (
        "330100-JS",
        "杭州市建设工会",
        (
            G("杭州城建第三工程有限公司工会委员会", 1989, district="330105"),
            G("浙江钱塘建筑安装工程有限公司工会委员会", 1998, district="330109"),
        ),
    ),
)

# --- the people ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    home: str  # unit code
    roles: tuple[tuple[str, str], ...] = ()  # (unit code, role); empty: a role on the home unit
    role: str = Role.CADRE
    active: bool = True

    def assignments(self) -> tuple[tuple[str, str], ...]:
        return self.roles or ((self.home, self.role),)


ACCOUNTS = (
    Account("demo_city", "陈志强", "330100", role=Role.ADMIN),
    Account("demo_district", "李秀梅", "330106", role=Role.ADMIN),
    Account("demo_grassroots", "张晓燕", "330106013-001"),  # 杭州文新智联网络科技有限公司工会委员会
    Account("demo_auditor", "周雅琴", "330100", role=Role.AUDITOR),
    Account("demo_viewer", "孙浩然", "330108", role=Role.VIEWER),
    # 干部 of 杭州江南数字传媒有限公司工会委员会 (滨江区) and 只读 of 上城区总工会
    Account(
        "demo_multi",
        "林佳怡",
        "330108001-001",
        roles=(("330108001-001", Role.CADRE), ("330102", Role.VIEWER)),
    ),
    Account("wangjianguo", "王建国", "330102", role=Role.ADMIN),
    Account("liuhongmei", "刘红梅", "330105", role=Role.ADMIN),
    Account("zhaoliming", "赵立明", "330108", role=Role.ADMIN),
    Account("huangwenjie", "黄文杰", "330109", role=Role.ADMIN),
    Account("wuxiaoli", "吴晓丽", "330110", role=Role.ADMIN),
    Account("xuguoqiang", "徐国强", "330100"),
    Account("hujing", "胡静", "330106013"),
    Account("zhuyonggang", "朱永刚", "330106004"),
    Account("gaoshuang", "高爽", "330108002"),
    Account("linxiaodan", "林晓丹", "330102014"),
    Account("heyunfei", "何云飞", "330100-JY"),
    Account("guoliping", "郭丽萍", "330100-WJ"),
    Account("mazhiyuan", "马志远", "330109002"),
    Account("luoqian", "罗倩", "330100-001"),  # 杭州市公交集团有限公司工会委员会
    Account("yangzhenyu", "杨振宇", "330110012"),
    Account("sunyating", "孙雅婷", "330100-JS", role=Role.VIEWER),
    Account("zhangweidong", "张卫东", "330105009", active=False),
    Account("chenguilan", "陈桂兰", "330109001", active=False),
    Account("lizhigang", "李志刚", "330108001", active=False),
)

# --- generated details --------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = (
    # men
    "建华", "伟", "磊", "军", "勇", "杰", "涛", "斌", "浩", "鹏", "俊杰", "宇航", "文博", "国平",
    "海峰", "建平", "立新", "晓东", "振华", "明辉", "家豪", "一鸣", "凯", "超", "锋", "志明",
    # women
    "秀英", "丽", "敏", "静", "婷", "燕", "芳", "娟", "霞", "慧", "雨欣", "丽华", "海燕", "红霞",
    "美玲", "秀珍", "淑芬", "梦瑶", "思琪", "欣怡", "桂英", "玉兰", "春梅", "晓红", "莉", "颖",
)  # fmt: skip
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "180", "181", "182", "183", "186", "187", "188", "189",
)  # fmt: skip


class _Details:
    """Contact people, phone numbers, dates and house numbers from one seeded generator."""

    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible on purpose
        self.phones: set[str] = set()
        self.people: set[str] = {account.name for account in ACCOUNTS}

    def person(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)
            if name not in self.people:
                self.people.add(name)
                return name

    def _unique(self, make) -> str:
        while True:
            number = make()
            if number not in self.phones:
                self.phones.add(number)
                return number

    def mobile(self) -> str:
        return self._unique(lambda: self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}")

    def landline(self) -> str:
        # Hangzhou numbers are 8 digits; office lines mostly start with 8.
        return self._unique(lambda: f"0571-8{self.rng.randrange(10**7):07d}")

    def founded(self, year: int) -> date:
        return date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))

    def address(self, district: str, roads: tuple[str, ...], building: bool = False) -> str:
        number = self.rng.randint(1, 600)
        text = f"杭州市{district}{self.rng.choice(roads)}{number}号"
        if building and self.rng.random() < 0.3:
            text += f"{self.rng.randint(1, 12)}幢"
        return text


# --- building -----------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    units_by_kind: dict[str, int] = field(default_factory=dict)
    users: int = 0
    inactive_users: int = 0
    seconds: float = 0.0
    extras: dict[str, int] = field(default_factory=dict)  # what the domain apps' loaders added

    @property
    def units(self) -> int:
        return sum(self.units_by_kind.values())


class _Builder:
    def __init__(self):
        self.details = _Details()
        self.units: dict[str, OrgUnit] = {}

    def unit(self, parent: OrgUnit | None, *, landline: bool = True, **fields) -> OrgUnit:
        details = self.details
        fields.setdefault("contact_name", details.person())
        fields.setdefault("contact_phone", details.landline() if landline else details.mobile())
        unit = OrgUnit(**fields)
        unit.full_clean(exclude=["path", "depth", "numchild"])  # also checks the code is unique
        if parent is None:
            unit = OrgUnit.objects.add_root(instance=unit)
        else:
            parent.check_child_kind(unit.kind)
            unit = OrgUnit.objects.add_child(parent, instance=unit)
        self.units[unit.code] = unit
        audit_record(
            action=AuditAction.CREATE,
            obj=unit,
            actor_name="demo",
            detail={"parent": parent.code if parent else None},
        )
        return unit

    def grassroots(self, parent: OrgUnit, code: str, union: Grassroots, roads: tuple[str, ...] = ()) -> OrgUnit:
        district = DISTRICT_BY_CODE[union.district or parent.region_code]
        roads = roads or district.roads
        address = union.address or self.details.address(district.name, roads, building=not union.landline)
        return self.unit(
            parent,
            code=code,
            name=union.name,
            kind=UnitKind.JOINT_GRASSROOTS if union.joint else UnitKind.GRASSROOTS,
            region_code=district.code,
            founded_on=self.details.founded(union.founded),
            address=address,
            landline=union.landline,
        )

    def tree(self) -> None:
        details = self.details
        province = self.unit(
            None,
            code="330000",
            name="浙江省总工会",
            kind=UnitKind.PROVINCIAL,
            region_code="330000",
            address=details.address("拱墅区", ("环城北路", "体育场路")),
        )
        city = self.unit(
            province,
            code="330100",
            name="杭州市总工会",
            kind=UnitKind.MUNICIPAL,
            region_code="330100",
            address=details.address("上城区", ("解放东路", "庆春路")),
        )
        for district in DISTRICTS:
            county = self.unit(
                city,
                code=district.code,
                name=f"{district.name}总工会",
                kind=UnitKind.COUNTY,
                region_code=district.code,
                address=details.address(district.name, district.roads),
            )
            for street in district.streets:
                township = self.unit(
                    county,
                    code=street.code,
                    name=f"{district.name}{street.name}总工会",
                    kind=UnitKind.TOWNSHIP,
                    region_code=district.code,
                    address=details.address(district.name, street.roads),
                )
                for number, union in enumerate(street.unions, 1):
                    self.grassroots(township, f"{street.code}-{number:03d}", union, street.roads)
            for number, union in enumerate(district.direct, 1):
                self.grassroots(county, f"{district.code}-{number:03d}", union)
        for number, union in enumerate(CITY_DIRECT, 1):
            self.grassroots(city, f"330100-{number:03d}", union)
        for code, name, members in INDUSTRIES:
            industry = self.unit(
                city,
                code=code,
                name=name,
                kind=UnitKind.INDUSTRY,
                region_code="330100",
                address=details.address("上城区", ("解放东路", "庆春路", "延安路")),
            )
            for number, union in enumerate(members, 1):
                self.grassroots(industry, f"{code}-{number:03d}", union)

    def accounts(self) -> list[User]:
        # One hash for all: the password is published anyway, and hashing it 25 times with the
        # production hasher would take most of the time budget of `gonghui demo`.
        password = make_password(DEMO_PASSWORD)
        users = []
        for account in ACCOUNTS:
            home = self.units[account.home]
            user = User(
                username=account.username,
                name=account.name,
                phone=self.details.mobile(),
                org_unit=home,
                is_active=account.active,
                password=password,
            )
            user.full_clean(exclude=["password", "phone_index"])
            user.save()
            audit_record(action=AuditAction.CREATE, obj=user, org_unit=home, actor_name="demo")
            for code, role in account.assignments():
                unit = self.units[code]
                RoleAssignment.objects.create(user=user, org_unit=unit, role=role)
                audit_record(
                    action=AuditAction.GRANT,
                    obj=user,
                    org_unit=unit,
                    actor_name="demo",
                    detail={"role": str(role), "unit": unit.code},
                )
            users.append(user)
        return users


def demo_build() -> DemoSummary:
    """Load the demo federation and accounts into an empty database, all or nothing."""
    started = time.monotonic()
    with transaction.atomic():
        if OrgUnit.objects.exists():
            raise DatabaseNotEmpty("the database already has units; demo data is only loaded into an empty database")
        builder = _Builder()
        builder.tree()
        users = builder.accounts()
        unit_search_index(builder.units.values())
        extras = {}
        for load in demo_extensions():
            extras.update(load())
    kinds = Counter(unit.kind for unit in builder.units.values())
    return DemoSummary(
        units_by_kind={kind.value: kinds[kind] for kind in UnitKind if kinds[kind]},
        users=len(users),
        inactive_users=sum(not user.is_active for user in users),
        seconds=time.monotonic() - started,
        extras=extras,
    )


def demo_extensions() -> list:
    """The `demo_load()` of each installed domain app that has a `demo` module (core knows no
    domain app, so it looks them up like the admin finds `admin.py`). Each adds its line of work
    to the demo city, returns {what: how many}, and does nothing if its data is there already."""
    loaders = []
    for config in apps.get_app_configs():
        if config.name != __package__ and module_has_submodule(config.module, "demo"):
            load = getattr(import_module(f"{config.name}.demo"), "demo_load", None)
            if load is not None:
                loaders.append(load)
    return loaders


def demo_logins() -> list[tuple[str, str]]:
    """(username, "杭州市总工会 管理员") of the advertised demo accounts present in the database."""
    assignments = Prefetch(
        "role_assignments", queryset=RoleAssignment.objects.select_related("org_unit").order_by("pk")
    )
    try:
        users = {
            user.username: user
            for user in User.objects.filter(username__in=DEMO_USERNAMES, is_active=True).prefetch_related(assignments)
        }
    except DatabaseError:  # not migrated yet: nothing to advertise
        return []
    logins = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is not None:
            roles = "；".join(f"{a.org_unit.name} {ROLE_NAMES[a.role]}" for a in user.role_assignments.all())
            logins.append((username, roles or user.name))
    return logins
