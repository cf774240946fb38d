"""Forms of organising drives: the drive, assigning a target, recording a visit."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action, UnitKind
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.lib.forms import DateInput, Form
from gonghui.membership.choices import DriveStage
from gonghui.membership.services.drives import NEW_UNION_KINDS, NEXT_STAGES


class DriveForm(UserBoundForm):
    name = forms.CharField(label=_("name"), max_length=100, help_text=_("E.g. 2026 hundred-day drive to found unions"))
    org_unit = UnitCodeField(label=_("Unit running the drive (code)"), action=Action.ADD)
    starts_on = forms.DateField(label=_("starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("ends on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # a drive stays with the unit that runs it
            del self.fields["org_unit"]


class AssignForm(Form):
    assigned_to = forms.ModelChoiceField(
        label=_("assigned to"), queryset=None, required=False, empty_label=_("Nobody yet")
    )

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = assignees


class VisitForm(UserBoundForm):
    """A visit and the stage it leaves the target in; founding the union names the new union."""

    visited_on = forms.DateField(label=_("date"), widget=DateInput())
    note = forms.CharField(
        label=_("What was done and agreed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    stage = forms.ChoiceField(label=_("stage after the visit"))
    deferred_reason = forms.CharField(label=_("reason for deferring"), max_length=200, required=False)
    union_unit = UnitCodeField(
        label=_("Existing grassroots union (code)"),
        action=Action.CHANGE,
        required=False,
        help_text=_("If the enterprise joins a union that is already on file, e.g. a joint grassroots union."),
    )
    new_union_parent = UnitCodeField(label=_("Or create the new union under (code)"), action=Action.ADD, required=False)
    new_union_code = forms.CharField(label=_("New union's code"), max_length=32, required=False)
    new_union_name = forms.CharField(label=_("New union's name"), max_length=100, required=False)
    new_union_kind = forms.ChoiceField(
        label=_("New union's kind"),
        choices=[(kind.value, kind.label) for kind in NEW_UNION_KINDS],
        initial=UnitKind.GRASSROOTS,
        required=False,
    )

    def __init__(self, *args, target, **kwargs):
        kwargs.setdefault("initial", {"visited_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.value, s.label) for s in DriveStage if s in NEXT_STAGES[target.stage]]
        if not self.is_bound:  # the usual case: a union under the unit that organised the enterprise
            self.fields["new_union_parent"].initial = target.org_unit.code
            self.fields["new_union_name"].initial = _("%(enterprise)s trade union committee") % {
                "enterprise": target.enterprise.name
            }

    def clean(self):
        data = super().clean()
        if data.get("stage") != DriveStage.UNIONISED:  # the union fields are hidden then: ignored
            data.update(union_unit=None, new_union=None)
            return data
        # The parent and the name come pre-filled; the code is what someone creating a union types.
        new = [data.get(name) for name in ("new_union_parent", "new_union_code", "new_union_name")]
        if data.get("union_unit") is not None:
            if data.get("new_union_code"):
                self.add_error("union_unit", _("Choose an existing union or create one, not both."))
            data["new_union"] = None
            return data
        for name, value in zip(("new_union_parent", "new_union_code", "new_union_name"), new, strict=True):
            if not value and name not in self.errors:
                self.add_error(name, _("Needed to create the new union (or give an existing one above)."))
        data["new_union"] = (
            {
                "parent": data["new_union_parent"],
                "code": data["new_union_code"].strip().upper(),
                "name": data["new_union_name"].strip(),
                "kind": data.get("new_union_kind") or UnitKind.GRASSROOTS,
            }
            if all(new)
            else None
        )
        return data
