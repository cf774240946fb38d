"""Personal access tokens: `Authorization: Bearer gh_…`."""

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from gonghui.core.models import ApiToken
from gonghui.core.models.tokens import token_digest


class TokenAuth(HttpBearer):
    openapi_description = "Personal access token: `gonghui token create --user NAME`, or 我的 API 令牌 in the UI."

    def authenticate(self, request, token):
        if not token:
            return None
        found = ApiToken.objects.active().select_related("user").filter(digest=token_digest(token)).first()
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class BrowserSession(SessionAuth):
    """The logged-in browser session (so the docs UI works); CSRF applies to unsafe methods."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None
