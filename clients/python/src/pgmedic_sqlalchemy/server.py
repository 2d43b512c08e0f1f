"""A small HTTP server thread for services without a web framework (workers, schedulers, consumers)."""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .wsgi import WsgiEndpoints

if TYPE_CHECKING:
    from .monitor import PoolMonitor


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the service's own logs are not for request lines
        pass


class EndpointServer:
    """Serves ``/health`` and ``/health/pool`` on ``host:port`` (127.0.0.1 and a free port by default).

    The pool endpoint is on: the server listens on loopback unless told otherwise, and the access
    rule (loopback or bearer token) applies to every request anyway.
    """

    def __init__(self, monitor: "PoolMonitor", host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        options.setdefault("pool_endpoint", True)
        self._server = make_server(host, port, WsgiEndpoints(monitor, None, **options), server_class=_ThreadingServer, handler_class=_QuietHandler)
        self.host = host
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="pgmedic-http", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "EndpointServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
