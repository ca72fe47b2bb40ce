"""The client's address behind the office's proxy (mutualaid.core.limits.client_address),
which the member sign-in's limits, the application form's limit and django-axes' lockouts
all read: with no proxy the connection's address; behind N trusted proxies the address the
outermost one saw, never what the client wrote further left in X-Forwarded-For."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from mutualaid.core.limits import client_address

PROXY = "10.0.0.1"  # the office's nginx, as the portal's connection sees it


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        # No proxy configured: the connection; a forwarded header is the client's own word.
        (0, "203.0.113.7", None, "203.0.113.7"),
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # One proxy: the address it appended, the last entry.
        (1, PROXY, "203.0.113.7", "203.0.113.7"),
        (1, PROXY, " 203.0.113.7 ", "203.0.113.7"),
        # A client that sends its own header cannot choose its address: it is further left.
        (1, PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (1, PROXY, "1.2.3.4, 5.6.7.8, 203.0.113.7", "203.0.113.7"),
        # Two proxies (a load balancer, then nginx): the first one's view, second from right.
        (2, PROXY, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        # Fewer entries than proxies: it did not come through them; the connection counts.
        (1, "203.0.113.9", None, "203.0.113.9"),
        (2, PROXY, "203.0.113.7", PROXY),
        (1, PROXY, " , ", PROXY),
        # IPv6, written canonically; what is not an address is one shared "unknown".
        (1, PROXY, "2001:DB8:0:0::1", "2001:db8::1"),
        (1, PROXY, "not-an-address", "unknown"),
        (1, PROXY, "203.0.113.7:51234", "unknown"),
        (0, "", None, "unknown"),
    ],
)
def test_the_address_that_counts(settings, proxies, remote, forwarded, expected):
    settings.PROXY_COUNT = proxies
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **headers)) == expected


def test_axes_records_no_address_when_there_is_none(settings):
    """A request without an address (Django's force_login builds one) is no error."""
    from django.http import HttpRequest

    from mutualaid.core.limits import client_ip

    assert client_ip(HttpRequest()) is None
    assert client_address(HttpRequest()) == "unknown"


def test_axes_reads_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )
    assert get_client_ip_address(request) == "203.0.113.7"
