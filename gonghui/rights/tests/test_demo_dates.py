"""The demo loaded on awkward days: every date relative to the day it is loaded, none in the
future, and loading again adds nothing. (Apart from test_demo.py, whose module-wide demo would
be in the way.)"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.rights.demo import demo_load
from gonghui.rights.models import Assistance, CaseEvent, HardshipFile, RightsCase
from gonghui.rights.testing import freeze_date

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", [date(2027, 1, 2), date(2028, 2, 29)])
def test_the_demo_loads_on_any_day_with_every_date_in_the_past(day):
    """Dates are relative to the day it is loaded: on 2 January (last year's payments, this
    year's budgets, a calendar the holiday package may not know yet) and on a 29 February."""
    with freeze_date(day):
        call_command("demo", stdout=StringIO())
        today = timezone.localdate()
        assert today == day
        assert RightsCase.objects.count() >= 55 and HardshipFile.objects.count() >= 12
        assert not RightsCase.objects.filter(registered_on__gt=today).exists()
        assert not Assistance.objects.filter(given_on__gt=today).exists()
        assert not HardshipFile.objects.filter(submitted_on__gt=today).exists()
        assert not HardshipFile.objects.filter(approved_on__gt=today).exists()
        assert not CaseEvent.objects.filter(at__date__gt=today).exists()
        assert HardshipFile.objects.filter(status="active", next_verification_due__lt=today).exists()
        for file in HardshipFile.objects.exclude(approved_by=None):
            assert file.approved_by_id != file.submitted_by_id, file.file_no  # 申报 and 审核: two people
        before = RightsCase.objects.count(), HardshipFile.objects.count(), Assistance.objects.count()
        assert demo_load() == {}
        assert (RightsCase.objects.count(), HardshipFile.objects.count(), Assistance.objects.count()) == before
