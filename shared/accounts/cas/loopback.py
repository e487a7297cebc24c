"""Dev and test: `*.localhost` resolves to loopback for server-side HTTP calls too (RFC 6761 §6.3).

Chromium already does this, so a school host like http://0570613g.mbn.localhost:8000 works in the browser;
the ticket validation (school host → CAS server) and the single-logout callbacks (CAS server → school
host) are made by Python, whose resolver does not. Installed only when MBN_LOOPBACK_LOCALHOST_NAMES is on.
"""

from __future__ import annotations

import socket
from typing import Any

_original_getaddrinfo = socket.getaddrinfo


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, bytes):
        host = host.decode()
    if isinstance(host, str) and (host == "localhost" or host.endswith(".localhost")):
        host = "127.0.0.1"
    return _original_getaddrinfo(host, *args, **kwargs)


def localhost_names_to_loopback() -> None:
    socket.getaddrinfo = _getaddrinfo
