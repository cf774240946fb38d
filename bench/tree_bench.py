"""The organisation tree at national scale: subtree ranges, children, search, scoped list pages."""

import logging
import random
import time

from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.timing import median_ms, row

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
WORDS = [
    "科技",
    "机械",
    "建设",
    "物流",
    "电子",
    "纺织",
    "食品",
    "医药",
    "商贸",
    "网络",
    "汽车",
    "环保",
    "能源",
    "化工",
    "数字",
]


def step(n: int) -> str:
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


def build(n_units: int):
    """Bulk-load a province-shaped tree: 11 cities, ~10 counties each, ~15 streets each, the rest
    grassroots unions spread under the streets. Rows go in with executemany, as imports will."""
    from gonghui.core.services import UNIT_SEARCH
    from gonghui.lib.search import name_tokens

    rng = random.Random(2026)
    now = timezone.now()
    rows, tokens = [], []

    def add(path, depth, numchild, code, name, kind):
        rows.append((path, depth, numchild, code, name, kind, "", None, "", None, "", now, now))
        tokens.append((len(rows), name_tokens(f"{name} {code}")))

    cities, counties_per, streets_per = 11, 10, 15
    streets_total = cities * counties_per * streets_per
    grassroots_total = max(0, n_units - 1 - cities - cities * counties_per - streets_total)
    per_street = grassroots_total // streets_total
    extra = grassroots_total - per_street * streets_total
    add("0001", 1, cities, "330000", "浙江省总工会", "provincial")
    street_paths = []
    for c in range(1, cities + 1):
        cpath = "0001" + step(c)
        add(cpath, 2, counties_per, f"33{c:02d}00", f"第{c}市总工会", "municipal")
        for k in range(1, counties_per + 1):
            kpath = cpath + step(k)
            add(kpath, 3, streets_per, f"33{c:02d}{k:02d}", f"第{c}市第{k}区总工会", "county")
            for s in range(1, streets_per + 1):
                street_paths.append((kpath + step(s), f"33{c:02d}{k:02d}{s:03d}"))
    for index, (spath, scode) in enumerate(street_paths):
        count = per_street + (1 if index < extra else 0)
        add(spath, 4, count, scode, f"第{index}街道总工会", "township")
        for g in range(1, count + 1):
            name = f"杭州{rng.choice(SURNAMES)}{rng.choice(WORDS)}{rng.choice(WORDS)}有限公司工会委员会"
            add(spath + step(g), 5, 0, f"{scode}-{g:03d}", name, "grassroots")
    columns = (
        "path, depth, numchild, code, name, kind, region_code, founded_on, contact_name, contact_phone, address, "
        "created_at, updated_at"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO core_orgunit ({columns}) VALUES ({', '.join(['%s'] * 13)})", rows)
        cursor.execute("SELECT MIN(id) FROM core_orgunit")
        first_id = cursor.fetchone()[0]
    UNIT_SEARCH.replace((first_id + i - 1, t) for i, t in tokens)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return len(rows), time.perf_counter() - started


def run(n_units: int) -> None:
    from gonghui.core.choices import Action, Role
    from gonghui.core.models import OrgUnit, RoleAssignment, User
    from gonghui.core.scoping import subtree_q
    from gonghui.core.tables import search_units

    print(f"\n== organisation tree ({n_units:,} units)")
    count, seconds = build(n_units)
    row("bulk load (executemany, with search tokens)", f"{count / seconds:,.0f} units/s", f"{seconds:.1f} s")
    root = OrgUnit.objects.get(code="330000")
    city = OrgUnit.objects.get(code="330100")
    street = OrgUnit.objects.filter(subtree_q("path", city.path), kind="township").order_by("path")[70]
    logging.getLogger("django.request").setLevel(logging.ERROR)

    def count_range(unit):
        return lambda: OrgUnit.objects.filter(subtree_q("path", unit.path)).count()

    def count_like(unit):
        def run_like():
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM core_orgunit WHERE path LIKE %s", [unit.path + "%"])
                return cursor.fetchone()[0]

        return run_like

    for label, unit in (("root", root), ("a city", city), ("a street", street)):
        fast, slow = median_ms(count_range(unit)), median_ms(count_like(unit), repeat=7)
        row(
            f"subtree count of {label}: range on path",
            f"{fast:.2f} ms",
            f"LIKE 'p%': {slow:.2f} ms (×{slow / fast:.1f})",
        )
    children = median_ms(
        lambda: list(OrgUnit.objects.filter(subtree_q("path", street.path), depth=street.depth + 1)[:200])
    )
    row("children of a street (first 200)", f"{children:.2f} ms")
    word = "机械"
    fts = median_ms(lambda: list(search_units(OrgUnit.objects.all(), word).order_by("path")[:50]))
    like = median_ms(lambda: list(OrgUnit.objects.filter(name__contains=word).order_by("path")[:50]), repeat=7)
    row(
        f"name search, very common '{word}' (13% of units, first 50)",
        f"{fts:.2f} ms",
        f"LIKE '%…%': {like:.2f} ms (×{like / fts:.1f})",
    )
    one = median_ms(lambda: list(search_units(OrgUnit.objects.all(), "王机械").order_by("path")[:50]))
    row("name search, 3 characters '王机械' (first 50)", f"{one:.2f} ms")
    rare = median_ms(lambda: list(search_units(OrgUnit.objects.all(), "第77街道").order_by("path")[:50]))
    rare_like = median_ms(
        lambda: list(OrgUnit.objects.filter(name__contains="第77街道").order_by("path")[:50]), repeat=7
    )
    row(
        "name search, rare '第77街道'",
        f"{rare:.2f} ms",
        f"LIKE '%…%': {rare_like:.2f} ms (×{rare_like / rare:.1f})",
    )
    code = median_ms(lambda: OrgUnit.objects.filter(code=f"{street.code}-001").first())
    row("lookup by code", f"{code:.2f} ms")

    admin = User.objects.create(username="bench_admin", name="测试", org_unit=city)
    RoleAssignment.objects.create(user=admin, org_unit=city, role=Role.ADMIN)
    admin.set_password("bench-password-2026")
    admin.save()
    scoped = median_ms(
        lambda: list(OrgUnit.objects.restrict(User.objects.get(pk=admin.pk), Action.VIEW).order_by("path")[:50])
    )
    row("restrict(city admin).first page of 50", f"{scoped:.2f} ms")
    client = Client()
    client.force_login(admin)
    page = median_ms(lambda: client.get("/units/", {"list": "1"}), repeat=11)
    row("unit list page, whole request (city admin)", f"{page:.1f} ms")
    search_page = median_ms(lambda: client.get("/units/", {"q": word}), repeat=11)
    row(f"unit search page '{word}', whole request", f"{search_page:.1f} ms")
    detail = median_ms(lambda: client.get(f"/units/{street.pk}/"), repeat=11)
    row("unit detail page with subtree counts, whole request", f"{detail:.1f} ms")
    tree = median_ms(lambda: client.get(f"/units/{street.pk}/children/"), repeat=11)
    row("tree: load one level (htmx fragment)", f"{tree:.1f} ms")
