"""Demo data of training: a course catalogue of the city federation (and one of a district), past
sessions with attendance, hours and feedback, upcoming sessions with enrolments, and the annual
hours requirements (专职 40, 兼职 24), so the demo cadres' files show their hours progress.

`capability.demo.demo_load()` calls `training_demo_load()` once the cadres exist. Dates are
relative to today, so the demo always has sessions behind it and ahead of it.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gonghui.capability.choices import Employment
from gonghui.capability.models import Cadre
from gonghui.capability.models_training import (
    Course,
    CourseCapability,
    CourseKind,
    Enrolment,
    EnrolmentStatus,
    HoursRequirement,
    Session,
)
from gonghui.core.models import OrgUnit, User

D, O, P, C, I = "develop", "organize", "protect", "coordinate", "innovate"  # noqa: E741 - codes
IN, ON = CourseKind.IN_PERSON, CourseKind.ONLINE

# (organiser code, title, kind, provider, hours, capabilities, levels, description)
COURSES = (
    ("330100", "《工会法》与依法维权实务", IN, "杭州市总工会干部学校", 6, (P,), (1, 3),
     "结合《工会法》《劳动合同法》条文和本市近年维权案例，讲解劳动关系认定、工资拖欠、工伤认定中工会的介入方式与法律依据。"),
    ("330100", "集体协商实务", IN, "杭州市总工会干部学校", 12, (C,), (2, 4),
     "工资集体协商的准备、要约、协商会议和集体合同审查备案全流程，含模拟协商演练。"),
    ("330100", "新就业形态劳动者入会工作方法", IN, "杭州市总工会组织部", 6, (O,), (1, 3),
     "面向快递员、外卖送餐员、网约车司机等群体的建会入会路径：平台企业建会、行业工会联合会、“小哥驿站”阵地建设。"),
    ("330100", "劳动争议调解技巧", IN, "浙江省劳动人事争议仲裁院", 6, (P, C), (2, 4),
     "企业劳动争议调解委员会的组建与运行，调解谈话技巧，调解协议的效力与司法确认。"),
    ("330100", "工会经费审查", ON, "杭州市总工会经审会办公室", 4, (P,), (1, 3),
     "经审委员履职要点：经费收缴、预决算审查、常见问题与整改，线上课程配随堂测验。"),
    ("330100", "劳动和技能竞赛组织实务", IN, "杭州市总工会经济技术部", 6, (D,), (2, 4),
     "围绕重点工程和产业链组织劳动竞赛、职工技能比武，建立竞赛激励和成果转化机制。"),
    ("330100", "工会工作创新案例研讨", ON, "浙江省总工会干部学校", 8, (I, D), (3, 5),
     "剖析全省工会工作创新案例，学习调查研究方法，撰写工作经验总结。"),
    ("330106", "基层工会规范化建设", IN, "西湖区总工会", 4, (O, P), (1, 2),
     "基层工会换届选举程序、会员代表大会制度、厂务公开和职工之家建设标准。"),
)  # fmt: skip

# (course index, days from today, days it runs, class hours, place, trainer, places)
SESSIONS = (
    (0, -150, 1, 6, "杭州市职工文化中心 301 培训室", "周立新", 60),
    (1, -120, 2, 12, "杭州市总工会干部学校 报告厅", "沈晓峰", 40),
    (2, -95, 1, 6, "杭州市职工文化中心 301 培训室", "陈丽娟", 50),
    (3, -70, 1, 6, "西湖区职工服务中心 3 楼", "杨海涛", 40),
    (4, -45, 1, 4, "线上（浙里工惠学习平台）", "郭丽萍", 200),
    (5, -30, 1, 6, "杭州市职工文化中心 201 会议室", "何云飞", 40),
    (7, -20, 1, 4, "西湖区职工服务中心 3 楼", "李秀梅", 30),
    (6, -10, 1, 8, "线上（浙里工惠学习平台）", "黄文杰", 200),
    (0, 14, 1, 6, "杭州市职工文化中心 301 培训室", "周立新", 60),
    (1, 30, 2, 12, "杭州市总工会干部学校 报告厅", "沈晓峰", 3),
    (2, 45, 1, 6, "拱墅区新就业形态劳动者服务站", "陈丽娟", 40),
)

# Which past sessions (by index into SESSIONS) each demo account attended; the others enrolled
# in a session are absent. Chosen so some cadres meet the requirement and some fall short.
ATTENDED = {
    "demo_city": (1, 3, 5, 7),
    "demo_district": (0, 1, 2, 6),
    "demo_grassroots": (0, 2, 4, 6),
    "demo_multi": (2, 4),
    "wangjianguo": (0, 1, 3, 5, 7),
    "liuhongmei": (1, 2),
    "zhaoliming": (3, 7),
    "xuguoqiang": (0, 1, 2, 3, 4, 5, 7),
    "hujing": (0, 2, 6),
    "guoliping": (4,),
}
ABSENT = {"demo_multi": (0,), "liuhongmei": (3,), "hujing": (1,)}
UPCOMING = {"demo_grassroots": (8, 10), "demo_multi": (8, 10), "hujing": (9,), "luoqian": (8,)}
COMMENTS = (
    "案例贴近基层实际，回去就能用。",
    "希望多安排一些模拟演练的时间。",
    "老师讲得很清楚，资料也很实用。",
    "",
    "时间有点紧，建议分两次讲。",
)


def _at(day, hour: int):
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


@transaction.atomic
def training_demo_load() -> dict[str, int]:
    """Courses, sessions, attendance and requirements for the demo city; nothing if there are
    courses already or the demo city and its cadres are missing."""
    if Course.objects.exists():
        return {}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={c[0] for c in COURSES})}
    if "330100" not in units or not Cadre.objects.exists():
        return {}
    admin = User.objects.filter(username="demo_city").first()
    today = timezone.localdate()
    courses = []
    for code, title, kind, provider, hours, caps, (low, high), text in COURSES:
        course = Course(
            org_unit=units.get(code, units["330100"]),
            title=title,
            kind=kind,
            provider=provider,
            hours=Decimal(hours),
            level_min=low,
            level_max=high,
            description=text,
            created_by=admin,
        )
        course.save()
        CourseCapability.objects.bulk_create(CourseCapability(course=course, code=c) for c in caps)
        courses.append(course)
    sessions = []
    for index, offset, days, hours, place, trainer, capacity in SESSIONS:
        first = today + timedelta(days=offset)
        session = Session(
            course=courses[index],
            starts_at=_at(first, 9),
            ends_at=_at(first + timedelta(days=days - 1), 17),
            hours=Decimal(hours),
            place=place,
            trainer=trainer,
            capacity=capacity,
            created_by=admin,
        )
        session.save()
        sessions.append(session)
    cadres = {c.user.username: c for c in Cadre.objects.filter(user__username__in=[*ATTENDED, *UPCOMING])}
    enrolments = []
    for number, (username, attended) in enumerate(ATTENDED.items()):
        cadre = cadres.get(username)
        if cadre is None:
            continue
        for position, index in enumerate(attended):
            session = sessions[index]
            rated = (number + position) % 3 != 2
            enrolments.append(
                Enrolment(
                    session=session,
                    cadre=cadre,
                    status=EnrolmentStatus.ATTENDED,
                    enrolled_at=session.starts_at - timedelta(days=10),
                    signed_in_at=session.starts_at - timedelta(minutes=10),
                    hours=session.hours,
                    completed=True,
                    score=78 + (number * 7 + position * 5) % 20,
                    rating=(5, 4, 5, 3, 4)[(number + position) % 5] if rated else None,
                    comment=COMMENTS[(number + position) % len(COMMENTS)] if rated else "",
                    rated_at=session.ends_at + timedelta(hours=2) if rated else None,
                )
            )
        for index in ABSENT.get(username, ()):
            session = sessions[index]
            enrolments.append(
                Enrolment(
                    session=session,
                    cadre=cadre,
                    status=EnrolmentStatus.ABSENT,
                    enrolled_at=session.starts_at - timedelta(days=10),
                )
            )
    for username, indexes in UPCOMING.items():
        cadre = cadres.get(username)
        for index in indexes if cadre else ():
            enrolments.append(Enrolment(session=sessions[index], cadre=cadre, enrolled_at=timezone.now()))
    Enrolment.objects.bulk_create(enrolments)
    requirements = [
        HoursRequirement(
            org_unit=units["330100"], year=year, employment=employment, hours=Decimal(hours), created_by=admin
        )
        for year in (today.year - 1, today.year)
        for employment, hours in ((Employment.FULL_TIME, 40), (Employment.PART_TIME, 24))
    ]
    for requirement in requirements:
        requirement.save()  # ScopedModel.save() copies the unit's path
    return {
        "courses": len(courses),
        "training sessions": len(sessions),
        "enrolments": len(enrolments),
        "hours requirements": len(requirements),
    }
