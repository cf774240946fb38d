"""The training demo: a catalogue, sessions behind and ahead, and hours progress on the files."""

from django.utils import timezone

from gonghui.capability.demo import demo_load
from gonghui.capability.demo_training import training_demo_load
from gonghui.capability.models import Cadre
from gonghui.capability.models_training import Course, Enrolment, Session
from gonghui.capability.selectors.training import training_hours
from gonghui.core.demo import _Builder


def test_the_demo_gives_courses_sessions_and_hours_progress(db):
    # The demo tree and accounts, and the capability demo alone: the other lines' demo data is
    # not needed for training, and keeps this test quick.
    builder = _Builder()
    builder.tree()
    builder.accounts()
    demo_load()
    training_demo_load()  # a no-op once capability.demo calls it itself
    assert Course.objects.count() == 8
    now = timezone.now()
    assert Session.objects.filter(starts_at__lt=now).exists() and Session.objects.filter(starts_at__gt=now).exists()
    assert all(e.session.enrolments.taking_a_place().count() <= e.session.capacity for e in Enrolment.objects.all())
    cadres = {c.user.username: c.pk for c in Cadre.objects.filter(user__isnull=False)}
    year = timezone.localdate().year
    progress = training_hours(cadres.values(), year)
    city = progress[cadres["demo_city"]]
    assert city.required == 40 and city.percent is not None
    assert any(p.met for p in progress.values()) and any(p.required and not p.met for p in progress.values())
    assert training_demo_load() == {}  # loading twice adds nothing
