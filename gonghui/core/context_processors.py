from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.choices import Action
from gonghui.core.lines import LINES
from gonghui.core.scoping import may


def shell(request):
    """Navigation and the current unit for the page shell (base.html)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    todo = _todo_url()  # the to-do page lives under a line's prefix but is not that line's page
    admin = [
        (_("Users and roles"), reverse("core:user_list"), "user", may(user, Action.MANAGE_USERS)),
        (_("Audit trail"), reverse("core:audit_list"), "history", may(user, Action.AUDIT)),
        (_("Background jobs"), reverse("core:job_list"), "clock-play", True),
        (_("API tokens"), reverse("core:token_list"), "key", True),
    ]
    return {
        "nav_lines": [
            (line, url, path == url or bool(path != todo and line.prefix and path.startswith(line.prefix)))
            for line, url in ((line, reverse("core:line", args=[line.code])) for line in LINES)
        ],
        "nav_todo": todo,
        "nav_admin": [
            (label, url, icon, url != "/" and path.startswith(url)) for label, url, icon, shown in admin if shown
        ],
        "nav_units_active": path.startswith(reverse("core:unit_tree")),
        "unit_ctx": request.unit_context,
    }


def _todo_url() -> str | None:
    # The to-do list is served by the membership app (core knows no domain app by import).
    try:
        return reverse("membership:todo")
    except NoReverseMatch:
        return None
