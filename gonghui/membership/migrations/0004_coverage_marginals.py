"""Coverage totals as two marginals instead of one cross product.

`CoverageStat` held a row per (ownership, industry, region) of employer for every unit: 124,096
rows at the root of the national tree, all read for its totals. It now holds a row per
(ownership, industry) — at most 189 a unit — and the new `CoverageRegionStat` a row per region,
with the non-public figures beside the totals (the region rows have no ownership to derive them
from). Both are derived here from the rows already kept, so no member is counted again.
"""

import django.db.models.deletion
from django.db import migrations, models

COUNTERS = (
    "enterprises",
    "unionised",
    "employees",
    "migrant_employees",
    "new_form_employees",
    "members",
    "migrant_members",
    "new_form_members",
)
NON_PUBLIC_COUNTERS = ("enterprises", "unionised", "employees", "members")
NON_PUBLIC = "'foreign', 'hmt', 'individual', 'private'"  # choices.NON_PUBLIC when this was written

_SUMS = ", ".join(f"SUM({c})" for c in COUNTERS)
_NP_SUMS = ", ".join(f"SUM(CASE WHEN ownership IN ({NON_PUBLIC}) THEN {c} ELSE 0 END)" for c in NON_PUBLIC_COUNTERS)
_NP_COLUMNS = ", ".join(f"np_{c}" for c in NON_PUBLIC_COUNTERS)

# Column names are the constants above; no value comes from outside.
FILL_REGIONS = (
    f"INSERT INTO membership_coverageregionstat (org_unit_id, region_code, {', '.join(COUNTERS)}, {_NP_COLUMNS}) "  # noqa: S608
    f"SELECT org_unit_id, region_code, {_SUMS}, {_NP_SUMS} FROM membership_coveragestat "
    f"GROUP BY org_unit_id, region_code"
)
# The collapsed rows are marked with a region no real row has, then the detailed ones go.
COLLAPSE = (
    f"INSERT INTO membership_coveragestat (org_unit_id, ownership, industry, region_code, {', '.join(COUNTERS)}) "  # noqa: S608
    f"SELECT org_unit_id, ownership, industry, '*', {_SUMS} FROM membership_coveragestat "
    f"GROUP BY org_unit_id, ownership, industry"
)
DROP_DETAIL = "DELETE FROM membership_coveragestat WHERE region_code <> '*'"


def _counter_fields(names):
    return [(name, models.BigIntegerField(default=0)) for name in names]


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("membership", "0003_member_composite_indexes_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="CoverageRegionStat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("region_code", models.CharField(blank=True, max_length=6)),
                *_counter_fields(COUNTERS),
                *_counter_fields(f"np_{c}" for c in NON_PUBLIC_COUNTERS),
                (
                    "org_unit",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.orgunit"),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("org_unit", "region_code"), name="mem_coverage_region")
                ],
            },
        ),
        migrations.RunSQL(FILL_REGIONS, reverse_sql=migrations.RunSQL.noop),
        migrations.RemoveConstraint(model_name="coveragestat", name="mem_coverage_cell"),
        migrations.RunSQL([COLLAPSE, DROP_DETAIL], reverse_sql=migrations.RunSQL.noop),
        migrations.RemoveField(model_name="coveragestat", name="region_code"),
        migrations.AddConstraint(
            model_name="coveragestat",
            constraint=models.UniqueConstraint(fields=("org_unit", "ownership", "industry"), name="mem_coverage_oi"),
        ),
    ]
