"""API of the membership line: /api/v1/enterprises, members, applications, transfers, imports, coverage.

The endpoints parse, call a selector or a service, and serialise; scope, validation and audit are
the services' and restrict()'s, as in the UI. Personal data (ID numbers, phones, birth dates) is
masked unless the caller asks with `reveal=true` and may reveal it there; every reveal is audited.
ID numbers and phone numbers are looked up in a POST body (`/members/lookup`), never in a URL.
Big lists page with a cursor on the index they are read from — no COUNT(*), no OFFSET.
"""

from gonghui.membership.api.applications import applications
from gonghui.membership.api.coverage import coverage
from gonghui.membership.api.enterprises import enterprises
from gonghui.membership.api.imports import imports
from gonghui.membership.api.members import members
from gonghui.membership.api.transfers import transfers_router

# (prefix, router) pairs that gonghui/api/api.py mounts under /api/v1/
ROUTERS = (
    ("/enterprises", enterprises),
    ("/members", members),
    ("/applications", applications),
    ("/transfers", transfers_router),
    ("/imports", imports),
    ("/coverage", coverage),
)
