"""API of the rights line: /api/v1/cases, hardship-files, assistance, ratings.

(prefix, router) pairs that gonghui/api/api.py mounts under /api/v1/.
"""

ROUTERS = ()
