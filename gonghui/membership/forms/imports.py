"""The upload form of imports: the file, the union for rows without one, dry run, keep valid rows."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.membership.services.imports import MEMBERS, max_upload_bytes

SUFFIXES = (".xlsx", ".csv")


class ImportForm(UserBoundForm):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
    )
    unit = UnitCodeField(label=_("Union for rows without a union code"), action=Action.ADD, required=False)
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would change, without writing anything"), required=False
    )
    keep_valid = forms.BooleanField(
        label=_("Keep the valid rows when some rows have problems (otherwise nothing is imported)"), required=False
    )

    def __init__(self, *args, kind: str = MEMBERS, **kwargs):
        super().__init__(*args, **kwargs)
        limit = max_upload_bytes() // (1024 * 1024)
        self.fields["file"].help_text = _(".xlsx or .csv (UTF-8 or GB18030), at most %(n)s MB") % {"n": limit}
        if kind == MEMBERS:
            self.fields["unit"].help_text = _("Rows whose 所属工会编码 is empty join this grassroots union.")
        else:
            self.fields["unit"].label = _("Unit for enterprises without a union")
            self.fields["unit"].help_text = _(
                "Enterprises without a covering union and without a 管理单位编码 are kept in this unit's scope."
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."), code="format")
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(limit)s MB can be imported at once. Split it into smaller files.")
                % {"size": f"{upload.size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
                code="too_big",
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return upload
