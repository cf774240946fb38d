from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "gonghui.rights"
    label = "rights"
    verbose_name = _("Protect rights by law")

    def ready(self):
        from gonghui.core.todo import TODO_SECTIONS

        providers = []
        from gonghui.rights.selectors.cases import cases_todo

        providers.append(cases_todo)
        # The other areas' sections, where they are built (each area owns its selector).
        try:
            from gonghui.rights.selectors.hardship import hardship_todo

            providers.append(hardship_todo)
        except ImportError:  # pragma: no cover - area not there yet
            pass
        try:
            from gonghui.rights.selectors.calendar import calendar_todo

            providers.append(calendar_todo)
        except ImportError:  # pragma: no cover - area not there yet
            pass
        for provider in providers:
            if provider not in TODO_SECTIONS:
                TODO_SECTIONS.append(provider)
