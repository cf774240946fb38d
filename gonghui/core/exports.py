"""Exports of any list as a background job: masked unless revealed, audited, formula-safe."""

from __future__ import annotations

from django.contrib import messages
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.choices import Action, AuditAction
from gonghui.core.jobs import JobContext, JobError, job_handler, job_start
from gonghui.core.listing import LISTS, ListSpec, list_queryset
from gonghui.core.scoping import may, scope_paths
from gonghui.lib.export import FORMATS, write_table


def start_list_export(request, spec: ListSpec, fmt: str, reveal: bool = False):
    """Queue the export of the list as the user sees it now (same filters, search and order)."""
    user = request.user
    if fmt not in FORMATS or not may(user, spec.export_action):
        messages.error(request, _("You may not export this list."))
        return None
    unit = request.unit_context.unit
    if unit is None:
        messages.error(request, _("You hold no role on any unit."))
        return None
    params = request.GET.copy()
    for key in ("page", "partial"):
        params.pop(key, None)
    reveal = reveal and may(user, Action.REVEAL)
    return job_start(
        actor=user,
        org_unit=unit,
        kind="core.export_list",
        title=_("Export: %(list)s") % {"list": spec.title},
        params={"list": spec.name, "query": params.urlencode(), "format": fmt, "reveal": reveal},
    )


@job_handler("core.export_list")
def export_list(job: JobContext) -> dict:
    spec = LISTS.get(job.params.get("list", ""))
    if spec is None:
        raise JobError(_("This list can no longer be exported."))
    user = job.user
    queryset, _form, _sort, _q = list_queryset(spec, user, QueryDict(job.params.get("query", "")), spec.export_action)
    # Personal data is revealed only where the user's reveal scope covers the row.
    reveal_roots = scope_paths(user, Action.REVEAL) if job.params.get("reveal") else ()
    reveal = bool(reveal_roots)
    fmt = job.params.get("format", "xlsx")
    total = queryset.count()
    job.progress(0, total, _("Exporting %(n)s rows…") % {"n": total}, force=True)
    columns = spec.export_columns

    def rows():
        for done, row in enumerate(queryset.iterator(chunk_size=2000), start=1):
            path = getattr(row, "unit_path", None) or getattr(row, "path", "")
            revealed = reveal and any(path.startswith(root) for root in reveal_roots)
            yield [column.export_value(row, revealed) for column in columns]
            if done % 1000 == 0:
                job.progress(done)

    final = job.result_path(f".{fmt}")
    partial = final.with_suffix(".part")
    count = write_table(partial, fmt, [str(c.label) for c in columns], rows(), sheet=str(spec.title))
    partial.replace(final)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    job.set_result_file(final, f"{spec.title}-{stamp}.{fmt}")
    job.progress(count, count, _("Exported %(n)s rows.") % {"n": count}, force=True)
    audit_record(
        action=AuditAction.EXPORT,
        actor=user,
        obj=job.job,
        detail={
            "list": spec.name,
            "rows": count,
            "format": fmt,
            "revealed": reveal,
            "query": job.params.get("query", ""),
        },
    )
    return {"rows": count}
