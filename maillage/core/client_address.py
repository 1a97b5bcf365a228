"""The address of the client a request comes from, for login lockout and rate limits.

Behind `PROXY_COUNT` reverse proxies (setting), `REMOTE_ADDR` is the nearest proxy for every
visitor: the client is the address the outermost trusted proxy appended to `X-Forwarded-For`,
that is the `PROXY_COUNT`-th entry from the right. Entries further left were written by the
client itself and can say anything, so they are never read. Without proxies (`PROXY_COUNT=0`),
the header is ignored altogether and `REMOTE_ADDR` is the client.

django-axes (`AXES_CLIENT_IP_CALLABLE`) and django-ratelimit (`RATELIMIT_IP_META_KEY`) both
call `client_address`, so a lockout and a rate limit key on the same address.
"""

import ipaddress

from django.conf import settings


def _valid(value: str) -> str:
    """The address as written if it is an IP address (a port or brackets are dropped), else ""."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_address(request) -> str:
    """The client's address: from X-Forwarded-For with `PROXY_COUNT` trusted hops, else
    REMOTE_ADDR (also when the header has fewer entries than trusted proxies, or a bad one)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "PROXY_COUNT", 0) or 0
    if proxies > 0:
        forwarded = [
            entry
            for header in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if (entry := header.strip())
        ]
        if len(forwarded) >= proxies:
            address = _valid(forwarded[-proxies])
            if address:
                return address
    return _valid(remote) or remote
