"""API of the rights line: /api/v1/cases, hardship-files, assistance, ratings.

(prefix, router) pairs that gonghui/api/api.py mounts under /api/v1/. The endpoints parse, call
a service or a query through restrict(), and serialise, like the membership API's.
"""

from gonghui.rights.api.assistance import assistance
from gonghui.rights.api.cases import cases
from gonghui.rights.api.hardship import hardship_files
from gonghui.rights.api.ratings import ratings

ROUTERS = (
    ("/cases", cases),
    ("/hardship-files", hardship_files),
    ("/assistance", assistance),
    ("/ratings", ratings),
)
