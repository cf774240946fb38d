"""The hardship file list: columns, search and the rows it starts from.

Default order (unit_path, id) is served by its index. The worker's name is shown on the page (a
cadre finds households by name) but masked in the file unless a revealing export is asked for; the
ID number is masked everywhere unless revealed; the situation text is never exported."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core.listing import Column, ListSpec
from gonghui.lib.masking import mask_name
from gonghui.rights.filters.hardship import HardshipFilterForm
from gonghui.rights.selectors.hardship import hardship_queryset, hardship_search


def _causes(row, reveal):
    from gonghui.rights.choices import HardshipCause

    labels = dict(HardshipCause.choices)
    return "、".join(str(labels.get(c, c)) for c in row.causes)


hardship_files = ListSpec(
    name="rights.hardship",
    title=_("Hardship files"),
    columns=[
        Column(
            "file_no",
            _("file number"),
            sort="file_no",
            template="rights/hardship/cells/file_no.html",
            export=True,
            css="text-nowrap",
        ),
        Column(
            "name",
            _("worker"),
            template="rights/hardship/cells/name.html",
            export=lambda row, reveal: row.name if reveal else mask_name(row.name),
        ),
        Column(
            "id_number",
            _("ID number"),
            css="font-monospace text-nowrap",
            attr="id_number_masked",
            export=lambda row, reveal: row.id_number if reveal else row.id_number_masked,
        ),
        Column(
            "tier",
            _("tier"),
            template="rights/hardship/cells/tier.html",
            export=lambda row, reveal: row.get_tier_display(),
        ),
        Column("causes", _("causes"), export=_causes, template="rights/hardship/cells/causes.html"),
        Column(
            "per_capita_income",
            _("Per capita / month"),
            sort="per_capita_income",
            template="rights/hardship/cells/income.html",
            export=True,
            css="text-end text-nowrap",
        ),
        Column("union", _("Union"), sort="unit_path", attr="org_unit.name", export=True),
        Column(
            "status",
            _("status"),
            template="rights/hardship/cells/status.html",
            export=lambda row, reveal: row.get_status_display(),
        ),
        Column(
            "next_verification_due",
            _("next re-verification due"),
            sort="next_verification_due",
            template="rights/hardship/cells/due.html",
            export=True,
            css="text-nowrap",
        ),
    ],
    queryset=hardship_queryset,
    default_sort="unit_path",
    filter_form=HardshipFilterForm,
    search=hardship_search,
    search_placeholder=_("File number or worker's name"),
    empty_text=_("No hardship file matches. Change the search or the filters."),
)
