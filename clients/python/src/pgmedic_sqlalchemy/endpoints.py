"""What both the WSGI and the ASGI app answer, independent of the protocol."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

from .access import FORBIDDEN, is_allowed

if TYPE_CHECKING:
    from .monitor import PoolMonitor

Response = Tuple[int, List[Tuple[str, str]], bytes]

REASONS = {200: "OK", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


class EndpointOptions:
    """How the endpoints are served; the same options as Guard's ``MapPgMedicGuard``."""

    def __init__(
        self,
        health_path: str = "/health",
        pool_path: str = "/health/pool",
        health_timeout: float = 5.0,
        pool_endpoint: bool = False,
        allow_local: bool = True,
        token: Optional[str] = None,
        include_stacks: bool = True,
    ) -> None:
        self.health_path = health_path.rstrip("/") or "/"
        self.pool_path = pool_path.rstrip("/") or "/"
        self.health_timeout = health_timeout
        self.pool_endpoint = pool_endpoint
        self.allow_local = allow_local
        self.token = token
        self.include_stacks = include_stacks


def route(options: EndpointOptions, path: str) -> Optional[str]:
    """"health", "pool", or None for a path these endpoints do not serve."""
    normalized = path.rstrip("/") or "/"
    if normalized == options.pool_path:
        return "pool"
    if normalized == options.health_path:
        return "health"
    return None


def answer(monitor: "PoolMonitor", options: EndpointOptions, which: str, method: str, remote: Optional[str], headers: Mapping[str, str]) -> Response:
    if method not in ("GET", "HEAD"):
        return _json(405, {"error": "use GET"}, [("Allow", "GET, HEAD")])
    if which == "health":
        status, body = monitor.check_health(options.health_timeout)
        return _json(status, body)
    if not options.pool_endpoint:
        return _json(404, {"error": "the pool endpoint is off: serve it with pool_endpoint=True"})
    if not is_allowed(remote, headers, options.token, options.allow_local):
        return _json(403, {"error": FORBIDDEN})
    return _json(200, monitor.endpoint_document(options.include_stacks))


def route_request(options: EndpointOptions, prefix: str, path: str) -> Optional[str]:
    """Routes a request whether or not a framework mounted the app under ``prefix``.

    The path as the client sent it (``prefix + path``) is tried first, then the path below the mount
    point: mounted at ``/health`` the defaults serve ``/health`` and ``/health/pool``; mounted at
    ``/ops`` they serve ``/ops/health`` and ``/ops/health/pool``.
    """
    prefix = prefix.rstrip("/")
    full = path if not prefix or path == prefix or path.startswith(prefix + "/") else prefix + path
    return route(options, full) or (route(options, path) if full != path else None)


def _json(status: int, body: Dict[str, Any], extra: Optional[List[Tuple[str, str]]] = None) -> Response:
    payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
    headers = [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store"), ("Content-Length", str(len(payload)))]
    return status, headers + (extra or []), payload
