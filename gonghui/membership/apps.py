from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "gonghui.membership"
    label = "membership"
    verbose_name = _("Organize workers")

    def ready(self):
        from gonghui.core.services import UNIT_MOVE_HANDLERS
        from gonghui.membership import jobs  # noqa: F401  (job handlers register on import)
        from gonghui.membership.services.coverage import unit_moved

        if unit_moved not in UNIT_MOVE_HANDLERS:
            UNIT_MOVE_HANDLERS.append(unit_moved)
