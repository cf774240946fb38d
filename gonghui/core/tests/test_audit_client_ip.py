"""The client address in the audit trail and the rate limits."""

from django.test import RequestFactory


def test_behind_a_proxy_the_address_the_proxy_appended_counts_not_what_the_client_wrote(settings):
    from gonghui.core.audit import client_ip

    settings.GONGHUI_TRUST_X_FORWARDED_FOR = True
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.7"


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    from gonghui.core.audit import client_ip

    settings.GONGHUI_TRUST_X_FORWARDED_FOR = False
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "10.0.0.2"
