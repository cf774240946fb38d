"""The demo: cadres for the demo accounts, whose files show real organize figures."""

from datetime import date

from django.core.management import call_command

from gonghui.capability.models import Cadre
from gonghui.capability.selectors.frameworks import framework_in_force
from gonghui.capability.selectors.scoring import capability_scores


def test_the_demo_links_accounts_to_cadres_with_figures_from_their_work(db):
    call_command("demo", verbosity=0)
    grassroots = Cadre.objects.get(user__username="demo_grassroots")
    assert grassroots.posts.count() == 2
    assert Cadre.objects.filter(user__isnull=True).count() == 2
    today = date.today()
    scores = capability_scores(
        framework_in_force(grassroots.org_unit), [grassroots.pk], date(today.year - 1, 1, 1), today
    )
    organize = scores[grassroots.pk]["organize"]
    recruited = next(s for s in organize.indicators if s.code == "organize.members_recruited")
    assert recruited.value > 0 and organize.score is not None
    assert scores[grassroots.pk]["develop"].score is None
