"""Drop the member indexes whose column leads a composite index already (unit_path → mem_member_path_id,
enterprise → mem_member_enterprise, recruited_by → mem_member_recruiter): each cost every insert.

The indexes are dropped by name rather than by AlterField, which on SQLite would copy the whole
member table three times.
"""

import django.db.models.deletion
import gonghui.core.scoping
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("membership", "0002_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="member",
                    name="enterprise",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="members",
                        to="membership.enterprise",
                        verbose_name="employer",
                    ),
                ),
                migrations.AlterField(
                    model_name="member",
                    name="recruited_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recruited by",
                    ),
                ),
                migrations.AlterField(
                    model_name="member",
                    name="unit_path",
                    field=gonghui.core.scoping.PathField(editable=False, max_length=255),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f"DROP INDEX IF EXISTS {name}", reverse_sql=migrations.RunSQL.noop)
                for name in (
                    "membership_member_unit_path_0c1242f4",
                    "membership_member_unit_path_0c1242f4_like",
                    "membership_member_enterprise_id_74f49a1c",
                    "membership_member_recruited_by_id_3805d849",
                )
            ],
        ),
    ]
