"""The demo: a published assessment cycle, so a newcomer sees radar charts at once."""

from django.core.management import call_command
from django.urls import reverse

from gonghui.capability.models import CycleStatus, Participant, RaterAssignment
from gonghui.core.models import User


def test_the_demo_has_published_results_with_a_previous_cycle_and_open_todos(db, client):
    call_command("demo", verbosity=0)
    own = (
        Participant.objects.filter(cadre__user__username="demo_district", cycle__status=CycleStatus.PUBLISHED)
        .order_by("-cycle__period_end")
        .first()
    )
    assert own is not None and own.overall_score is not None
    assert Participant.objects.filter(cadre=own.cadre, cycle__status=CycleStatus.PUBLISHED).count() == 2
    client.force_login(User.objects.get(username="demo_district"))
    response = client.get(reverse("capability:result_detail", args=[own.pk]))
    assert response.status_code == 200
    assert response.context["chart"]["previous"] is not None and None not in response.context["chart"]["mine"]
    assert RaterAssignment.objects.filter(
        rater__user__username="demo_grassroots", submitted_at__isnull=True, participant__cycle__status="open"
    ).exists()
