"""Forms of training: they parse and validate; `services.training` decides and writes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.capability.choices import LEVELS, Employment
from gonghui.capability.models_training import CourseCapability, CourseKind, Enrolment
from gonghui.core.choices import Action, LineOfWork
from gonghui.core.filters import FilterForm
from gonghui.core.forms import UnitCodeField, UserBoundForm
from gonghui.core.scoping import subtree_q
from gonghui.lib.forms import Form

LEVEL_CHOICES = [(level, str(level)) for level in LEVELS]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class InlineCheckboxes(forms.CheckboxSelectMultiple):
    template_name = "capability/training/widgets/checkboxes.html"


def plain_hours(value):
    """12.0 → 12 in an input (what people type), 7.5 stays."""
    return None if value is None else Decimal(format(Decimal(value).normalize(), "f"))


def hours_field(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=5, decimal_places=1, **kwargs)


class CourseForm(UserBoundForm):
    org_unit = UnitCodeField(
        label=_("Organising unit (code)"),
        action=Action.ADD,
        help_text=_("The course is offered to this unit and every union under it."),
    )
    title = forms.CharField(label=_("title"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=CourseKind.choices)
    provider = forms.CharField(label=_("taught by"), max_length=100, required=False)
    capabilities = forms.MultipleChoiceField(
        label=_("Capabilities it builds"),
        choices=LineOfWork.choices,
        widget=InlineCheckboxes,
        error_messages={"required": _("Tick at least one capability the course builds.")},
    )
    level_min = forms.TypedChoiceField(label=_("from level"), choices=LEVEL_CHOICES, coerce=int, initial=1)
    level_max = forms.TypedChoiceField(label=_("up to level"), choices=LEVEL_CHOICES, coerce=int, initial=5)
    hours = hours_field(_("class hours"), min_value=Decimal("0.5"), max_value=Decimal(500))
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    active = forms.BooleanField(label=_("offered"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["org_unit"].action = Action.CHANGE

    def clean(self):
        data = super().clean()
        if data.get("level_min") and data.get("level_max") and data["level_min"] > data["level_max"]:
            self.add_error("level_max", _("The upper level is below the lower level."))
        return data


class SessionForm(Form):
    starts_at = forms.DateTimeField(label=_("starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("ends at"), widget=DateTimeInput())
    hours = hours_field(
        _("class hours"),
        min_value=Decimal("0.5"),
        help_text=_("Hours a participant who attends the whole session is credited with."),
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("places"), min_value=1, max_value=10000)
    trainer = forms.CharField(label=_("trainer"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The session ends before it starts. Check the dates and times."))
        return data


class EnrolForm(Form):
    cadre = forms.CharField(
        label=_("Cadre"),
        max_length=50,
        help_text=_("Cadre number or full name; the list suggests cadres in your scope."),
        widget=forms.TextInput(attrs={"list": "cadre-options", "autocomplete": "off"}),
    )

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cadres = cadres  # the cadres the user may pick from (a queryset)

    def clean_cadre(self):
        text = self.cleaned_data["cadre"].strip()
        found = list(
            self.cadres.filter(pk=int(text))[:2] if text.isdigit() else self.cadres.filter(name=text, active=True)[:2]
        )
        if not found:
            raise forms.ValidationError(
                _("No cadre %(text)s in your scope. Enter the cadre number or the full name."), params={"text": text}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several cadres are called %(text)s. Enter the cadre number instead (shown in the suggestions)."),
                params={"text": text},
            )
        return found[0]


class AttendanceForm(Form):
    """The sign-in list of a session: a line of fields per enrolment (attended, hours, completed,
    score), named by the enrolment's cadre id so errors land beside the right line."""

    def __init__(self, *args, enrolments: list[Enrolment], **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolments = enrolments
        for enrolment in enrolments:
            key = enrolment.cadre_id
            attended = enrolment.status == "attended"
            self.fields[f"attended_{key}"] = forms.BooleanField(required=False, initial=attended)
            self.fields[f"hours_{key}"] = forms.DecimalField(
                required=False,
                max_digits=5,
                decimal_places=1,
                initial=plain_hours(enrolment.hours) if enrolment.status in ("attended", "absent") else None,
                widget=forms.NumberInput(attrs={"step": "0.5", "style": "width: 6rem"}),
            )
            self.fields[f"completed_{key}"] = forms.BooleanField(required=False, initial=enrolment.completed)
            self.fields[f"score_{key}"] = forms.IntegerField(
                required=False, initial=enrolment.score, widget=forms.NumberInput(attrs={"style": "width: 6rem"})
            )

    def lines(self):
        from gonghui.capability.services.training import Attendance

        data = self.cleaned_data
        return [
            Attendance(
                cadre_id=e.cadre_id,
                attended=data[f"attended_{e.cadre_id}"],
                hours=data[f"hours_{e.cadre_id}"],
                completed=data[f"completed_{e.cadre_id}"],
                score=data[f"score_{e.cadre_id}"],
            )
            for e in self.enrolments
        ]

    def rows(self):
        """(enrolment, attended, hours, completed, score bound fields, errors) for the template."""
        for e in self.enrolments:
            key = e.cadre_id
            names = (f"attended_{key}", f"hours_{key}", f"completed_{key}", f"score_{key}")
            errors = [str(m) for name in names for m in self.errors.get(name, [])]
            yield (e, *(self[name] for name in names), errors)


class AttendanceImportForm(Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_("Columns 干部编号 or 手机号, 姓名, 签到, 学时, 成绩 — download the sign-in sheet as a template."),
    )


class FeedbackForm(Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(n, str(n)) for n in (5, 4, 3, 2, 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was useful, what should change. The organiser sees it with your name."),
    )


class RequirementForm(UserBoundForm):
    org_unit = UnitCodeField(
        label=_("For the cadres under (unit code)"),
        action=Action.CHANGE,
        help_text=_("Applies to this unit's whole subtree, unless a unit below sets its own."),
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    employment = forms.ChoiceField(label=_("full-time or part-time"), choices=Employment.choices)
    hours = hours_field(_("required hours"), min_value=Decimal("0.5"), max_value=Decimal(1000))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)


class CourseFilterForm(UserBoundForm, FilterForm):
    capability = forms.ChoiceField(
        label=_("capability"), choices=[("", _("Any capability")), *LineOfWork.choices], required=False
    )
    level = forms.TypedChoiceField(
        label=_("level"), choices=[("", _("Any level")), *LEVEL_CHOICES], coerce=int, required=False, empty_value=None
    )
    kind = forms.ChoiceField(label=_("kind"), choices=[("", _("Any kind")), *CourseKind.choices], required=False)
    under = UnitCodeField(label=_("Organised under (code)"), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        choices=[("1", _("Offered")), ("0", _("No longer offered")), ("all", _("All"))],
        required=False,
    )

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("capability"):
            queryset = queryset.filter(
                pk__in=CourseCapability.objects.filter(code=data["capability"]).values("course_id")
            )
        if data.get("level"):
            queryset = queryset.filter(level_min__lte=data["level"], level_max__gte=data["level"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("under"):
            queryset = queryset.filter(subtree_q("unit_path", data["under"].path))
        if data.get("active") != "all":
            queryset = queryset.filter(active=data.get("active") != "0")
        return queryset
