"""The endpoints as a WSGI app (Flask, Django, any WSGI server), or as middleware in front of one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Optional

from .endpoints import REASONS, EndpointOptions, _json, answer, route_request

if TYPE_CHECKING:
    from .monitor import PoolMonitor


class WsgiEndpoints:
    """Serves ``/health`` and ``/health/pool``; any other path goes to ``app`` (404 when there is none).

    Flask: ``app.wsgi_app = monitor.wsgi_app(app.wsgi_app, pool_endpoint=True)``.
    Django (``wsgi.py``): ``application = monitor.wsgi_app(get_wsgi_application(), pool_endpoint=True)``.
    """

    def __init__(self, monitor: "PoolMonitor", app: Optional[Callable[..., Iterable[bytes]]] = None, **options: Any) -> None:
        self.monitor = monitor
        self.app = app
        self.options = EndpointOptions(**options)

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        which = route_request(self.options, environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", "") or "/")
        if which is None:
            if self.app is not None:
                return self.app(environ, start_response)
            status, headers, body = _json(404, {"error": "not found"})
        else:
            request_headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
            status, headers, body = answer(
                self.monitor, self.options, which, environ.get("REQUEST_METHOD", "GET"), environ.get("REMOTE_ADDR"), request_headers
            )
        start_response(f"{status} {REASONS.get(status, '')}".rstrip(), headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
