"""Importing the attendance of one session from a spreadsheet (.xlsx, or .csv in UTF-8 or GB18030).

Columns (fixed Chinese headers, English aliases accepted):
    干部编号  the cadre number shown in the system (the cadre record's id) — the key, or else
    手机号    the mobile number of the cadre's account (looked up by blind index)
    姓名      must match the cadre found by the key: a typo in a number cannot credit someone else
    签到      是/否 (also √/×, Y/N, 1/0, 出勤/缺勤)
    学时      hours credited; empty: the session's class hours for those who attended
    结业      是/否; empty: completed when attended
    成绩      0–100; may be empty

The cadre number is the robust key: it is unique, never changes, and the sign-in sheet the
session page offers carries it. A phone number serves sheets made outside the system, for cadres
whose account has one. Names alone are not unique enough to credit hours.

A session's sheet has some hundreds of rows, so the import runs in the request. It is all or
nothing: every problem is reported with its row number and column, and nothing is written until
there are none. Re-importing the same sheet changes nothing (values equal, first sign-in kept).
Cadres on the sheet who were not enrolled are enrolled (walk-ins), within the session's places.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gonghui.capability.models import Cadre
from gonghui.capability.models_training import EnrolmentStatus, Session
from gonghui.capability.services.training import Attendance, AttendanceResult, attendance_problems, attendance_record
from gonghui.core.models import User
from gonghui.lib.phone import normalize_mobile
from gonghui.lib.readers import ReadError, open_table

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

# key → (template header, aliases)
COLUMNS = {
    "cadre_id": ("干部编号", ("编号", "干部id", "cadre id", "cadre_id", "cadre number", "id")),
    "phone": ("手机号", ("手机号码", "手机", "联系电话", "phone", "mobile")),
    "name": ("姓名", ("name",)),
    "attended": ("签到", ("是否签到", "出勤", "attended", "signed in")),
    "hours": ("学时", ("学时数", "hours")),
    "completed": ("结业", ("是否结业", "completed")),
    "score": ("成绩", ("分数", "score")),
}
TEMPLATE_HEADERS = ("干部编号", "姓名", "签到", "学时", "结业", "成绩")
YES = {"是", "y", "yes", "1", "√", "✓", "true", "出勤", "已签到", "签到"}
NO = {"否", "n", "no", "0", "×", "x", "false", "缺勤", "未签到", "未到"}


@dataclass
class Problem:
    row: int | None
    column: str
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        return _("Row %(row)d %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: AttendanceResult | None = None

    @property
    def ok(self) -> bool:
        return self.written is not None


def _header_map(headers: list[str]) -> dict[str, int]:
    found = {}
    for index, header in enumerate(headers):
        text = header.strip().lower().replace(" ", "").replace("*", "")
        for key, (chinese, aliases) in COLUMNS.items():
            if key not in found and (text == chinese or text in {a.replace(" ", "") for a in aliases}):
                found[key] = index
    return found


def _cell(cells: list, index: int | None) -> str:
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    value = cells[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _yes_no(text: str) -> bool | None:
    lowered = text.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError


def _parse_row(number: int, cells: list, columns: dict[str, int], problems: list[Problem]) -> dict | None:
    header = {key: COLUMNS[key][0] for key in COLUMNS}
    row = {"number": number, "name": " ".join(_cell(cells, columns.get("name")).split())}
    before = len(problems)
    if not row["name"]:
        problems.append(Problem(number, header["name"], _("Enter the cadre's name.")))
    cadre_id = _cell(cells, columns.get("cadre_id"))
    phone = _cell(cells, columns.get("phone"))
    row["cadre_id"] = row["phone"] = None
    if cadre_id:
        if not cadre_id.isdigit():
            problems.append(Problem(number, header["cadre_id"], _("A cadre number has digits only.")))
        else:
            row["cadre_id"] = int(cadre_id)
    elif phone:
        try:
            row["phone"] = normalize_mobile(phone)
        except ValueError:
            problems.append(Problem(number, header["phone"], _("Not an 11-digit mobile number.")))
    else:
        problems.append(
            Problem(
                number, header["cadre_id"], _("Enter the cadre number (or the mobile number of the cadre's account).")
            )
        )
    try:
        row["attended"] = _yes_no(_cell(cells, columns.get("attended")))
    except ValueError:
        problems.append(Problem(number, header["attended"], _("Enter 是 or 否.")))
    completed = _cell(cells, columns.get("completed"))
    try:
        row["completed"] = _yes_no(completed) if completed else None
    except ValueError:
        problems.append(Problem(number, header["completed"], _("Enter 是 or 否, or leave the cell empty.")))
    hours = _cell(cells, columns.get("hours"))
    row["hours"] = None
    if hours:
        try:
            value = Decimal(hours)
            if not value.is_finite() or value != value.quantize(Decimal("0.1")):
                raise InvalidOperation
            row["hours"] = value
        except InvalidOperation:
            problems.append(Problem(number, header["hours"], _("Enter hours as a number with at most one decimal.")))
    score = _cell(cells, columns.get("score"))
    row["score"] = None
    if score:
        try:
            value = Decimal(score)
            if not value.is_finite() or value != value.to_integral_value():
                raise InvalidOperation
            row["score"] = int(value)
        except InvalidOperation:
            problems.append(Problem(number, header["score"], _("Enter the score as a whole number from 0 to 100.")))
    return row if len(problems) == before else None


def _find_cadres(rows: list[dict], problems: list[Problem]) -> None:
    """Set row["cadre"] from the key, checking the name; problems for the rest."""
    by_id = Cadre.objects.in_bulk([r["cadre_id"] for r in rows if r["cadre_id"]])
    phones = {r["phone"] for r in rows if r["phone"]}
    by_phone: dict[str, Cadre] = {}
    if phones:
        for phone in phones:  # a blind-index lookup each: a sheet keyed by phone is small
            user = User.objects.by_phone(phone).first()
            cadre = Cadre.objects.filter(user=user).first() if user else None
            if cadre is not None:
                by_phone[phone] = cadre
    for row in rows:
        if row["cadre_id"]:
            cadre, column = by_id.get(row["cadre_id"]), COLUMNS["cadre_id"][0]
            missing = _("No cadre with number %(n)s.") % {"n": row["cadre_id"]}
        else:
            cadre, column = by_phone.get(row["phone"]), COLUMNS["phone"][0]
            missing = _("No cadre's account has this mobile number; use the cadre number instead.")
        if cadre is None:
            problems.append(Problem(row["number"], column, missing))
        elif cadre.name != row["name"]:
            problems.append(
                Problem(
                    row["number"],
                    COLUMNS["name"][0],
                    _("The cadre with this number is called %(name)s. Check the number and the name.")
                    % {"name": cadre.name},
                )
            )
        else:
            row["cadre"] = cadre


def attendance_import(*, actor, session: Session, path: Path, filename: str = "") -> ImportResult:
    """Read the sheet, validate every row, and record the attendance if nothing is wrong."""
    result = ImportResult()
    try:
        with open_table(path, filename=filename, max_bytes=MAX_BYTES) as table:
            columns = _header_map(table.headers)
            missing = [COLUMNS[k][0] for k in ("name", "attended") if k not in columns]
            if "cadre_id" not in columns and "phone" not in columns:
                missing.insert(0, COLUMNS["cadre_id"][0])
            if missing:
                result.problems.append(
                    Problem(
                        None,
                        "",
                        _("The sheet has no column %(columns)s. Download the sign-in sheet and use its headers.")
                        % {"columns": "、".join(missing)},
                    )
                )
                return result
            rows = []
            for number, cells in table:
                result.rows += 1
                if result.rows > MAX_ROWS:
                    result.problems.append(
                        Problem(None, "", _("At most %(n)d rows per session can be imported.") % {"n": MAX_ROWS})
                    )
                    return result
                if table.formula_cells.get(number):
                    result.problems.append(
                        Problem(number, "", _("The row holds formulas; paste the sheet as values and import again."))
                    )
                    continue
                row = _parse_row(number, cells, columns, result.problems)
                if row is not None:
                    rows.append(row)
    except ReadError as error:
        result.problems.append(Problem(None, "", str(error)))
        return result
    _find_cadres(rows, result.problems)
    found = [row for row in rows if "cadre" in row]
    seen: dict[int, int] = {}
    for row in found:
        first = seen.setdefault(row["cadre"].pk, row["number"])
        if first != row["number"]:
            result.problems.append(
                Problem(row["number"], COLUMNS["name"][0], _("The same cadre as in row %(row)d.") % {"row": first})
            )
    lines = {}
    for row in found:
        line = Attendance(
            cadre_id=row["cadre"].pk,
            attended=row["attended"],
            hours=row["hours"],
            completed=row["completed"],
            score=row["score"],
        )
        for key, message in attendance_problems(session, line):
            result.problems.append(Problem(row["number"], COLUMNS[key][0], message))
        lines[line.cadre_id] = (row["number"], line)
    if result.problems:
        result.problems.sort(key=lambda p: p.row or 0)
        return result
    try:
        result.written = attendance_record(
            actor=actor,
            session=session,
            lines=[line for _number, line in lines.values()],
            enrol_missing=True,
            source="import",
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                number = lines[int(key)][0] if key.isdigit() and int(key) in lines else None
                result.problems.extend(Problem(number, COLUMNS["name"][0], message) for message in messages)
        else:
            result.problems.extend(Problem(None, "", message) for message in error.messages)
        result.problems.sort(key=lambda p: p.row or 0)
    return result


def sheet_rows(session: Session):
    """The sign-in sheet of a session (template of the import): one row per enrolled cadre."""
    enrolments = (
        session.enrolments.exclude(status=EnrolmentStatus.CANCELLED).select_related("cadre").order_by("cadre__name")
    )
    for e in enrolments:
        recorded = e.status in (EnrolmentStatus.ATTENDED, EnrolmentStatus.ABSENT)
        yield (
            str(e.cadre_id),
            e.cadre.name,
            ("是" if e.status == EnrolmentStatus.ATTENDED else "否") if recorded else "",
            e.hours if recorded else "",
            ("是" if e.completed else "否") if recorded else "",
            e.score if e.score is not None else "",
        )
