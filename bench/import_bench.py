"""Member imports at scale: rows/s from CSV and .xlsx with full validation, encryption, blind
indexes, search tokens, history and coverage, against the raw limit (executemany/COPY of the same
prepared rows) and against the naive way (`bulk_create`), and the peak memory of a big import.

The files are generated here (valid, unique ID numbers; a mix of date spellings; half the rows
naming an employer by credit code) and imported through the same service the web page and the
`gonghui import` command use.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.timing import row

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉萍红志文斌辉鹏飞浩宇欣怡子涵梓轩思雨"
REGIONS = ("330106", "330102", "110105", "440305", "510104", "420106", "320102", "370102", "610113", "500103")
HEADERS = (
    "姓名", "身份证号", "手机号", "工作单位", "统一社会信用代码", "所属工会编码", "入会日期", "是否农民工",
    "是否新就业形态", "民族", "学历",
)  # fmt: skip


def setup() -> tuple:
    """Grassroots unions to import into (the tree bench's, or a small tree), an importer who
    administers every root, and some employers on file."""
    from django.db import transaction

    from gonghui.core.choices import GRASSROOTS_KINDS, Role, UnitKind
    from gonghui.core.models import OrgUnit, RoleAssignment
    from gonghui.lib.creditcode import make_credit_code
    from gonghui.lib.testing import make_unit, make_user
    from gonghui.membership.services import bulk

    units = list(OrgUnit.objects.filter(kind__in=GRASSROOTS_KINDS).values_list("id", "code", "path")[:2000])
    if not units:
        root = make_unit(kind=UnitKind.MUNICIPAL, name="基准测试市总工会", code="BENCH")
        for n in range(50):
            make_unit(root, kind=UnitKind.GRASSROOTS, name=f"基准测试企业{n}工会", code=f"BENCH-{n:03d}")
        units = list(OrgUnit.objects.filter(kind__in=GRASSROOTS_KINDS).values_list("id", "code", "path"))
    user = make_user("bench_importer", name="导入基准")
    for root in OrgUnit.objects.get_root_nodes():
        RoleAssignment.objects.create(user=user, org_unit=root, role=Role.ADMIN)
    rows = [
        bulk.EnterpriseRow(
            name=f"基准测试{n}有限公司",
            credit_code=make_credit_code("330106", 900_000 + n),
            ownership="private",
            industry="C",
            region_code="330106",
            address="",
            employees=100,
            migrant_workers=10,
            new_form_workers=0,
            new_form_occupations="",
            union_unit_id=unit_id,
            org_unit_id=unit_id,
            unit_path=path,
        )
        for n, (unit_id, _code, path) in enumerate(units[:500])
    ]
    with transaction.atomic():
        bulk.insert_enterprises(rows)
    employers = {r.org_unit_id: r.credit_code for r in rows}
    return user, units, employers


def member_rows(start: int, count: int, units: list, employers: dict, seed: int = 7):
    """`count` valid rows; the i-th ID number is unique across calls with distinct ranges."""
    from gonghui.lib.idnumber import make_id_number

    rng = random.Random(seed + start)
    today = date.today()
    for i in range(start, start + count):
        birth = date(1960, 1, 1) + timedelta(days=(i // 1000) % 14000)
        region = REGIONS[(i // 1000 // 14000) % len(REGIONS)]
        unit_id, code, _path = units[i % len(units)]
        joined = min(today, birth + timedelta(days=rng.randrange(18 * 365, 40 * 365)))
        spelled = (
            joined.isoformat(),
            f"{joined.year}/{joined.month}/{joined.day}",
            f"{joined.year}年{joined.month}月{joined.day}日",
        )
        credit = employers.get(unit_id, "") if i % 2 else ""
        yield (
            rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
            make_id_number(region, birth, i % 1000),
            f"1{rng.choice('3589')}{i:09d}",
            "" if credit else "某某个体工商户",
            credit,
            code,
            spelled[i % 3],
            "是" if rng.random() < 0.3 else "否",
            "是" if rng.random() < 0.05 else "否",
            "汉族",
            rng.choice(("本科", "大专", "高中", "初中")),
        )


def write_csv(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)


def write_xlsx(path: Path, rows) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for number, values in enumerate(rows, start=1):
        sheet.write_row(number, 0, values)
    workbook.close()


class Clock:
    """Wall time, and this process's CPU time: on a shared machine the second is what the code
    costs, the first also what the neighbours do."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def rates(self, rows: int) -> str:
        return f"{rows / self.wall:,.0f} rows/s"

    def cpu_rate(self, rows: int) -> float:
        return rows / max(self.cpu, 1e-9)


def timed_import(user, path: Path) -> tuple[Clock, object]:
    """The import of `path`, timed; `clock.stages` splits its CPU seconds into checking the file
    (read, validate, encrypt, stage) and writing it (the one transaction), at the progress
    report that announces the write."""
    from gonghui.membership.services.imports import MEMBERS, import_file

    marks = []

    def progress(done, total, message):
        if done and done == total and not marks:
            marks.append(time.process_time())  # the last check report, then "Writing …"

    with Clock() as clock:
        started = time.process_time()
        result = import_file(kind=MEMBERS, actor=user, path=path, max_bytes=1 << 40, progress=progress)
    split = marks[-1] if marks else started
    clock.stages = (split - started, clock.cpu - (split - started))
    return clock, result


def raw_and_naive(rows: list[tuple], units: list, naive_rows: int) -> tuple[Clock, Clock, Clock]:
    """rows/s of executemany/COPY of the prepared `rows` (members alone, and members with the
    search tokens and history lines an import writes too), and of `bulk_create` of the first
    `naive_rows` of them; all rolled back, so the import after them meets the same table."""
    from django.db import transaction

    from gonghui.lib.idnumber import parse_id_number
    from gonghui.membership.choices import MemberEventKind
    from gonghui.membership.models import MEMBER_SEARCH, Member, MemberEvent
    from gonghui.membership.services import bulk

    path_of = {code: (pk, path) for pk, code, path in units}
    members = []
    for name, id_number, phone, employer, _credit, code, _joined, migrant, new_form, _e, _ed in rows:
        parsed = parse_id_number(id_number)
        pk, path = path_of[code]
        members.append(
            bulk.MemberRow(
                name=name, id_number=id_number, gender=parsed.gender, birth_date=parsed.birth_date, phone=phone,
                ethnicity="01", education="bachelor", enterprise_id=None, employer_name=employer, org_unit_id=pk,
                unit_path=path, join_date=date(2020, 1, 2), is_migrant=migrant == "是", is_new_form=new_form == "是",
            )
        )  # fmt: skip
    prepared = bulk.prepare_members(members)
    columns = ["id", "card_no", *bulk._columns(Member, bulk.MEMBER_VALUES), "created_at", "updated_at"]
    event_columns = [*bulk._columns(MemberEvent, bulk.EVENT_VALUES), "at"]
    clocks = []
    for everything in (False, True):
        with bulk.bulk_cache(), transaction.atomic():
            ids = bulk.allocate_ids(Member, len(prepared))
            now = bulk._now()
            final = [
                (pk, card, *values[:-1], now, now)
                for pk, card, values in zip(ids, bulk.card_numbers(ids), prepared, strict=True)
            ]
            search = [(pk, values[-1]) for pk, values in zip(ids, prepared, strict=True)]
            joined, unit = bulk.MEMBER_VALUES.index("join_date"), bulk.MEMBER_VALUES.index("org_unit")
            events = [
                (pk, MemberEventKind.IMPORTED, values[joined], None, values[unit], None, "", now)
                for pk, values in zip(ids, prepared, strict=True)
            ]
            with Clock() as raw:
                bulk.copy_rows(Member, columns, final)
                if everything:
                    MEMBER_SEARCH.insert(search)
                    bulk.copy_rows(MemberEvent, event_columns, events)
            transaction.set_rollback(True)
        clocks.append(raw)
        del final, search, events
    del prepared
    with bulk.bulk_cache(), transaction.atomic(), Clock() as naive:
        objects = [
            Member(
                name=m.name, id_number=m.id_number, gender=m.gender, birth_date=m.birth_date, phone=m.phone,
                ethnicity=m.ethnicity, education=m.education, employer_name=m.employer_name,
                org_unit_id=m.org_unit_id, unit_path=m.unit_path, join_date=m.join_date, is_migrant=m.is_migrant,
                is_new_form=m.is_new_form,
            )
            for m in members[:naive_rows]
        ]  # fmt: skip
        Member.objects.bulk_create(objects, batch_size=2000)
        transaction.set_rollback(True)
    return clocks[0], clocks[1], naive


# Run `gonghui import …` and report the process's own high-water mark of resident memory. Not
# `ru_maxrss`: on Linux a child started with vfork inherits the parent's peak across exec, so it
# would report this (big) bench process instead. VmHWM belongs to the address space after exec.
_MEASURED_CLI = """
import atexit, runpy, sys
def report():
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(f"peak-rss-kib {kib}", file=sys.stderr)
atexit.register(report)
sys.argv[0] = "gonghui"
runpy.run_module("gonghui.cli", run_name="__main__")
"""


def peak_memory(path: Path, user) -> tuple[float, float, str]:
    """Seconds and peak RSS (MiB) of `gonghui import members FILE` in a fresh process."""
    command = [sys.executable, "-c", _MEASURED_CLI, "import", "members", str(path), "--as", user.username]
    command += ["--max-mb", "100000"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=os.environ.copy())  # noqa: S603
        status = process.wait()
        out.seek(0)
        err.seek(0)
        lines = out.read().decode().strip().splitlines()
        errors = err.read().decode().strip().splitlines()
        peaks = [int(line.split()[1]) for line in errors if line.startswith("peak-rss-kib ")]
        if status:
            lines += [line for line in errors if not line.startswith("peak-rss-kib ")][-1:]
    peak = peaks[-1] / 1024 if peaks else float("nan")
    return time.perf_counter() - started, peak, " ".join(lines[-2:]) or f"exit {status}"


def stage_split(clock: Clock, rows: int) -> str:
    check, write = clock.stages
    return f"{check / rows * 1e6:.0f} / {write / rows * 1e6:.0f} µs/row"


def run(rows: int, memory_rows: int) -> None:
    from django.db import connection

    workdir = Path(os.environ.get("GONGHUI_INSTANCE_DIR", "."))
    print(f"\n== member import ({connection.vendor}): validation, encryption, blind indexes, search tokens, coverage")
    user, units, employers = setup()
    row("units imported into / employers on file", f"{len(units):,} / {len(employers):,}")

    # The raw limit and the naive way first, rolled back: the import then meets the same table.
    naive_rows = min(rows, 50_000)
    raw, raw_all, naive = raw_and_naive(list(member_rows(0, rows, units, employers)), units, naive_rows)
    csv_path = workdir / "bench-members.csv"
    write_csv(csv_path, member_rows(0, rows, units, employers))
    clock, result = timed_import(user, csv_path)
    cpu = clock.cpu_rate(result.created)
    print("  (wall-clock rows/s; in brackets per CPU-second of this process, which neighbours do not change)")
    row(f"CSV, {rows:,} rows (UTF-8 with BOM)", clock.rates(rows), f"({cpu:,.0f}); {result.line()}")
    row("  of its CPU time: checking the file / writing", stage_split(clock, rows))
    row(
        "raw limit: executemany/COPY of the same rows, prepared",
        raw.rates(rows),
        f"({raw.cpu_rate(rows):,.0f}); import ×{cpu / raw.cpu_rate(rows):.2f} of it",
    )
    row(
        "  the same with the search tokens and history lines",
        raw_all.rates(rows),
        f"({raw_all.cpu_rate(rows):,.0f}); import ×{cpu / raw_all.cpu_rate(rows):.2f} of it",
    )
    row(
        f"naive: bulk_create of Member objects ({naive_rows:,})",
        naive.rates(naive_rows),
        f"({naive.cpu_rate(naive_rows):,.0f}); import ×{cpu / naive.cpu_rate(naive_rows):.1f} of it",
    )
    clock, result = timed_import(user, csv_path)
    row(
        "the same CSV again (compared by blind index)",
        clock.rates(rows),
        f"({clock.cpu_rate(rows):,.0f}); {result.line()}",
    )

    xlsx_rows = min(rows, 100_000)
    xlsx_path = workdir / "bench-members.xlsx"
    write_xlsx(xlsx_path, member_rows(rows, xlsx_rows, units, employers))
    clock, result = timed_import(user, xlsx_path)
    row(f".xlsx, {xlsx_rows:,} rows", clock.rates(xlsx_rows), f"({clock.cpu_rate(xlsx_rows):,.0f}); {result.line()}")
    row("  of its CPU time: checking the file / writing", stage_split(clock, xlsx_rows))

    if memory_rows:
        big = workdir / "bench-members-big.csv"
        write_csv(big, member_rows(20_000_000, memory_rows, units, employers))
        seconds, peak, line = peak_memory(big, user)
        verdict = "under 1 GiB" if peak < 1024 else "OVER 1 GiB"
        row(
            f"peak memory of a {memory_rows:,}-row CSV import (own process)",
            f"{peak:,.0f} MiB",
            f"{verdict}; {seconds:.0f} s; {line}",
        )
        big.unlink(missing_ok=True)
    row("this process, peak so far", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
