"""Imports of members and enterprises from .xlsx or .csv files, at national scale.

    result = import_file(kind=MEMBERS, actor=user, path=path, filename="会员.xlsx", keep_valid=False)
    result.line()   # "created 3, updated 1, unchanged 0, rejected 0"

How an import runs (the contract of `core.jobs`: SQLite cannot show progress from inside a long
write transaction):
1. validate: the file is read in batches; every row is checked on its own (checksums, dates,
   values), then per batch against the database (units, employers, members already on the
   roll), outside any transaction, reporting progress. Every problem is recorded with its row
   number, column and reason; rows with problems go to the error report with their original
   values.
2. stage: valid rows are encrypted, indexed and written to a temporary file in batches (so a
   million rows need no more memory than one batch), with the coverage changes they bring.
3. write: one transaction inserts and updates everything staged, re-checks that the units used
   have not moved out of scope, applies the coverage totals and writes one audit entry.
An import with problems writes nothing unless the importer chose to keep the valid rows; a dry
run stops after step 1. A member already on the roll of the same union is updated (only what
differs; personal data is compared by blind index, never decrypted), or counted as unchanged,
so importing the same file twice changes nothing.

The headers are fixed Chinese words (`MEMBER_HEADERS`, `ENTERPRISE_HEADERS`, which the list
exports use too, so an exported list imports back unchanged) with English aliases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import pickle
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from gonghui.core.audit import audit_record
from gonghui.core.choices import GRASSROOTS_KINDS, Action, AuditAction, AuditResult
from gonghui.core.models import OrgUnit
from gonghui.core.scoping import path_in_scope
from gonghui.lib.creditcode import CreditCodeError, parse_credit_code
from gonghui.lib.export import FORMULA_START, write_table
from gonghui.lib.idnumber import CHECK_CHARS, WEIGHTS, IdNumberError, parse_id_number
from gonghui.lib.phone import normalize_mobile
from gonghui.lib.readers import ReadError, column_letter, open_table
from gonghui.lib.regions import children, full_name, get_region
from gonghui.lib.search import name_tokens
from gonghui.membership.choices import Education, Ethnicity, Industry, MemberEventKind, MemberStatus, Ownership
from gonghui.membership.models import ENTERPRISE_SEARCH, MEMBER_SEARCH, Enterprise, Member
from gonghui.membership.services import bulk
from gonghui.membership.services.coverage import BLANK_DIMS, CoverageDelta

BATCH = 2000  # rows validated, looked up and staged together
SHOWN_ERRORS = 200  # problems kept for the result page; all of them go to the error report
MEMBERS, ENTERPRISES = "members", "enterprises"


def max_upload_bytes() -> int:
    """The size limit of an imported file (settings.GONGHUI_IMPORT_MAX_MB, default 50 MB)."""
    return settings.GONGHUI_IMPORT_MAX_MB * 1024 * 1024


# --- the file format ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header: a fixed Chinese word, whatever the UI language
    aliases: tuple[str, ...]
    help: str  # lazy: what goes in the column (template and import page)
    example: str = ""
    required: bool = False

    @property
    def english(self) -> str:
        """The English alias shown as an example: the identifier-like one, e.g. id_number."""
        ascii_aliases = [alias for alias in self.aliases if alias.isascii()]
        return next(
            (a for a in ascii_aliases if " " not in a and "-" not in a), ascii_aliases[0] if ascii_aliases else ""
        )


MEMBER_COLUMNS = (
    Column("name", "姓名", ("name", "member name"), gettext_lazy("Full name as on the ID card"), "王小明", True),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "身份证", "证件号码", "id number", "id_number", "id no", "id card"),
        gettext_lazy(
            "18 characters (old 15-digit numbers are accepted); a lower-case x or full-width digits are "
            "corrected. Format the column as text: a number cell loses digits"
        ),
        "330106199005170115",
        True,
    ),
    Column(
        "phone",
        "手机号",
        ("手机号码", "手机", "联系电话", "电话", "mobile phone", "phone", "mobile"),
        gettext_lazy("11-digit mainland mobile number; may be empty"),
        "13912345678",
    ),
    Column(
        "employer",
        "工作单位",
        ("用人单位", "单位", "employer", "employer name", "work unit"),
        gettext_lazy("Name of the employer, kept as written when no credit code is given"),
        "杭州西湖科技有限公司",
    ),
    Column(
        "credit_code",
        "统一社会信用代码",
        ("社会信用代码", "信用代码", "unified social credit code", "credit code", "credit_code"),
        gettext_lazy("Of the employer: links the member to an employer on file in your scope; may be empty"),
        "",
    ),
    Column(
        "union_code",
        "所属工会编码",
        ("工会编码", "union code", "union_code", "unit code"),
        gettext_lazy(
            "Code of the member's grassroots union (see Union organisations); empty: the union chosen for the import"
        ),
        "330106-001",
    ),
    Column(
        "join_date",
        "入会日期",
        ("入会时间", "join date", "join_date"),
        gettext_lazy("2024-03-01, 2024/3/1, 2024年3月1日 or a date cell; not in the future, not before birth"),
        "2024-03-01",
        True,
    ),
    Column(
        "is_migrant",
        "是否农民工",
        ("农民工", "migrant worker", "migrant", "is_migrant"),
        gettext_lazy("是/否, Y/N, 1/0 or true/false; empty means no"),
        "否",
    ),
    Column(
        "is_new_form",
        "是否新就业形态",
        ("新就业形态", "新就业形态劳动者", "new-employment-form worker", "new form", "new_form", "is_new_form"),
        gettext_lazy("Couriers, food-delivery riders, ride-hailing and truck drivers …: 是/否"),
        "否",
    ),
    Column(
        "ethnicity",
        "民族",
        ("ethnicity", "ethnic group"),
        gettext_lazy("E.g. 汉族, 回族, or the two-digit code of GB/T 3304; may be empty"),
        "汉族",
    ),
    Column(
        "education",
        "学历",
        ("文化程度", "education"),
        gettext_lazy("小学及以下, 初中, 高中/中专, 大专, 本科 or 研究生; may be empty"),
        "本科",
    ),
)
ENTERPRISE_COLUMNS = (
    Column(
        "name",
        "单位名称",
        ("企业名称", "用人单位", "enterprise", "name"),
        gettext_lazy("Registered name"),
        "杭州西湖科技有限公司",
        True,
    ),
    Column(
        "credit_code",
        "统一社会信用代码",
        ("社会信用代码", "信用代码", "unified social credit code", "credit code", "credit_code"),
        gettext_lazy("18 characters with the GB 32100 check digit; identifies the enterprise"),
        "91330106MA27XF3H27",
        True,
    ),
    Column(
        "ownership",
        "所有制",
        ("所有制类型", "经济类型", "登记注册类型", "ownership"),
        gettext_lazy("国有, 集体, 私营, 外商投资, 港澳台投资, 个体工商户, 社会组织 or 机关事业单位"),
        "私营",
        True,
    ),
    Column(
        "industry",
        "行业",
        ("行业门类", "所属行业", "industry"),
        gettext_lazy("Section of GB/T 4754: the letter A–T or its name, e.g. C or 制造业"),
        "C",
        True,
    ),
    Column(
        "region_code",
        "所在地区",
        ("所在地区代码", "行政区划代码", "地区代码", "region", "region code", "region_code"),
        gettext_lazy("6-digit administrative region code (GB/T 2260), e.g. 330106"),
        "330106",
        True,
    ),
    Column(
        "address", "地址", ("详细地址", "注册地址", "address"), gettext_lazy("May be empty"), "杭州市西湖区文三路 90 号"
    ),
    Column(
        "employees",
        "职工人数",
        ("职工总数", "从业人数", "员工人数", "employees"),
        gettext_lazy("Whole number, 0 or more"),
        "120",
    ),
    Column(
        "migrant_workers",
        "农民工人数",
        ("其中农民工", "migrant workers", "migrant_workers"),
        gettext_lazy("Whole number, not more than the employees"),
        "30",
    ),
    Column(
        "new_form_workers",
        "新就业形态人数",
        ("新就业形态劳动者人数", "new-employment-form workers", "new_form_workers"),
        gettext_lazy("Whole number, not more than the employees"),
        "0",
    ),
    Column(
        "new_form_occupations",
        "新就业形态职业",
        ("new-employment-form occupations", "new_form_occupations"),
        gettext_lazy("E.g. 快递员, 外卖配送员; may be empty"),
        "",
    ),
    Column(
        "union_code",
        "所属工会编码",
        ("覆盖工会编码", "工会编码", "covering union", "union code", "union_code"),
        gettext_lazy("Code of the grassroots union covering it; empty: not unionised"),
        "330106-001",
    ),
    Column(
        "unit_code",
        "管理单位编码",
        ("负责单位编码", "managing unit", "unit code", "unit_code"),
        gettext_lazy(
            "For enterprises without a union: the federation responsible for organising it; "
            "empty: the unit chosen for the import"
        ),
        "",
    ),
)
COLUMNS = {MEMBERS: MEMBER_COLUMNS, ENTERPRISES: ENTERPRISE_COLUMNS}
# The headers in template order: list exports label their columns with these so that an
# exported list imports back without changes.
MEMBER_HEADERS = tuple(c.header for c in MEMBER_COLUMNS)
ENTERPRISE_HEADERS = tuple(c.header for c in ENTERPRISE_COLUMNS)
# Columns an export or a hand-made sheet may carry besides: derived, informative or from our
# error report. They are read past. 状态 (status) is read: rows not on the roll are left alone.
INFO_HEADERS = frozenset(
    {
        "序号", "no.", "行号", "字段", "原因", "错误原因", "row", "field", "reason", "备注", "note",
        "性别", "gender", "出生日期", "birth date", "会员证号", "会员卡号", "member card number", "card number",
        "所属工会", "union", "工会名称", "是否建会", "unionised", "地区名称", "region name",
        "创建时间", "更新时间", "created at", "updated at",
    }
)  # fmt: skip
STATUS_HEADERS = frozenset({"状态", "会员状态", "status"})
# The first columns of the error report (read past when a corrected report is imported again).
REPORT_HEADERS = (
    pgettext_lazy("import problem", "Row"),
    pgettext_lazy("import problem", "Column"),
    pgettext_lazy("import problem", "Reason"),
)


def _header_key(text: str) -> str:
    return re.sub(r"[\s_\-（）()*＊:：]", "", unicodedata.normalize("NFKC", text)).lower()


@cache
def _header_lookup(kind: str) -> dict[str, str]:
    lookup = {}
    for column in COLUMNS[kind]:
        for name in (column.header, *column.aliases):
            lookup.setdefault(_header_key(name), column.key)
    return lookup


# --- values ---------------------------------------------------------------------------------------


class Bad(Exception):
    """A cell's value is not acceptable; the message says why."""


def text(value) -> str:
    """A cell as text: stripped, a number without a spurious ".0", a date as 2024-03-01, and the
    apostrophe our exports put before = + - @ (formula neutralisation) taken off again."""
    if value.__class__ is str:
        value = value.strip()
        if value[:1] == "'" and value[1:2] in FORMULA_START:
            return value[1:]
        return value
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
EXCEL_EPOCH = dt.date(1899, 12, 30)


@lru_cache(maxsize=100_000)
def _date_from_text(value: str) -> dt.date:
    if len(value) == 10 and value[4] == value[7] == "-":
        try:  # 2024-03-01, the usual spelling: parsed in C (what the pattern below accepts too)
            return dt.date.fromisoformat(value)
        except ValueError:
            pass  # the pattern decides, and says why
    match = _DATE.fullmatch(value) or _DATE_DIGITS.fullmatch(value)
    if match is None:
        raise Bad(_("%(value)s is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日") % {"value": value})
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        raise Bad(_("%(value)s is not a real date") % {"value": value}) from None


def parse_date(value) -> dt.date | None:
    """A date from a date cell, an Excel serial number or text; None for an empty cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            return _date_from_text(str(int(value)))
        if 1 <= value < 73051:  # 1900-01-01 … 2099-12-31 as Excel day numbers
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise Bad(
            _("%(value)s is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日") % {"value": text(value)}
        )
    value = text(value)
    return _date_from_text(value) if value else None


_TRUE = frozenset({"是", "y", "yes", "1", "true", "t", "√", "✓", "对"})
_FALSE = frozenset({"否", "n", "no", "0", "false", "f", "×", "", "无", "不是"})


def parse_bool(value) -> bool:
    if value.__class__ is bool:
        return value
    key = text(value).lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise Bad(_("Write 是 or 否 (or Y/N, 1/0, true/false), not %(value)s") % {"value": text(value)})


def parse_count(value) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raw = text(value).replace(",", "")
    if raw.isascii() and raw.isdigit():
        return int(raw)
    raise Bad(_("Write a whole number of 0 or more, not %(value)s") % {"value": text(value)})


def _vocabulary_key(value: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value)).lower()


def _choice_lookup(choices, words: dict[str, str]) -> dict[str, str]:
    """Accepted spellings of a choice: its key, English and Chinese labels, and `words`."""
    lookup = {_vocabulary_key(word): key for word, key in words.items()}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for key, label in choices.choices:
                lookup.setdefault(_vocabulary_key(str(label)), key)
    for key, _label in choices.choices:
        lookup.setdefault(_vocabulary_key(key), key)
    return lookup


OWNERSHIP_WORDS = {
    "国有": Ownership.STATE,
    "集体": Ownership.COLLECTIVE,
    "私营": Ownership.PRIVATE,
    "外商投资": Ownership.FOREIGN,
    "港澳台投资": Ownership.HMT,
    "个体工商户": Ownership.INDIVIDUAL,
    "社会组织": Ownership.SOCIAL,
    "机关事业单位": Ownership.PUBLIC_INSTITUTION,
}
_OWNERSHIP_SYNONYMS = {
    "国有企业": Ownership.STATE, "国企": Ownership.STATE, "集体企业": Ownership.COLLECTIVE,
    "私营企业": Ownership.PRIVATE, "民营": Ownership.PRIVATE, "民营企业": Ownership.PRIVATE,
    "外资": Ownership.FOREIGN, "外资企业": Ownership.FOREIGN, "外商投资企业": Ownership.FOREIGN,
    "港澳台": Ownership.HMT, "港澳台投资企业": Ownership.HMT, "港澳台商投资": Ownership.HMT,
    "个体": Ownership.INDIVIDUAL, "个体户": Ownership.INDIVIDUAL,
    "社会团体": Ownership.SOCIAL, "民办非企业单位": Ownership.SOCIAL,
    "机关": Ownership.PUBLIC_INSTITUTION, "事业单位": Ownership.PUBLIC_INSTITUTION,
}  # fmt: skip
INDUSTRY_WORDS = {
    "农、林、牧、渔业": "A", "采矿业": "B", "制造业": "C", "电力、热力、燃气及水生产和供应业": "D",
    "建筑业": "E", "批发和零售业": "F", "交通运输、仓储和邮政业": "G", "住宿和餐饮业": "H",
    "信息传输、软件和信息技术服务业": "I", "金融业": "J", "房地产业": "K", "租赁和商务服务业": "L",
    "科学研究和技术服务业": "M", "水利、环境和公共设施管理业": "N", "居民服务、修理和其他服务业": "O",
    "教育": "P", "卫生和社会工作": "Q", "文化、体育和娱乐业": "R", "公共管理、社会保障和社会组织": "S",
    "国际组织": "T",
}  # fmt: skip
EDUCATION_WORDS = {
    "小学及以下": Education.PRIMARY,
    "初中": Education.JUNIOR,
    "高中/中专": Education.SENIOR,
    "大专": Education.COLLEGE,
    "本科": Education.BACHELOR,
    "研究生": Education.POSTGRADUATE,
}
_EDUCATION_SYNONYMS = {
    "小学": Education.PRIMARY, "文盲": Education.PRIMARY, "初中及以下": Education.JUNIOR,
    "高中": Education.SENIOR, "中专": Education.SENIOR, "中职": Education.SENIOR, "技校": Education.SENIOR,
    "职高": Education.SENIOR, "高中及中专": Education.SENIOR, "专科": Education.COLLEGE,
    "大学专科": Education.COLLEGE, "高职": Education.COLLEGE, "大学本科": Education.BACHELOR,
    "大学": Education.BACHELOR, "硕士": Education.POSTGRADUATE, "博士": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE, "博士研究生": Education.POSTGRADUATE,
}  # fmt: skip
# GB/T 3304, in the order of the codes 01–56.
ETHNIC_NAMES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 "
    "黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 "
    "撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 "
    "京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()


@cache
def _vocabularies() -> dict[str, dict[str, str]]:
    ethnic = {}
    for number, name in enumerate(ETHNIC_NAMES, start=1):
        code = f"{number:02d}"
        ethnic.update({name: code, code: code, str(number): code})
        if len(name) > 2:  # 汉 for 汉族; 水族 and 土族 keep their suffix
            ethnic.setdefault(name.removesuffix("族"), code)
    return {
        "ownership": _choice_lookup(Ownership, {**OWNERSHIP_WORDS, **_OWNERSHIP_SYNONYMS}),
        "industry": _choice_lookup(Industry, {**INDUSTRY_WORDS, **{f"{k}{w}": k for w, k in INDUSTRY_WORDS.items()}}),
        "education": _choice_lookup(Education, {**EDUCATION_WORDS, **_EDUCATION_SYNONYMS}),
        "ethnicity": _choice_lookup(Ethnicity, ethnic),
    }


def parse_choice(vocabulary: str, value, *, required: bool = False) -> str:
    raw = text(value)
    if not raw:
        if required:
            raise Bad(_("This column is required"))
        return ""
    found = _vocabularies()[vocabulary].get(_vocabulary_key(raw))
    if found is None:
        raise Bad(_("%(value)s is not one of the accepted values (see the template's second sheet)") % {"value": raw})
    return found


@cache
def _region_by_name() -> dict[str, str]:
    """Full names ("浙江省杭州市西湖区") of every region, for files that write names, not codes."""
    names, todo = {}, [None]
    while todo:
        for region in children(todo.pop()):
            names[full_name(region.code)] = region.code
            todo.append(region.code)
    return names


def parse_region(value) -> str:
    raw = text(value)
    if not raw:
        raise Bad(_("This column is required"))
    if get_region(raw) is not None:
        return raw
    code = _region_by_name().get(raw)
    if code is None:
        raise Bad(_("Unknown administrative region code %(code)s (GB/T 2260)") % {"code": raw})
    return code


def _remember(seen: dict, parse: Callable, value, size: int = 100_000) -> tuple[bool, object]:
    """(True, parse(value)) or (False, the reason it is rejected), kept in `seen` under a text
    `value` for the next cell that says the same (callers look there first)."""
    try:
        found = (True, parse(value))
    except Bad as error:
        found = (False, str(error))
    if value.__class__ is str and len(seen) < size:
        seen[value] = found
    return found


def _credit_code(value) -> str:
    """A member's employer code, normalised and checked; empty stays empty."""
    raw = text(value)
    if not raw:
        return ""
    try:
        return parse_credit_code(raw).value
    except CreditCodeError as error:
        raise Bad(str(error.message)) from None


def unit_code(value) -> str:
    return unicodedata.normalize("NFKC", text(value)).upper()


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True))


# GB 11643 weighted sums of every 3-digit sequence number (positions 15-17).
_SEQUENCE_SUMS = {f"{n:03d}": _weighted(f"{n:03d}", WEIGHTS[14:]) for n in range(1000)}


class IdNumbers:
    """ID-number checks at import speed. The checksum is a weighted sum of the digits, so it is
    kept in three parts: of the region (6 digits), of the birth date (8) and of the sequence (3).
    A number whose region and birth date were seen valid before needs three dictionary lookups
    and the check character; anything else goes through `lib.idnumber.parse_id_number`, which
    is the authority (and fills the dictionaries)."""

    def __init__(self, today: dt.date):
        self.today = today
        self.births: dict[str, tuple[dt.date, int]] = {}  # YYYYMMDD → (date, weighted sum)
        self.regions: dict[str, int] = {}  # region code → weighted sum

    def __call__(self, raw) -> tuple[str, dt.date, str]:
        if raw.__class__ is str:
            if len(raw) == 18:
                birth = self.births.get(raw[6:14])
                region = self.regions.get(raw[:6])
                sequence = _SEQUENCE_SUMS.get(raw[14:17])
                if (
                    birth is not None
                    and region is not None
                    and sequence is not None
                    and CHECK_CHARS[(region + birth[1] + sequence) % 11] == raw[17]
                ):
                    return raw, birth[0], "M" if raw[16] in "13579" else "F"
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raise IdNumberError("numeric_cell")  # every number in a workbook is a double: digits are gone
        parsed = parse_id_number(text(raw), today=self.today)
        value = parsed.value
        self.births[value[6:14]] = (parsed.birth_date, _weighted(value[6:14], WEIGHTS[6:14]))
        self.regions[value[:6]] = _weighted(value[:6], WEIGHTS[:6])
        return value, parsed.birth_date, parsed.gender


# --- results --------------------------------------------------------------------------------------


class FileRejected(Exception):
    """The file as a whole cannot be imported: unreadable, wrong headers, or changed meanwhile."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


APPLIED, DRY_RUN, REJECTED = "applied", "dry_run", "rejected"


@dataclass
class ImportResult:
    kind: str
    filename: str
    outcome: str = APPLIED
    created: int = 0  # in a dry run or a rejected import: what would have been
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows with problems
    rows: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, reason), the first few
    error_count: int = 0
    errors_file: Path | None = None

    def line(self) -> str:
        """The summary the command ends with; a rejected import created and updated nothing."""
        kept = self.outcome != REJECTED
        return (
            f"created {self.created if kept else 0}, updated {self.updated if kept else 0}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )

    def summary(self) -> str:
        """The same in a sentence for people."""
        counts = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        if self.outcome == DRY_RUN:
            return (
                _(
                    "Dry run, nothing was written: %(created)s would be created, %(updated)s updated, "
                    "%(unchanged)s unchanged; %(rejected)s rows rejected."
                )
                % counts
            )
        if self.outcome == REJECTED:
            return (
                _(
                    "Import rejected: %(rejected)s rows have problems, so nothing was written. Correct them and "
                    "import the file again, or choose to keep the valid rows."
                )
                % counts
            )
        return (
            _(
                "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged; "
                "%(rejected)s rows rejected."
            )
            % counts
        )

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "outcome": self.outcome,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rows": self.rows,
            "errors": [list(error) for error in self.errors],
            "error_count": self.error_count,
        }


class ErrorReport:
    """The rejected rows, each with its columns and reasons and its original values. Spooled to
    disk while the file is read (a file full of errors must not fill the memory) and written as
    .xlsx or .csv at the end. It can be corrected and imported again: the first three columns are
    read past."""

    def __init__(self, headers: list[str]):
        self.headers = headers
        self.shown: list[tuple[int, str, str]] = []
        self.problems = 0
        self.rows = 0
        self._spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        self._writer = csv.writer(self._spool)

    def add(self, number: int, problems: list[tuple[str, str]], cells: list) -> None:
        self.rows += 1
        self.problems += len(problems)
        room = SHOWN_ERRORS - len(self.shown)
        if room > 0:
            self.shown.extend((number, column, reason) for column, reason in problems[:room])
        columns = "、".join(dict.fromkeys(column for column, _reason in problems))
        reasons = "；".join(f"{column}: {reason}" for column, reason in problems)
        original = cells[: len(self.headers)]  # without the padding
        self._writer.writerow([number, columns, reasons, *(text(cell) for cell in original)])

    def write(self, path: Path) -> Path | None:
        if not self.rows:
            return None
        self._spool.seek(0)
        rows = ([int(row[0]), *row[1:]] for row in csv.reader(self._spool))
        partial = path.with_name(path.name + ".part")
        fmt = "csv" if path.suffix == ".csv" else "xlsx"
        headers = [*REPORT_HEADERS, *self.headers]
        write_table(partial, fmt, headers, rows, sheet=_("Rejected rows"))
        partial.replace(path)
        return path

    def close(self) -> None:
        self._spool.close()


class Stage:
    """Prepared rows between validation and the write. They stay in memory up to `MEMORY_ROWS`
    (pickling costs as much as a tenth of the import); beyond, every batch goes to a temporary
    file, so a file of millions of rows needs no more memory than one batch."""

    MEMORY_ROWS = 100_000

    def __init__(self):
        self._batches: list[tuple[str, list]] = []
        self._file = None
        self.rows = 0

    def put(self, kind: str, payload: list) -> None:
        if not payload:
            return
        self.rows += len(payload)
        self._batches.append((kind, payload))
        if self._file is None and self.rows <= self.MEMORY_ROWS:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()
        for batch in self._batches:
            pickle.dump(batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._batches = []

    def __iter__(self) -> Iterator[tuple[str, list]]:
        if self._file is not None:
            self._file.seek(0)
            while True:
                try:
                    yield pickle.load(self._file)  # noqa: S301 (our own file, written by this process)
                except EOFError:
                    break
        yield from self._batches

    def close(self) -> None:
        self._batches = []
        if self._file is not None:
            self._file.close()


@dataclass(slots=True)
class Unit:
    id: int
    path: str
    name: str
    kind: str


@dataclass(slots=True)
class Pending:
    """A row between its own checks and the checks against the database."""

    number: int
    cells: list
    problems: list = field(default_factory=list)
    values: dict | None = None  # what the row's own checks parsed; None: a row left alone
    id_index: str = ""
    union_code: str = ""
    unit_code: str = ""
    credit_code: str = ""
    keep_phone: bool = False  # a masked phone (from a masked export): the one on file stays


class Conflict(Exception):
    """Rows changed between validation and the write: everything is rolled back."""


# --- the importer ---------------------------------------------------------------------------------


class Importer:
    """What imports of members and of enterprises share: reading, headers, batches, problems,
    staging, the final transaction and the audit entry."""

    kind = ""
    columns: tuple[Column, ...] = ()

    def __init__(
        self,
        *,
        actor,
        filename: str,
        dry_run: bool = False,
        keep_valid: bool = False,
        default_unit: OrgUnit | None = None,
        progress: Callable[[int, int | None, str], None] | None = None,
        max_bytes: int | None = None,
    ):
        self.actor = actor
        self.max_bytes = max_bytes or max_upload_bytes()
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.filename = filename
        self.dry_run = dry_run
        self.keep_valid = keep_valid
        self.default_unit = default_unit
        self.home = default_unit and Unit(default_unit.pk, default_unit.path, default_unit.name, default_unit.kind)
        self.report_progress = progress or (lambda done, total, message: None)
        self.today = timezone.localdate()
        self.result = ImportResult(kind=self.kind, filename=filename)
        self.units: dict[str, Unit | None] = {}
        self.scope: dict[tuple[str, str], bool] = {}
        self.used_units: dict[int, str] = {}  # id → path, re-checked in the write transaction
        self.delta = CoverageDelta()

    # --- the whole run ---
    def run(self, path: Path, errors_path: Path | None = None) -> ImportResult:
        try:
            with open_table(path, filename=self.filename, max_bytes=self.max_bytes) as table:
                self.map_headers(table.headers)
                report, stage = ErrorReport(table.headers), Stage()
                try:
                    self.validate(table, report, stage)
                    self.finish(stage)
                    if errors_path is not None:
                        self.result.errors_file = report.write(Path(errors_path))
                finally:
                    report.close()
                    stage.close()
        except ReadError as error:
            raise FileRejected(error.message) from None
        self.result.errors, self.result.error_count = report.shown, report.problems
        return self.result

    def map_headers(self, headers: list[str]) -> None:
        """Which column holds what; unknown, doubled and missing required columns reject the file."""
        lookup = _header_lookup(self.kind)
        info = {_header_key(str(h)) for h in (*INFO_HEADERS, *REPORT_HEADERS)}
        status = {_header_key(h) for h in STATUS_HEADERS}
        self.col: dict[str, int] = {}
        self.header: dict[str, str] = {}
        self.status_col: int | None = None
        unknown = []
        for index, header in enumerate(headers):
            key = _header_key(header)
            target = lookup.get(key)
            if target is None:
                if key in status:
                    self.status_col = index
                elif key and key not in info:
                    unknown.append(header)
                continue
            if target in self.col:
                raise FileRejected(
                    _("The columns %(first)s and %(second)s both mean %(header)s; keep one of them.")
                    % {"first": self.header[target], "second": header, "header": self.column(target).header}
                )
            self.col[target], self.header[target] = index, header
        if unknown:
            raise FileRejected(
                _("Unknown columns: %(unknown)s. Use the headers of the template: %(headers)s.")
                % {"unknown": "、".join(unknown), "headers": "、".join(c.header for c in self.columns)}
            )
        missing = [c.header for c in self.columns if c.required and c.key not in self.col]
        if missing:
            raise FileRejected(
                _("Required columns are missing: %(missing)s. Use the headers of the template.")
                % {"missing": "、".join(missing)}
            )
        self.width = len(headers)
        # Rows are padded with one empty cell past the last column; absent columns point at it.
        self.at = {column.key: self.col.get(column.key, self.width) for column in self.columns}

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def head(self, key: str) -> str:
        """The column's header as the file has it (the template's when the file has none)."""
        return self.header.get(key) or self.column(key).header

    def cell(self, cells: list, key: str):
        return cells[self.at[key]]

    def validate(self, table, report: ErrorReport, stage: Stage) -> None:
        total, width, rows = table.total, self.width, iter(table)
        self.report_progress(0, total, _("Checking %(file)s …") % {"file": self.filename})
        parse, formula_cells = self.parse, table.formula_cells
        # The example row is recognised by its first cell before all its cells are compared.
        first = self.columns[0]
        example_at, example = self.col[first.key], first.example
        while batch := list(itertools.islice(rows, BATCH)):
            pending = []
            for number, cells in batch:
                # exactly one cell per header, then the empty cell that absent columns read
                if len(cells) == width:
                    cells.append("")
                elif len(cells) < width:
                    cells.extend([""] * (width + 1 - len(cells)))
                else:
                    del cells[width:]
                    cells.append("")
                item = parse(number, cells)
                if formula_cells:
                    formulas = formula_cells.get(number)
                    if formulas:
                        item.problems[:0] = self.formula_problems(formulas)
                if text(cells[example_at]) == example and self.is_example(cells):
                    item.problems.insert(0, (self.head("name"), _("This is the template's example row; delete it.")))
                pending.append(item)
            self.validate_batch(pending, report, stage)
            self.result.rows += len(batch)
            done = self.result.rows
            self.report_progress(
                done,
                max(total or 0, done),
                _("Checked %(done)s rows, %(rejected)s with problems.")
                % {"done": f"{done:,}", "rejected": f"{self.result.rejected:,}"},
            )

    def is_example(self, cells: list) -> bool:
        """The template's example row, left in by mistake."""
        first = self.columns[0]
        return text(cells[self.col[first.key]]) == first.example and all(
            text(cells[index]) == self.column(key).example for key, index in self.col.items()
        )

    def formula_problems(self, columns: set[int]) -> list[tuple[str, str]]:
        key_of = {index: key for key, index in self.col.items()}
        return [
            (
                self.head(key_of[index]) if index in key_of else column_letter(index),
                _("The cell holds a formula; paste the sheet as values (Paste Special → Values) and import again"),
            )
            for index in sorted(columns)
        ]

    def reject(self, pending: Pending, report: ErrorReport) -> None:
        report.add(pending.number, pending.problems, pending.cells)
        self.result.rejected += 1

    @property
    def staging(self) -> bool:
        """Whether valid rows are still worth preparing: not in a dry run, nor once an
        all-or-nothing import has a problem."""
        return not self.dry_run and (self.keep_valid or self.result.rejected == 0)

    # --- units ---
    def load_units(self, codes) -> None:
        missing = sorted({code for code in codes if code and code not in self.units})
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            self.units.update(dict.fromkeys(chunk))
            for code, pk, path, name, kind in OrgUnit.objects.filter(code__in=chunk).values_list(
                "code", "id", "path", "name", "kind"
            ):
                self.units[code] = Unit(pk, path, name, kind)

    def may(self, action: str, path: str) -> bool:
        key = (action, path)
        allowed = self.scope.get(key)
        if allowed is None:
            allowed = self.scope[key] = path_in_scope(self.actor, action, path)
        return allowed

    def unit_for(self, pending: Pending, code: str, key: str, *, grassroots_message=None) -> Unit | None:
        """The unit of `code`, or the import's unit when the cell is empty, if the importer may add
        there (unknown and out of scope read the same); else a problem is added."""
        if code:
            unit = self.units.get(code)
        elif self.home is not None:
            unit = self.home
        else:
            pending.problems.append((self.head(key), _("This column is required")))
            return None
        if unit is None or not self.may(Action.ADD, unit.path):
            pending.problems.append(
                (
                    self.head(key),
                    _("No unit with code %(code)s in your scope. Check the code, or ask an administrator above you.")
                    % {"code": code},
                )
            )
            return None
        if grassroots_message is not None and unit.kind not in GRASSROOTS_KINDS:
            pending.problems.append((self.head(key), grassroots_message % {"unit": unit.name}))
            return None
        self.used_units[unit.id] = unit.path
        return unit

    # --- writing ---
    def finish(self, stage: Stage) -> None:
        result = self.result
        if self.dry_run:
            result.outcome = DRY_RUN
            return
        if result.rejected and not self.keep_valid:
            result.outcome = REJECTED
            self.audit()
            return
        self.report_progress(result.rows, result.rows, _("Writing to the database …"))
        try:
            with bulk.bulk_cache(), transaction.atomic():
                self.recheck_units()
                self.write(stage)
                self.delta.apply()
                self.audit()
        except (Conflict, IntegrityError):
            raise FileRejected(
                _(
                    "While the file was being checked, other changes were made to the same records (for example "
                    "someone enrolled one of these people, or a union was moved). Nothing was written; import the "
                    "file again."
                )
            ) from None

    def recheck_units(self) -> None:
        """In the write transaction: every unit used still has the path it was checked with (a
        unit may have moved meanwhile) and is still in the importer's scope."""
        ids = sorted(self.used_units)
        for start in range(0, len(ids), 500):
            for pk, path in OrgUnit.objects.filter(pk__in=ids[start : start + 500]).values_list("id", "path"):
                if path != self.used_units[pk] or not path_in_scope(self.actor, Action.ADD, path):
                    raise Conflict

    def audit(self) -> None:
        result = self.result
        audit_record(
            action=AuditAction.CREATE,
            actor=self.actor,
            actor_name=getattr(self.actor, "audit_name", ""),
            org_unit=self.default_unit,
            result=AuditResult.FAILED if result.outcome == REJECTED else AuditResult.OK,
            object_type=f"membership.import_{self.kind}",
            object_repr=self.filename[:200],
            detail={
                "file": self.filename,
                "outcome": result.outcome,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": result.rejected,
                "keep_valid": self.keep_valid,
            },
        )

    def parse(self, number: int, cells: list) -> Pending:
        raise NotImplementedError

    def validate_batch(self, pending: list[Pending], report: ErrorReport, stage: Stage) -> None:
        raise NotImplementedError

    def write(self, stage: Stage) -> None:
        raise NotImplementedError


# --- members --------------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)


@dataclass(slots=True)
class OnRoll:
    """A member already on the roll, as the import compares it (phones by blind index only)."""

    id: int
    org_unit_id: int
    unit_path: str
    unit_name: str
    card_no: str
    name: str
    phone_index: str
    ethnicity: str
    education: str
    enterprise_id: int | None
    enterprise_name: str | None
    dims: tuple[str, str, str]
    employer_name: str
    join_date: dt.date
    is_migrant: bool
    is_new_form: bool


# What the on-roll lookup reads (no personal data in clear: phones by blind index only).
_ON_ROLL = (
    "m.id_index", "m.id", "m.org_unit_id", "m.unit_path", "u.name", "m.card_no", "m.name", "m.phone_index",
    "m.ethnicity", "m.education", "m.enterprise_id", "e.name", "e.ownership", "e.industry", "e.region_code",
    "m.employer_name", "m.join_date", "m.is_migrant", "m.is_new_form",
)  # fmt: skip


@lru_cache(maxsize=8)
def _on_roll_sql(count: int) -> str:
    member, unit, enterprise = (model._meta.db_table for model in (Member, OrgUnit, Enterprise))
    return (
        f"SELECT {', '.join(_ON_ROLL)} FROM {member} m JOIN {unit} u ON u.id = m.org_unit_id "  # noqa: S608
        f"LEFT JOIN {enterprise} e ON e.id = m.enterprise_id "
        f"WHERE m.status = %s AND m.id_index IN ({', '.join(['%s'] * count)})"
    )


_MEMBERS_IN_GRASSROOTS = gettext_lazy("Members belong to a grassroots union; %(unit)s is a federation.")
_ACTIVE = str(MemberStatus.ACTIVE.value)  # a plain str: the sqlite3 module binds it without adapting

_MEMBER_OPTIONAL = (
    ("is_migrant", parse_bool),
    ("is_new_form", parse_bool),
    ("ethnicity", lambda value: parse_choice("ethnicity", value)),
    ("education", lambda value: parse_choice("education", value)),
)


@cache
def _active_words() -> frozenset[str]:
    words = {"在册", MemberStatus.ACTIVE.value}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            words.add(str(MemberStatus.ACTIVE.label))
    return frozenset(_vocabulary_key(word) for word in words)


class MemberImporter(Importer):
    kind = MEMBERS
    columns = MEMBER_COLUMNS

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.ids = IdNumbers(self.today)
        self.first_row: dict[str, int] = {}  # ID number → first row with it
        self.employers: dict[str, tuple[int, str] | None] = {}  # credit code → (id, name) in scope
        self.dims: dict[int, tuple[str, str, str]] = {}  # employer id → ownership, industry, region
        self.crypt = bulk.Encryptor()
        self.id_aad = Member._meta.get_field("id_number").aad.encode()
        self.phone_aad = Member._meta.get_field("phone").aad.encode()
        self.new_cells: Counter = Counter()  # coverage cells of the new members (bulk.member_cells)

    def map_headers(self, headers: list[str]) -> None:
        super().map_headers(headers)
        # (key, cell index, header, answers by cell text, parse) of the cells looked up by value
        self.lookups = [
            (key, self.col[key], self.head(key), {}, parse) for key, parse in _MEMBER_OPTIONAL if key in self.col
        ]
        self.join_dates: dict[str, tuple[bool, object]] = {}
        self.unit_codes: dict[str, tuple[bool, object]] = {}
        self.credit_codes: dict[str, tuple[bool, object]] = {}
        self.heads = {key: self.head(key) for key in ("name", "id_number", "phone", "join_date", "employer")}
        self.heads["credit_code"] = self.head("credit_code")
        self.index_id, self.index_phone = self.crypt.indexer("id_number"), self.crypt.indexer("phone")
        if "union_code" not in self.col and self.default_unit is None:
            raise FileRejected(
                _("The column %(header)s is missing; add it, or choose the union for rows without one.")
                % {"header": self.column("union_code").header}
            )

    def parse(self, number: int, cells: list) -> Pending:
        """The row's own checks, which need no database. This runs once per row of files of
        millions of rows: cells that repeat (dates, codes, 是/否, 汉族) are answered from the
        `lookup` of their text, and text cells are cleaned inline (`text` is the reference)."""
        item = Pending(number, cells)
        problems, col, heads = item.problems, self.col, self.heads
        if self.status_col is not None:
            status = text(cells[self.status_col])
            if status and _vocabulary_key(status) not in _active_words():
                return item  # not on the roll: imports enrol and correct members on the roll only
        values = item.values = {}
        raw = cells[col["name"]]
        name = raw.strip() if raw.__class__ is str else ""
        if not name or name[0] == "'" or not raw.isprintable() or "  " in name:
            name = " ".join(text(raw).split())
        values["name"] = name
        if not name:
            problems.append((heads["name"], _("This column is required")))
        elif len(name) > 50:
            problems.append((heads["name"], _("At most %(n)d characters") % {"n": 50}))
        try:
            id_number, birth, gender = self.ids(cells[col["id_number"]])
        except IdNumberError as error:
            problems.append((heads["id_number"], str(error.message)))
            birth = None
        else:
            values["id_number"], values["birth_date"], values["gender"] = id_number, birth, gender
            item.id_index = self.index_id(id_number)
            first = self.first_row.setdefault(id_number, number)
            if first != number:
                problems.append(
                    (
                        heads["id_number"],
                        _("The same ID number is already in row %(row)d of this file") % {"row": first},
                    )
                )
        values["phone"] = values["phone_index"] = ""
        if "phone" in col:
            raw = cells[col["phone"]]
            phone = raw.strip() if raw.__class__ is str else text(raw)
            if phone[:1] == "'":
                phone = text(raw)
            if "*" in phone:
                item.keep_phone = True
            elif phone:
                if len(phone) != 11 or not _MOBILE.fullmatch(phone):
                    try:
                        phone = normalize_mobile(phone)
                    except ValueError:
                        phone = ""
                        problems.append(
                            (heads["phone"], _("Enter a mainland mobile number of 11 digits starting with 1."))
                        )
                if phone:
                    values["phone"], values["phone_index"] = phone, self.index_phone(phone)
        raw = cells[col["join_date"]]
        found = self.join_dates.get(raw) if raw.__class__ is str else None
        if found is None:
            found = _remember(self.join_dates, parse_date, raw)
        if found[0]:
            values["join_date"] = join_date = found[1]
            if join_date is None:
                problems.append((heads["join_date"], _("This column is required")))
            elif join_date > self.today:
                problems.append((heads["join_date"], _("The join date cannot be in the future.")))
            elif birth is not None and join_date < birth:
                problems.append((heads["join_date"], _("The join date is before the birth date in the ID number.")))
        else:
            problems.append((heads["join_date"], found[1]))
        for key, index, head, seen, parse in self.lookups:
            raw = cells[index]
            found = seen.get(raw) if raw.__class__ is str else None
            if found is None:
                found = _remember(seen, parse, raw)
            if found[0]:
                values[key] = found[1]
            else:
                problems.append((head, found[1]))
        raw = cells[self.at["employer"]]
        employer = raw.strip() if raw.__class__ is str else text(raw)
        if employer[:1] == "'":
            employer = text(raw)
        values["employer_name"] = employer
        if len(employer) > 100:
            problems.append((heads["employer"], _("At most %(n)d characters") % {"n": 100}))
        raw = cells[self.at["credit_code"]]
        found = self.credit_codes.get(raw) if raw.__class__ is str else None
        if found is None:
            found = _remember(self.credit_codes, _credit_code, raw)
        if found[0]:
            item.credit_code = found[1]
        else:
            problems.append((heads["credit_code"], found[1]))
        raw = cells[self.at["union_code"]]
        found = self.unit_codes.get(raw) if raw.__class__ is str else None
        item.union_code = (found or _remember(self.unit_codes, unit_code, raw))[1]
        return item

    def validate_batch(self, pending: list[Pending], report: ErrorReport, stage: Stage) -> None:
        parsed = [p for p in pending if p.values is not None]
        self.load_units(p.union_code for p in parsed)
        self.load_employers(p.credit_code for p in parsed if p.credit_code)
        on_roll = self.load_on_roll([p.id_index for p in parsed if p.id_index])
        creates, updates, result = [], [], self.result
        for item in pending:
            if item.values is None:  # not on the roll (状态), unless a formula or the example row
                if item.problems:
                    self.reject(item, report)
                else:
                    result.unchanged += 1
                continue
            current = on_roll.get(item.id_index) if item.id_index else None
            resolved = self.resolve(item, current)
            if item.problems:
                self.reject(item, report)
            elif current is None:
                result.created += 1
                creates.append((item, *resolved))
            else:
                change = self.changes(item, self.member_row(item, *resolved), current)
                if change is None:
                    result.unchanged += 1
                else:
                    result.updated += 1
                    updates.append(change)
        if self.staging:
            stage.put("create", self.prepare(creates))
            stage.put("update", [self.stage_update(change) for change in updates])

    def prepare(self, creates: list[tuple[Pending, Unit, int | None]]) -> list[tuple]:
        """The new members as `bulk.write_members` inserts them: what `bulk.prepare_members`
        makes of a `MemberRow` (in the order of `bulk.MEMBER_VALUES`, search tokens last), built
        here from the parsed values without the MemberRow, and their coverage counted."""
        encrypt = self.crypt.batch(2 * len(creates))
        id_aad, phone_aad, cells, tokens = self.id_aad, self.phone_aad, self.new_cells, bulk.name_tokens_cached
        prepared = []
        for item, unit, enterprise_id in creates:
            values = item.values
            phone, joined = values["phone"], values["join_date"]
            migrant, new_form = values.get("is_migrant", False), values.get("is_new_form", False)
            cells[(unit.path, enterprise_id, _ACTIVE, migrant, new_form, joined.replace(day=1), None)] += 1
            prepared.append(
                (
                    values["name"],
                    encrypt(values["id_number"].encode(), id_aad),
                    item.id_index,
                    values["gender"],
                    values["birth_date"].isoformat(),
                    encrypt(phone.encode(), phone_aad) if phone else None,
                    values["phone_index"],
                    values.get("ethnicity", ""),
                    values.get("education", ""),
                    enterprise_id,
                    values["employer_name"],
                    unit.id,
                    unit.path,
                    joined.isoformat(),
                    1 if migrant else 0,
                    1 if new_form else 0,
                    None,  # recruited by
                    _ACTIVE,
                    None,  # status date
                    tokens(values["name"]),
                )
            )
        return prepared

    # --- against the database ---
    def load_employers(self, codes) -> None:
        missing = sorted({code for code in codes if code not in self.employers})
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            self.employers.update(dict.fromkeys(chunk))
            for code, pk, name, path, *dims in Enterprise.objects.filter(credit_code__in=chunk).values_list(
                "credit_code", "id", "name", "unit_path", "ownership", "industry", "region_code"
            ):
                if self.may(Action.VIEW, path):
                    self.employers[code] = (pk, name)
                    self.dims[pk] = tuple(dims)

    def load_on_roll(self, indexes: list[str]) -> dict[str, OnRoll]:
        """Members on the roll with these ID numbers (by blind index), in one query per 1,000:
        plain SQL, because the ORM's per-value work on a 1,000-long IN list costs more than the
        index probes do."""
        found = {}
        with connection.cursor() as cursor:
            for start in range(0, len(indexes), 1000):
                chunk = indexes[start : start + 1000]
                cursor.execute(_on_roll_sql(len(chunk)), [MemberStatus.ACTIVE, *chunk])
                for index, *values, joined, migrant, new_form in cursor.fetchall():
                    found[index] = OnRoll(
                        *values[:11],
                        tuple(v or "" for v in values[11:14]),
                        values[14],
                        joined if isinstance(joined, dt.date) else dt.date.fromisoformat(joined),
                        bool(migrant),
                        bool(new_form),
                    )
        return found

    def resolve(self, item: Pending, current: OnRoll | None) -> tuple[Unit, int | None] | None:
        """The checks against the database; (the member's union, employer id) if they all pass."""
        values, head = item.values, self.head
        unit = self.unit_for(item, item.union_code, "union_code", grassroots_message=_MEMBERS_IN_GRASSROOTS)
        enterprise_id = None
        if item.credit_code:
            employer = self.employers.get(item.credit_code)
            if employer is None:
                item.problems.append(
                    (
                        head("credit_code"),
                        _("No employer with unified social credit code %(code)s in your scope")
                        % {"code": item.credit_code},
                    )
                )
            else:
                enterprise_id, values["employer_name"] = employer[0], ""
        if current is not None and unit is not None and current.org_unit_id != unit.id:
            if self.may(Action.VIEW, current.unit_path):
                message = _("This person is already an active member of %(unit)s (card %(card)s).") % {
                    "unit": current.unit_name,
                    "card": current.card_no,
                }
            else:
                message = _(
                    "This person is already an active member of a union outside your scope; "
                    "start a membership transfer instead."
                )
            item.problems.append((head("id_number"), message))
        elif current is not None and unit is not None and not self.may(Action.CHANGE, current.unit_path):
            item.problems.append(
                (head("union_code"), _("You may not change the members of %(unit)s.") % {"unit": current.unit_name})
            )
        elif current is None and item.keep_phone:
            item.problems.append((head("phone"), _("The phone number is masked (****); enter it in full.")))
        if item.problems:
            return None
        return unit, enterprise_id

    def member_row(self, item: Pending, unit: Unit, enterprise_id: int | None) -> bulk.MemberRow:
        """The row of a member already on the roll, to compare with what is on file."""
        values = item.values
        return bulk.MemberRow(
            name=values["name"],
            id_number=values["id_number"],
            gender=values["gender"],
            birth_date=values["birth_date"],
            phone=values["phone"],
            ethnicity=values.get("ethnicity", ""),
            education=values.get("education", ""),
            enterprise_id=enterprise_id,
            employer_name=values["employer_name"],
            org_unit_id=unit.id,
            unit_path=unit.path,
            join_date=values["join_date"],
            is_migrant=values.get("is_migrant", False),
            is_new_form=values.get("is_new_form", False),
            id_index=item.id_index,
            phone_index=values["phone_index"],
        )

    def changes(self, item: Pending, row: bulk.MemberRow, current: OnRoll):
        """What differs between the row and the member on the roll of the same union: None when
        nothing does, else (the member, {field: new value}, the employer id after the change)."""
        col, values = self.col, {}
        if row.name != current.name:
            values["name"] = row.name
        if "phone" in col and not item.keep_phone and row.phone_index != current.phone_index:
            values["phone"] = row.phone
        for key in ("ethnicity", "education", "is_migrant", "is_new_form"):
            if key in col and getattr(row, key) != getattr(current, key):
                values[key] = getattr(row, key)
        enterprise_id, employer_name = current.enterprise_id, current.employer_name
        if item.credit_code:
            enterprise_id, employer_name = row.enterprise_id, ""
        elif "employer" in col and not (current.enterprise_id and row.employer_name == current.enterprise_name):
            enterprise_id, employer_name = None, row.employer_name  # the name as written, off the employer on file
        if enterprise_id != current.enterprise_id:
            values["enterprise"] = enterprise_id
        if employer_name != current.employer_name:
            values["employer_name"] = employer_name
        if row.join_date != current.join_date:
            values["join_date"] = row.join_date
        if not values:
            return None
        return current, values, enterprise_id

    def stage_update(self, change) -> tuple:
        """(member id, unit id, {column: database value}, note, search tokens if renamed), and the
        coverage the change moves added to the import's delta."""
        current, values, enterprise_id = change
        if {"enterprise", "is_migrant", "is_new_form", "join_date"} & values.keys():
            for sign, dims, migrant, new_form, joined in (
                (
                    -1,
                    current.dims if current.enterprise_id else BLANK_DIMS,
                    current.is_migrant,
                    current.is_new_form,
                    current.join_date,
                ),
                (
                    1,
                    self.dims[enterprise_id] if enterprise_id else BLANK_DIMS,
                    values.get("is_migrant", current.is_migrant),
                    values.get("is_new_form", current.is_new_form),
                    values.get("join_date", current.join_date),
                ),
            ):
                self.delta.add_member(
                    path=current.unit_path,
                    dims=dims,
                    status=MemberStatus.ACTIVE,
                    is_migrant=migrant,
                    is_new_form=new_form,
                    join_date=joined,
                    status_date=None,
                    sign=sign,
                )
        columns = {}
        for name, value in values.items():
            if name == "phone":
                columns["phone"] = self.crypt.text(value, self.phone_aad)
                columns["phone_index"] = self.crypt.index("phone", value) if value else ""
            elif name == "enterprise":
                columns["enterprise_id"] = value
            elif name == "join_date":
                columns["join_date"] = value.isoformat()
            else:
                columns[name] = value
        tokens = name_tokens(values["name"]) if "name" in values else None
        return current.id, current.org_unit_id, columns, ", ".join(sorted(values)), tokens

    def write(self, stage: Stage) -> None:
        # What only the checks needed (an entry per ID number of the file) makes room for
        # SQLite's page cache: a million-row import stays well under 1 GiB.
        self.first_row.clear()
        self.join_dates.clear()
        bulk.add_member_cells(self.new_cells, self.dims, self.delta)
        event = (MemberEventKind.IMPORTED, self.actor_id, self.filename[:200])
        today = self.today.isoformat()
        for kind, payload in stage:
            if kind == "create":
                bulk.write_members(payload, event=event)
                continue
            if bulk.update_members((pk, unit, columns) for pk, unit, columns, _note, _tokens in payload) != len(
                payload
            ):
                raise Conflict
            bulk.add_events(
                (pk, MemberEventKind.UPDATED, today, None, None, self.actor_id, note)
                for pk, _unit, _columns, note, _tokens in payload
            )
            renamed = [(pk, tokens) for pk, _unit, _columns, _note, tokens in payload if tokens is not None]
            if renamed:
                MEMBER_SEARCH.replace(renamed)


# --- enterprises ----------------------------------------------------------------------------------

_ENTERPRISE_FIELDS = (
    "name",
    "ownership",
    "industry",
    "region_code",
    "address",
    "employees",
    "migrant_workers",
    "new_form_workers",
    "new_form_occupations",
    "union_unit_id",
    "org_unit_id",
    "unit_path",
)
_COUNTS = ("employees", "migrant_workers", "new_form_workers")


class EnterpriseImporter(Importer):
    kind = ENTERPRISES
    columns = ENTERPRISE_COLUMNS

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first_row: dict[str, int] = {}
        self.dims_moved: list[tuple[int, tuple, tuple]] = []  # enterprises whose members' cells move

    def parse(self, number: int, cells: list) -> Pending:
        """The row's own checks, which need no database."""
        pending = Pending(number, cells, values={})
        problems, head, values = pending.problems, self.head, pending.values
        name = " ".join(text(self.cell(cells, "name")).split())
        if not name:
            problems.append((head("name"), _("This column is required")))
        elif len(name) > 100:
            problems.append((head("name"), _("At most %(n)d characters") % {"n": 100}))
        values["name"] = name
        try:
            credit = parse_credit_code(text(self.cell(cells, "credit_code"))).value
        except CreditCodeError as error:
            problems.append((head("credit_code"), str(error.message)))
        else:
            first = self.first_row.setdefault(credit, number)
            if first != number:
                problems.append(
                    (
                        head("credit_code"),
                        _("The same credit code is already in row %(row)d of this file") % {"row": first},
                    )
                )
            pending.credit_code = credit
        for key, parse in (
            ("ownership", lambda v: parse_choice("ownership", v, required=True)),
            ("industry", lambda v: parse_choice("industry", v, required=True)),
            ("region_code", parse_region),
        ):
            try:
                values[key] = parse(self.cell(cells, key))
            except Bad as error:
                problems.append((head(key), str(error)))
        for key, limit in (("address", 200), ("new_form_occupations", 200)):
            if key in self.col:
                values[key] = text(cells[self.col[key]])
                if len(values[key]) > limit:
                    problems.append((head(key), _("At most %(n)d characters") % {"n": limit}))
        for key in _COUNTS:
            if key in self.col:
                try:
                    values[key] = parse_count(cells[self.col[key]])
                except Bad as error:
                    problems.append((head(key), str(error)))
        pending.union_code = unit_code(self.cell(cells, "union_code"))
        pending.unit_code = unit_code(self.cell(cells, "unit_code"))
        return pending

    def validate_batch(self, pending: list[Pending], report: ErrorReport, stage: Stage) -> None:
        self.load_units([code for p in pending for code in (p.union_code, p.unit_code)])
        existing = self.load_existing([p.credit_code for p in pending if p.credit_code])
        creates, updates = [], []
        for item in pending:
            outcome = self.resolve(item, existing.get(item.credit_code))
            if item.problems:
                self.reject(item, report)
            elif isinstance(outcome, bulk.EnterpriseRow):
                self.result.created += 1
                creates.append(outcome)
            elif outcome is None:
                self.result.unchanged += 1
            else:
                self.result.updated += 1
                updates.append(outcome)
        if self.staging:
            stage.put("create", creates)
            stage.put("update", [self.stage_update(*change) for change in updates])

    def load_existing(self, codes: list[str]) -> dict[str, dict]:
        found = {}
        for start in range(0, len(codes), 1000):
            for values in Enterprise.objects.filter(credit_code__in=codes[start : start + 1000]).values(
                "id", "credit_code", *_ENTERPRISE_FIELDS
            ):
                found[values["credit_code"]] = values
        return found

    def resolve(self, item: Pending, current: dict | None):
        """A new EnterpriseRow, None when the enterprise on file already says all this, or
        (current values, {field: new value}) for an update."""
        values, head = item.values, self.head
        if current is not None and not self.may(Action.CHANGE, current["unit_path"]):
            item.problems.append(
                (head("credit_code"), _("An enterprise with this credit code is kept by a unit outside your scope."))
            )
            return None
        union = None
        if item.union_code:
            union = self.unit_for(
                item,
                item.union_code,
                "union_code",
                grassroots_message=gettext_lazy(
                    "The covering union must be a grassroots or joint grassroots union; %(unit)s is not."
                ),
            )
            if union is None:
                return None
            home = union
        elif current is not None and current["union_unit_id"] is None and not item.unit_code:
            home = Unit(current["org_unit_id"], current["unit_path"], "", "")  # stays where it is kept
        else:
            home = self.unit_for(item, item.unit_code, "unit_code")
            if home is None:
                return None
        values["union_unit_id"] = union.id if union else None
        values["org_unit_id"], values["unit_path"] = home.id, home.path
        merged = {**(current or {}), **values}
        for key in ("migrant_workers", "new_form_workers"):
            if merged.get(key, 0) > merged.get("employees", 0):
                item.problems.append((head(key), _("Cannot be more than the employees")))
        if item.problems:
            return None
        if current is None:
            return bulk.EnterpriseRow(
                credit_code=item.credit_code,
                **{key: merged.get(key, "" if key not in _COUNTS else 0) for key in _ENTERPRISE_FIELDS},
            )
        changed = {key: value for key, value in values.items() if current[key] != value}
        return (current, changed) if changed else None

    def stage_update(self, current: dict, changed: dict) -> tuple:
        """(enterprise id, its unit path, {column: value}, search tokens if renamed, (old, new) dims
        if they change). The enterprise's coverage moves in the import's delta now; its members'
        cells move in the write transaction (see `move_member_cells`)."""
        after = {**current, **changed}
        for sign, values in ((-1, current), (1, after)):
            self.delta.add_enterprise(
                path=values["unit_path"],
                dims=(values["ownership"], values["industry"], values["region_code"]),
                unionised=values["union_unit_id"] is not None,
                employees=values["employees"],
                migrant_workers=values["migrant_workers"],
                new_form_workers=values["new_form_workers"],
                sign=sign,
            )
        old_dims = (current["ownership"], current["industry"], current["region_code"])
        new_dims = (after["ownership"], after["industry"], after["region_code"])
        tokens = name_tokens(changed["name"]) if "name" in changed else None
        moved = (old_dims, new_dims) if old_dims != new_dims else None
        return current["id"], current["unit_path"], changed, tokens, moved

    def write(self, stage: Stage) -> None:
        moved = []
        for kind, payload in stage:
            if kind == "create":
                bulk.insert_enterprises(payload, delta=self.delta)
                continue
            if bulk.update_enterprises((pk, path, changed) for pk, path, changed, _t, _d in payload) != len(payload):
                raise Conflict
            renamed = [(pk, tokens) for pk, _path, _changed, tokens, _dims in payload if tokens is not None]
            if renamed:
                ENTERPRISE_SEARCH.replace(renamed)
            moved += [(pk, dims) for pk, _path, _changed, _tokens, dims in payload if dims is not None]
        self.move_member_cells(moved)

    def move_member_cells(self, moved: list[tuple[int, tuple]]) -> None:
        """Members count under their employer's ownership, industry and region: when those change,
        the members' totals move with them (read here, in the write transaction)."""
        dims = dict(moved)
        ids = sorted(dims)
        for start in range(0, len(ids), 500):
            rows = (
                Member.objects.filter(status=MemberStatus.ACTIVE, enterprise_id__in=ids[start : start + 500])
                .values("enterprise_id", "unit_path", "is_migrant", "is_new_form")
                .annotate(n=Count("id"))
                .order_by()
            )
            for row in rows:
                old, new = dims[row["enterprise_id"]]
                for sign, cell_dims in ((-1, old), (1, new)):
                    # Same month both ways: the monthly joins cancel out, only the cells move.
                    self.delta.add_member(
                        path=row["unit_path"],
                        dims=cell_dims,
                        status=MemberStatus.ACTIVE,
                        is_migrant=row["is_migrant"],
                        is_new_form=row["is_new_form"],
                        join_date=self.today,
                        status_date=None,
                        sign=sign * row["n"],
                    )


# --- entry points ---------------------------------------------------------------------------------

IMPORTERS = {MEMBERS: MemberImporter, ENTERPRISES: EnterpriseImporter}


def import_file(
    *,
    kind: str,
    actor,
    path: Path,
    filename: str = "",
    errors_path: Path | None = None,
    dry_run: bool = False,
    keep_valid: bool = False,
    default_unit: OrgUnit | None = None,
    progress: Callable[[int, int | None, str], None] | None = None,
    max_bytes: int | None = None,
) -> ImportResult:
    """Import members or enterprises from a file (see the module docstring). Raises FileRejected
    when the file as a whole cannot be imported; rows with problems are in the result (and, with
    `errors_path`, written there with their original values). `max_bytes`: the size limit
    (default: the upload limit, `max_upload_bytes()`)."""
    importer = IMPORTERS[kind](
        actor=actor,
        filename=filename or Path(path).name,
        dry_run=dry_run,
        keep_valid=keep_valid,
        default_unit=default_unit,
        progress=progress,
        max_bytes=max_bytes,
    )
    return importer.run(Path(path), errors_path)


# --- the template ---------------------------------------------------------------------------------


def template_workbook(kind: str) -> bytes:
    """The .xlsx template: the headers (required ones in red, every column formatted as text so
    that ID numbers keep their digits) with one example row, and a second sheet that explains
    every column and lists the accepted values."""
    columns = COLUMNS[kind]
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    as_text = workbook.add_format({"num_format": "@"})
    bold = workbook.add_format({"bold": True, "bg_color": "#E7EEF8", "border": 1, "num_format": "@"})
    required = workbook.add_format(
        {"bold": True, "bg_color": "#FBE9E7", "border": 1, "font_color": "#B3261E", "num_format": "@"}
    )
    example = workbook.add_format({"num_format": "@", "font_color": "#6B7280", "italic": True})
    sheet = workbook.add_worksheet(
        str(pgettext("sheet", "Members") if kind == MEMBERS else pgettext("sheet", "Enterprises"))
    )
    for index, column in enumerate(columns):
        sheet.set_column(index, index, max(12, 2 * len(column.header) + 4), as_text)
        sheet.write_string(0, index, column.header, required if column.required else bold)
        sheet.write_comment(0, index, str(column.help), {"x_scale": 2})
        sheet.write_string(1, index, column.example, example)
    sheet.freeze_panes(1, 0)

    notes = workbook.add_worksheet(str(_("Explanations")))
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 8)
    notes.set_column(2, 2, 70)
    notes.set_column(3, 4, 30)
    line = 0
    notes.write_row(
        line,
        0,
        [str(REPORT_HEADERS[1]), _("Required"), _("What to enter"), _("Example"), _("Also accepted as header")],
        bold,
    )
    for column in columns:
        line += 1
        notes.write_row(
            line,
            0,
            [
                column.header,
                _("Yes") if column.required else "",
                str(column.help),
                column.example,
                ", ".join(column.aliases),
            ],
        )
    line += 2
    notes.write_string(line, 0, str(_("Row 2 of the first sheet is an example: replace or delete it.")))
    for title, values in template_vocabularies(kind):
        line += 2
        notes.write_row(line, 0, [title, _("Code")], bold)
        for word, code in values:
            line += 1
            notes.write_row(line, 0, [word, code])
    workbook.close()
    return buffer.getvalue()


def template_vocabularies(kind: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(title, [(accepted word, code)]) of the choices a file of this kind uses."""
    yes_no = (str(_("Yes or no")), [("是 / Y / 1 / true", "是"), ("否 / N / 0 / false", "否")])
    if kind == ENTERPRISES:
        return [
            (str(_("Ownership")), [(word, key) for word, key in OWNERSHIP_WORDS.items()]),
            (str(_("Industry (GB/T 4754)")), [(word, key) for word, key in INDUSTRY_WORDS.items()]),
        ]
    return [
        yes_no,
        (str(_("Education level")), [(word, key) for word, key in EDUCATION_WORDS.items()]),
        (str(_("Ethnicity (GB/T 3304)")), [(name, f"{number:02d}") for number, name in enumerate(ETHNIC_NAMES, 1)]),
    ]
