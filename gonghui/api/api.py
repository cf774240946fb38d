"""The root of the REST API under /api/v1/ (OpenAPI docs at /api/v1/docs).

Each app contributes a router from its `api.py`; the endpoints only parse, call a selector or a
service, and serialise. Scoping and audit are the services' and restrict()'s, as in the UI.
"""

from ninja import NinjaAPI

from gonghui.api import errors
from gonghui.api.auth import BrowserSession, TokenAuth
from gonghui.capability.api import router as capability_router
from gonghui.core.api import router as units_router
from gonghui.membership.api import ROUTERS as membership_routers
from gonghui.rights.api import ROUTERS as rights_routers

api = NinjaAPI(
    title="gonghui API",
    version="1",
    description="工会工作平台 REST API. Authenticate with a personal access token: `Authorization: Bearer <token>`.",
    urls_namespace="api-1",
    auth=[TokenAuth(), BrowserSession()],
    docs_url="/docs",
)
errors.install(api)
api.add_router("/units", units_router)
for prefix, router in (*membership_routers, *rights_routers):
    api.add_router(prefix, router)
api.add_router("/capability", capability_router)
