from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapabilityConfig(AppConfig):
    name = "gonghui.capability"
    label = "capability"
    verbose_name = _("Capability building")

    def ready(self):
        # The rater's to-do section (core knows no domain app: apps register their sections).
        from gonghui.capability.selectors.assessment import assessment_todo
        from gonghui.core.todo import TODO_SECTIONS

        if assessment_todo not in TODO_SECTIONS:
            TODO_SECTIONS.append(assessment_todo)
