"""The five lines of union work and the cadre capability each builds (ARCHITECTURE.md).

Navigation, the line landing pages and (later) the capability framework read these.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import LineOfWork


@dataclass(frozen=True)
class Line:
    code: str
    name: Promise
    capability: Promise
    icon: str
    summary: Promise
    # (module name, URL name of its page or "" while the module does not exist yet). URL names are
    # strings, so core stays independent of the domain apps that serve them.
    areas: tuple[tuple[Promise, str], ...]
    prefix: str = ""  # URL prefix of the line's own pages, to highlight it in the navigation


LINES = (
    Line(
        LineOfWork.DEVELOP,
        _("Serve development"),
        _("Serve the overall situation and promote development"),
        "trending-up",
        _("Labour competitions, rational proposals and workers' technical innovation."),
        ((_("Labour competitions"), ""), (_("Rational proposals"), ""), (_("Workers' technical innovation"), "")),
    ),
    Line(
        LineOfWork.ORGANIZE,
        _("Organize workers"),
        _("Unite, rally and organize workers"),
        "users",
        _(
            "Set up unions in enterprises, above all non-public ones; recruit members, above all migrant "
            "workers and new-employment-form workers; membership transfer; coverage."
        ),
        (
            (_("Enterprises"), "membership:enterprise_list"),
            (_("Members"), "membership:member_list"),
            (_("Scan-to-join applications"), "membership:application_list"),
            (_("Membership transfer"), "membership:transfer_list"),
            (_("Import members and enterprises"), "membership:import_members"),
            (_("Coverage"), "membership:coverage"),
            (_("Organising drives"), "membership:drive_list"),
            (_("Join links and posters"), "membership:join_link_list"),
        ),
        "/membership/",
    ),
    Line(
        LineOfWork.PROTECT,
        _("Protect rights by law"),
        _("Protect rights by law and run the union by law"),
        "scale",
        _("Rights cases, legal aid, and files and assistance for workers in hardship."),
        (
            (_("Rights cases"), "rights:case_list"),
            (_("Legal aid"), "rights:provider_list"),
            (_("Hardship files"), "rights:hardship_list"),
            (_("Assistance and budgets"), "rights:assistance_list"),
            (_("Rights reports"), "rights:report"),
            (_("Working-day calendar"), "rights:calendar"),
        ),
        "/rights/",
    ),
    Line(
        LineOfWork.COORDINATE,
        _("Coordinate all parties"),
        _("Coordinate all parties and solve complex problems"),
        "affiliate",
        _("Multi-department matters, collective bargaining and contracts, the tripartite mechanism."),
        (
            (_("Coordination matters"), ""),
            (_("Collective bargaining and contracts"), ""),
            (_("Tripartite mechanism"), ""),
        ),
    ),
    Line(
        LineOfWork.INNOVATE,
        _("Innovate"),
        _("Be proactive and innovative"),
        "bulb",
        _("Summarize new experience, research new situations, innovate work methods."),
        ((_("Experience base"), ""), (_("Research"), ""), (_("Method innovation"), "")),
    ),
)
LINES_BY_CODE = {line.code: line for line in LINES}


def line_modules(line: Line) -> list[tuple[Promise, str | None]]:
    """(name, URL or None) of each module of a line; a URL name that does not resolve yet (its app
    is not installed) counts as not available."""
    from django.urls import NoReverseMatch, reverse

    modules = []
    for name, url_name in line.areas:
        try:
            modules.append((name, reverse(url_name) if url_name else None))
        except NoReverseMatch:
            modules.append((name, None))
    return modules
