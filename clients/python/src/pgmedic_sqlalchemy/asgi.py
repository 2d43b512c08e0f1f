"""The endpoints as an ASGI app (FastAPI, Starlette, Django's ASGI), or as middleware in front of one."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, Optional

from .endpoints import EndpointOptions, _json, answer, route_request

if TYPE_CHECKING:
    from .monitor import PoolMonitor

Scope = Dict[str, Any]
Receive = Callable[[], Awaitable[Dict[str, Any]]]
Send = Callable[[Dict[str, Any]], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class AsgiEndpoints:
    """Serves ``/health`` and ``/health/pool``; any other request goes to ``app`` (404 when there is none).

    The health check and the document are built on a worker thread: the check blocks on the database.
    """

    def __init__(self, monitor: "PoolMonitor", app: Optional[AsgiApp] = None, **options: Any) -> None:
        self.monitor = monitor
        self.app = app
        self.options = EndpointOptions(**options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        which = None
        if scope["type"] == "http":
            which = route_request(self.options, scope.get("root_path", ""), scope.get("path", "") or "/")
        if which is None:
            if self.app is not None:
                await self.app(scope, receive, send)
                return
            if scope["type"] == "lifespan":
                await _lifespan(receive, send)
                return
            if scope["type"] != "http":
                return
            status, headers, body = _json(404, {"error": "not found"})
        else:
            request_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            client = scope.get("client")
            remote = client[0] if client else None
            loop = asyncio.get_running_loop()
            status, headers, body = await loop.run_in_executor(
                None, answer, self.monitor, self.options, which, scope.get("method", "GET"), remote, request_headers
            )
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        })
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})


class PoolEndpointsMiddleware(AsgiEndpoints):
    """For ``app.add_middleware(PoolEndpointsMiddleware, monitor=monitor, pool_endpoint=True)`` in FastAPI/Starlette."""

    def __init__(self, app: AsgiApp, monitor: "PoolMonitor", **options: Any) -> None:
        super().__init__(monitor, app, **options)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
