"""Who may read the pool document: the rule PgMedic.Guard.AspNetCore applies.

Requests from a loopback address that carry no ``X-Forwarded-For`` or ``Forwarded`` header (a local
reverse proxy would make every request look local), or requests with ``Authorization: Bearer
<token>`` when a token is configured. ``/health`` itself is open, as in Guard.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Mapping, Optional

FORBIDDEN = "the pool endpoint answers local requests or requests with the configured bearer token only"


def is_loopback(address: Optional[str]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def is_allowed(remote_address: Optional[str], headers: Mapping[str, str], token: Optional[str], allow_local: bool = True) -> bool:
    """``headers`` are keyed by lower-case name."""
    authorization = headers.get("authorization", "")
    if token and authorization[:7].lower() == "bearer ":
        if hmac.compare_digest(authorization[7:].strip().encode("utf-8"), token.encode("utf-8")):
            return True
    forwarded = "x-forwarded-for" in headers or "forwarded" in headers
    return allow_local and not forwarded and is_loopback(remote_address)
