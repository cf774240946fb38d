"""The national default capability framework, version 1, published.

Seeded by a migration, not by the demo: every instance (a production `gonghui init` too) needs a
framework in force before any federation has made its own. It has no owner, so it applies
everywhere no federation has published a version of its own, and nobody can edit it: a
federation makes its own version from it (`framework_copy`).

The data is written out here, not imported from the app, so what this migration seeds never
changes after the fact; a later change to the default is a new migration. The tables are listed
in `core.backup.SEEDED_TABLES` (with conditions that tell these rows from real data).

Indicator mappings refer to indicators by code: the organize line's (`membership/indicators.py`)
and the protect line's (`rights/indicators.py`). The other lines declare none yet; their
capabilities show "暂无工作数据" until a later version maps their indicators. A mapped code that no
installed app declares counts as no data.
"""

from django.db import migrations

NAME = "工会干部能力素质框架（全国通用）"

# code: (name, description, [(title, descriptor) for levels 1..5])
CAPABILITIES = (
    (
        "develop",
        "服务大局、推动发展的本领",
        "围绕党政中心工作和企业发展大局，组织开展劳动和技能竞赛、合理化建议、职工技术创新等活动，"
        "引导职工建功立业，把工会工作融入经济社会发展全局。",
        (
            (
                "起步",
                "了解劳动竞赛、合理化建议和职工技术创新的基本政策与做法，能在指导下参与组织相关活动、收集整理职工建议。",
            ),
            (
                "基础",
                "能按上级部署在本单位组织开展劳动竞赛或合理化建议征集，做好动员、登记和材料报送，活动有记录、可追溯。",
            ),
            (
                "胜任",
                "能结合本单位生产经营重点独立策划竞赛和建议活动，推动建议评审、采纳和落实，及时总结成效并向职工反馈。",
            ),
            (
                "骨干",
                "能围绕区域或行业发展重点设计系列竞赛和创新项目，协调行政方建立激励和成果转化机制，带动职工创新成果明显增加。",
            ),
            (
                "标杆",
                "能把工会工作深度融入发展大局，牵头打造有影响力的竞赛品牌或劳模和工匠人才创新工作室，"
                "形成可复制推广的经验，成果获得上级表彰或广泛应用。",
            ),
        ),
    ),
    (
        "organize",
        "团结凝聚组织职工的本领",
        "推动非公有制企业和新就业形态领域依法建会，最大限度把职工特别是农民工、新就业形态劳动者组织到工会中来，"
        "做好会员发展、转会接转和会籍管理，扩大工会组织和工作覆盖面。",
        (
            ("起步", "了解建会入会的基本程序和会员管理要求，能在指导下受理入会申请、登记会员信息。"),
            ("基础", "能按时办理入会申请和会员转会，会员信息准确完整，能向职工宣传入会的权利和好处。"),
            (
                "胜任",
                "能主动走访未建会企业和职工群体，独立组织入会活动，农民工、新就业形态劳动者入会取得实效，转会按时接转。",
            ),
            (
                "骨干",
                "能针对区域内非公企业和新业态群体制定建会入会攻坚计划，运用联合工会、行业工会等方式推动集中建会，"
                "工会覆盖面持续提高。",
            ),
            (
                "标杆",
                "能创新组建方式和服务手段，使职工愿意加入、留得下来，本地区覆盖面和会员增长位居前列，经验在更大范围推广。",
            ),
        ),
    ),
    (
        "protect",
        "依法维权、依法治会的本领",
        "运用法律和政策维护职工合法权益，做好劳动争议调解、法律援助和困难职工帮扶，"
        "依照《中华人民共和国工会法》和《中国工会章程》规范工会组织运行，做到依法维权、依法治会。",
        (
            ("起步", "了解《劳动法》《劳动合同法》《工会法》的基本规定，能接待职工来访、登记诉求并按程序转办。"),
            ("基础", "能依照流程受理维权诉求和帮扶申请，按时限办理和回复，台账完整，能向职工解释相关政策。"),
            (
                "胜任",
                "能独立调处一般劳动争议，准确运用法律条款提出处理意见，组织法律援助和困难职工帮扶，职工对办理结果基本满意。",
            ),
            (
                "骨干",
                "能处理复杂、群体性劳动纠纷，推动用人单位依法整改，健全工会民主管理和财务、经审等制度，"
                "案件办结及时率和职工满意度较高。",
            ),
            (
                "标杆",
                "能从个案中发现共性问题，推动出台或完善相关制度政策，建立源头维权机制，所在单位依法治会水平成为示范。",
            ),
        ),
    ),
    (
        "coordinate",
        "协调各方、解决复杂问题的本领",
        "统筹协调党政部门、企业方和职工之间的关系，推动开展集体协商、签订集体合同，"
        "运用劳动关系三方协商机制化解矛盾，解决涉及多方的复杂问题。",
        (
            ("起步", "了解集体协商、集体合同和三方协商机制的基本知识，能参与协商准备工作，收集职工意见。"),
            ("基础", "能按程序组织产生职工方协商代表、拟订协商要约和合同文本，协助办理集体合同审查备案。"),
            (
                "胜任",
                "能代表职工方开展工资、劳动安全卫生等专项集体协商，协调相关部门处理跨部门事项，协商结果得到落实。",
            ),
            (
                "骨干",
                "能在区域性、行业性集体协商和三方协商中发挥主导作用，妥善化解涉及多方利益的矛盾，推动劳动关系和谐稳定。",
            ),
            ("标杆", "能统筹各方资源解决重大复杂问题和突发事件，推动形成长效协调机制，相关经验被上级采纳推广。"),
        ),
    ),
    (
        "innovate",
        "主动进取、开拓创新的本领",
        "主动研究职工队伍和劳动关系的新情况新问题，总结推广基层工会的新鲜经验，"
        "创新工作理念、方法和载体，运用信息化手段提升工会工作水平。",
        (
            ("起步", "能按要求完成日常工作，关注职工队伍的新变化，学习借鉴其他单位的好做法。"),
            ("基础", "能主动反映工作中遇到的新情况，提出改进本职工作的具体建议，尝试运用信息化手段开展工作。"),
            ("胜任", "能围绕职工关心的问题开展调查研究，形成有价值的调研报告或工作总结，在本单位试行新的工作方法。"),
            ("骨干", "能总结提炼有特色的工作经验，创新服务载体并取得明显成效，调研成果被上级工会或党政部门采用。"),
            ("标杆", "能前瞻性研判工会工作发展趋势，探索开创性工作模式，形成可在更大范围推广的品牌和制度成果。"),
        ),
    ),
)

# capability code: [(indicator code, weight %, normalisation, target)]
MAPPINGS = {
    "organize": (
        ("organize.members_recruited", 20, "percentile", None),
        ("organize.migrant_members_recruited", 10, "percentile", None),
        ("organize.new_form_members_recruited", 10, "percentile", None),
        ("organize.applications_handled", 10, "percentile", None),
        ("organize.application_hours_median", 10, "target", 48.0),  # decided within two days
        ("organize.transfers_answered_in_time_rate", 15, "target", 95.0),
        ("organize.enterprises_unionised_via_drives", 10, "target", 2.0),
        ("organize.unit_members_change", 5, "percentile", None),
        ("organize.unit_members_growth_rate", 10, "target", 5.0),
    ),
    "protect": (
        ("protect.cases_closed", 20, "percentile", None),
        ("protect.cases_closed_on_time_rate", 20, "target", 95.0),
        ("protect.rating_mean", 20, "target", 4.5),  # stars of 5
        ("protect.amount_recovered", 10, "percentile", None),
        ("protect.collective_cases_resolved", 10, "percentile", None),
        ("protect.verifications_on_time_rate", 10, "target", 95.0),
        ("protect.assistance_delivered", 10, "percentile", None),
    ),
}


def seed(apps, schema_editor):
    Framework = apps.get_model("capability", "Framework")
    FrameworkCapability = apps.get_model("capability", "FrameworkCapability")
    LevelDescriptor = apps.get_model("capability", "LevelDescriptor")
    IndicatorMapping = apps.get_model("capability", "IndicatorMapping")
    from django.utils import timezone

    framework = Framework.objects.create(
        owner=None,
        name=NAME,
        version=1,
        status="published",
        published_at=timezone.now(),
        note="依据“开展工会工作、着力增强五种本领”的要求制定的全国通用默认框架。各级总工会可在此基础上制定本地区版本。",
    )
    for order, (code, name, description, levels) in enumerate(CAPABILITIES):
        capability = FrameworkCapability.objects.create(
            framework=framework, code=code, order=order, name=name, description=description, target_level=3
        )
        LevelDescriptor.objects.bulk_create(
            LevelDescriptor(capability=capability, level=level, title=title, descriptor=text)
            for level, (title, text) in enumerate(levels, start=1)
        )
        IndicatorMapping.objects.bulk_create(
            IndicatorMapping(capability=capability, indicator=i, weight=w, normalisation=n, target=t)
            for i, w, n, t in MAPPINGS.get(code, ())
        )


def unseed(apps, schema_editor):
    apps.get_model("capability", "Framework").objects.filter(owner=None, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("capability", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
