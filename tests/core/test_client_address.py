"""The client's address, as login lockout and rate limits see it (maillage.core.client_address)."""

import pytest
from django.test import RequestFactory

from maillage.core.client_address import client_address


def request_with(remote="10.0.0.2", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # No proxy: whatever the header says, the client is the one connected.
        (0, "203.0.113.1", "10.0.0.2"),
        (0, None, "10.0.0.2"),
        # One proxy: the entry it appended (the last), not those the client wrote before.
        (1, "203.0.113.1", "203.0.113.1"),
        (1, "192.0.2.66, 203.0.113.1", "203.0.113.1"),
        (1, "192.0.2.66,203.0.113.1:51234", "203.0.113.1"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        # Two proxies: the second entry from the right.
        (2, "192.0.2.66, 203.0.113.1, 10.0.0.1", "203.0.113.1"),
        # A request that did not come through the proxies, or a garbled entry: REMOTE_ADDR.
        (2, "203.0.113.1", "10.0.0.2"),
        (1, None, "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    assert client_address(request_with(forwarded=forwarded)) == expected
