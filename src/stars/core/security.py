"""Sign-in lockout (django-axes): the client's address behind a proxy, and the lockout answer.

Lockout counts failures per user name *and* address (settings.AXES_LOCKOUT_PARAMETERS), so
the address must be the client's, not the proxy's: with ``STARS_PROXY_HEADER`` set (e.g.
``X-Forwarded-For``) it is read from that header, ``STARS_PROXY_COUNT`` entries from the
right (each proxy in front of STARS appends the address it was called from); entries to the
left of that were written by the client and are never trusted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

API_PREFIX = "/api/"
LOCKED = (
    "Too many failed sign-ins: this user name is locked at this address for {minutes} "
    "minutes. Wait, or ask an administrator to unlock it."
)


def meta_key(header: str) -> str:
    """``X-Forwarded-For`` (as a proxy sends it) or ``HTTP_X_FORWARDED_FOR`` -> request.META key."""
    key = header.strip().upper().replace("-", "_")
    return key if key.startswith("HTTP_") else f"HTTP_{key}"


def forwarded_client(value: str, proxies: int) -> str | None:
    """The address ``proxies`` entries from the right of a forwarding header; None if absent
    or not an address."""
    entries = [e.strip() for e in value.split(",") if e.strip()]
    if proxies < 1 or len(entries) < proxies:
        return None
    candidate = entries[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address: from the configured proxy header, else the connection's."""
    return environ_client_address(request.META)


def environ_client_address(environ: Mapping[str, Any]) -> str | None:
    """The client's address from a request's WSGI environ (``request.META``, or the
    environ the WSGI server's request log is given), as ``client_address`` reads it."""
    header = settings.STARS_PROXY_HEADER
    if header:
        found = forwarded_client(str(environ.get(meta_key(header), "")), settings.STARS_PROXY_COUNT)
        if found:
            return found
    return environ.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with a Retry-After: JSON for API clients, the GOV.UK page for people."""
    seconds = int(float(settings.AXES_COOLOFF_TIME) * 3600)
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"detail": LOCKED.format(minutes=seconds // 60)}, status=429)
    else:
        response = render(
            request, "registration/locked_out.html", {"minutes": seconds // 60}, status=429
        )
    response["Retry-After"] = str(seconds)
    return response
