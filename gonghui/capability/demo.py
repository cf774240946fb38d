"""Demo data of capability building: cadre records for the demo accounts, with their posts.

`gonghui demo` calls `demo_load()` after the lines' demo loaders (capability comes after them in
INSTALLED_APPS), so the accounts already recruited members, decided applications and visited
drive targets: their capability files show real figures from the organize indicators. Two
part-time committee members without accounts show what a file without work records looks like.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from gonghui.capability.choices import Education, Employment, Gender, Position
from gonghui.capability.models import Cadre, CadrePost
from gonghui.capability.services.frameworks import default_framework_reseed
from gonghui.core.models import OrgUnit, User

F, M = Gender.FEMALE, Gender.MALE
FULL, PART = Employment.FULL_TIME, Employment.PART_TIME

# (username or None, name, gender, education, in union work since, employment, home unit code,
#  [(unit code, position, since, until)])
PROFILES = (
    ("demo_city", "陈志强", M, Education.BACHELOR, date(2008, 3, 1), FULL, "330100",
     [("330100", Position.VICE_CHAIR, date(2019, 3, 15), None)]),
    ("demo_district", "李秀梅", F, Education.POSTGRADUATE, date(2011, 7, 1), FULL, "330106",
     [("330106", Position.VICE_CHAIR, date(2020, 6, 1), None)]),
    ("demo_grassroots", "张晓燕", F, Education.BACHELOR, date(2016, 9, 1), PART, "330106013-001",
     [("330106013-001", Position.CHAIR, date(2021, 1, 8), None),
      ("330106013", Position.COMMITTEE_MEMBER, date(2022, 5, 20), None)]),
    ("demo_multi", "林佳怡", F, Education.BACHELOR, date(2018, 4, 1), PART, "330108001-001",
     [("330108001-001", Position.CHAIR, date(2022, 3, 1), None)]),
    ("wangjianguo", "王建国", M, Education.BACHELOR, date(2005, 9, 1), FULL, "330102",
     [("330102", Position.CHAIR, date(2018, 1, 10), None)]),
    ("liuhongmei", "刘红梅", F, Education.COLLEGE, date(2009, 5, 1), FULL, "330105",
     [("330105", Position.VICE_CHAIR, date(2019, 9, 1), None)]),
    ("zhaoliming", "赵立明", M, Education.BACHELOR, date(2007, 3, 1), FULL, "330108",
     [("330108", Position.CHAIR, date(2017, 4, 1), None)]),
    ("huangwenjie", "黄文杰", M, Education.POSTGRADUATE, date(2012, 7, 1), FULL, "330109",
     [("330109", Position.VICE_CHAIR, date(2021, 2, 1), None)]),
    ("wuxiaoli", "吴晓丽", F, Education.BACHELOR, date(2010, 8, 1), FULL, "330110",
     [("330110", Position.WOMEN_CHAIR, date(2019, 11, 1), None)]),
    ("xuguoqiang", "徐国强", M, Education.BACHELOR, date(2014, 7, 1), FULL, "330100",
     [("330100", Position.STAFF, date(2014, 7, 1), None)]),
    ("hujing", "胡静", F, Education.BACHELOR, date(2015, 8, 1), FULL, "330106013",
     [("330106013", Position.STAFF, date(2015, 8, 1), None)]),
    ("zhuyonggang", "朱永刚", M, Education.COLLEGE, date(2013, 5, 1), FULL, "330106004",
     [("330106004", Position.STAFF, date(2013, 5, 1), None)]),
    ("gaoshuang", "高爽", F, Education.BACHELOR, date(2019, 7, 1), FULL, "330108002",
     [("330108002", Position.STAFF, date(2019, 7, 1), None)]),
    ("linxiaodan", "林晓丹", F, Education.BACHELOR, date(2017, 3, 1), FULL, "330102014",
     [("330102014", Position.STAFF, date(2017, 3, 1), None)]),
    ("heyunfei", "何云飞", M, Education.POSTGRADUATE, date(2010, 9, 1), FULL, "330100-JY",
     [("330100-JY", Position.VICE_CHAIR, date(2020, 1, 1), None)]),
    ("guoliping", "郭丽萍", F, Education.BACHELOR, date(2012, 4, 1), FULL, "330100-WJ",
     [("330100-WJ", Position.AUDIT_CHAIR, date(2021, 6, 1), None)]),
    ("mazhiyuan", "马志远", M, Education.COLLEGE, date(2016, 10, 1), FULL, "330109002",
     [("330109002", Position.STAFF, date(2016, 10, 1), None)]),
    ("luoqian", "罗倩", F, Education.BACHELOR, date(2015, 3, 1), PART, "330100-001",
     [("330100-001", Position.CHAIR, date(2020, 12, 1), None)]),
    ("yangzhenyu", "杨振宇", M, Education.BACHELOR, date(2018, 6, 1), FULL, "330110012",
     [("330110012", Position.STAFF, date(2018, 6, 1), None)]),
    ("zhangweidong", "张卫东", M, Education.SECONDARY, date(2003, 3, 1), FULL, "330105009",
     [("330105009", Position.STAFF, date(2003, 3, 1), date(2024, 12, 31))]),
    (None, "周明辉", M, Education.COLLEGE, date(2021, 1, 8), PART, "330106013-001",
     [("330106013-001", Position.AUDIT_MEMBER, date(2021, 1, 8), None)]),
    (None, "吴婷", F, Education.BACHELOR, date(2021, 1, 8), PART, "330106013-001",
     [("330106013-001", Position.WOMEN_CHAIR, date(2021, 1, 8), None)]),
)  # fmt: skip


@transaction.atomic
def demo_load() -> dict[str, int]:
    """Cadres and posts for the demo city; nothing if there are cadres already or no demo city."""
    if Cadre.objects.exists() or not User.objects.filter(username="demo_city").exists():
        return {}
    default_framework_reseed()
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in={c for p in PROFILES for c, *_r in p[7]} | {p[6] for p in PROFILES})
    }
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in PROFILES if p[0]])}
    cadres = posts = 0
    for username, name, gender, education, since, employment, home, held in PROFILES:
        if home not in units or (username and username not in users):
            continue  # a smaller demo tree: skip who isn't there
        user = users.get(username) if username else None
        cadre = Cadre(
            org_unit=units[home],
            user=user,
            name=name,
            gender=gender,
            education=education,
            union_work_since=since,
            employment=employment,
            active=user.is_active if user else True,
        )
        cadre.save()
        cadres += 1
        for code, position, start, until in held:
            if code in units:
                CadrePost(cadre=cadre, org_unit=units[code], position=position, since=start, until=until).save()
                posts += 1
    from gonghui.capability.demo_assessment import assessment_demo_load
    from gonghui.capability.demo_training import training_demo_load

    return {"cadres": cadres, "cadre posts": posts, **training_demo_load(), **assessment_demo_load()}
