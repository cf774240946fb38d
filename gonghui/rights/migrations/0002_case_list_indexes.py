"""Indexes of the case list's filters led by the filtered column, so that a filter at a big scope
reads only its own entries (in page order) instead of the whole (unit_path, status, id) range."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rights", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="rightscase", name="rights_case_path_status"),
        migrations.AddIndex(
            model_name="rightscase",
            index=models.Index(fields=["status", "unit_path", "id"], name="rights_case_status_path"),
        ),
        migrations.AddIndex(
            model_name="rightscase",
            index=models.Index(fields=["category", "unit_path", "id"], name="rights_case_category_path"),
        ),
    ]
