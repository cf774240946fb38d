"""The to-do list is assembled from sections that each domain app registers in `ready()`.

Core knows no domain app: an app appends a function `(user, today) -> TodoSection | None` to
`TODO_SECTIONS`; the to-do page renders every section that is not None, in `order`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class TodoSection:
    template: str  # rendered with the context below plus `section` (this object)
    order: int = 100  # lower first
    count: int = 0  # what the section's badge shows
    context: dict[str, Any] = field(default_factory=dict)


TODO_SECTIONS: list[Callable[[Any, date], TodoSection | None]] = []


def todo_sections(user, today: date) -> list[TodoSection]:
    sections = [section for provider in TODO_SECTIONS if (section := provider(user, today)) is not None]
    return sorted(sections, key=lambda s: s.order)
