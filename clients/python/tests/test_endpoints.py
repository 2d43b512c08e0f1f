"""/health and /health/pool over WSGI, ASGI and the loopback server, with Guard's access rule."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

import pytest
from sqlalchemy import create_engine

import service
from conftest import wait_until
from pgmedic_sqlalchemy import instrument


def call_wsgi(app: Any, path: str, remote: str = "127.0.0.1", headers: Optional[Dict[str, str]] = None, script_name: str = "") -> Tuple[int, Any]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": script_name, "REMOTE_ADDR": remote, "wsgi.url_scheme": "http"}
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    answer: List[str] = []
    body = b"".join(app(environ, lambda status, response_headers: answer.append(status)))
    return int(answer[0].split()[0]), json.loads(body)


def call_asgi(app: Any, path: str, client: str = "127.0.0.1", root_path: str = "") -> Tuple[int, Any]:
    """A plain ASGI request (Debian's FastAPI comes without httpx, which its TestClient needs)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
             "raw_path": path.encode(), "root_path": root_path, "query_string": b"", "headers": [(b"host", b"127.0.0.1")],
             "client": (client, 50000), "server": ("127.0.0.1", 8000)}
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body)


@pytest.fixture
def monitored(engines):
    engine = engines(pool_size=2, max_overflow=0, pool_timeout=30)
    monitor = instrument(engine, name="pytest-endpoints")
    yield engine, monitor
    monitor.close()


def test_health_databaseAnswers_200WithTheRunbooksExactBody(monitored):
    engine, monitor = monitored
    assert call_wsgi(monitor.wsgi_app(), "/health") == (200, {"status": "healthy", "database": "connected"})
    assert monitor.holders() == []  # the check returned its connection


def test_health_poolExhausted_503ConnectedSaysExhausted(monitored):
    engine, monitor = monitored
    held = [engine.connect(), engine.connect()]
    status, body = call_wsgi(monitor.wsgi_app(health_timeout=0.5), "/health")
    assert status == 503
    assert body == {"status": "unhealthy", "database": "connected", "error": "connection pool exhausted: 2 of 2 checked out"}
    for connection in held:
        connection.close()
    assert wait_until(lambda: call_wsgi(monitor.wsgi_app(), "/health")[0] == 200)


def test_health_maintenanceMode_503NotChecked(monitored):
    engine, monitor = monitored
    monitor.enter_maintenance()
    status, body = call_wsgi(monitor.wsgi_app(), "/health")
    assert status == 503 and body["status"] == "maintenance" and body["database"] == "not checked"
    monitor.exit_maintenance()
    assert call_wsgi(monitor.wsgi_app(), "/health")[0] == 200


def test_health_databaseDown_503Disconnected():
    engine = create_engine("postgresql+psycopg2://postgres:secret@127.0.0.1:9/postgres", connect_args={"connect_timeout": 2})
    monitor = instrument(engine, name="pytest-down")
    try:
        status, body = call_wsgi(monitor.wsgi_app(), "/health")
        assert status == 503 and body["status"] == "unhealthy" and body["database"] == "disconnected"
        assert "secret" not in json.dumps(body)
    finally:
        monitor.close()


def test_poolEndpoint_accessRule_loopbackOrTokenOnly(monitored):
    engine, monitor = monitored
    app = monitor.wsgi_app(pool_endpoint=True, token="s3cret-token")
    leaked = service.checkout_and_forget(engine)

    status, body = call_wsgi(app, "/health/pool", remote="127.0.0.1")
    assert status == 200 and body["pool"]["checkedOut"] == 1 and body["holders"][0]["callSite"]["member"] == "checkout_and_forget"
    assert call_wsgi(app, "/health/pool", remote="::1")[0] == 200
    status, body = call_wsgi(app, "/health/pool", remote="10.1.2.3")
    assert status == 403 and "bearer token" in body["error"] and "holders" not in body
    assert call_wsgi(app, "/health/pool", remote="127.0.0.1", headers={"X-Forwarded-For": "203.0.113.9"})[0] == 403
    assert call_wsgi(app, "/health/pool", remote="10.1.2.3", headers={"Authorization": "Bearer wrong"})[0] == 403
    assert call_wsgi(app, "/health/pool", remote="10.1.2.3", headers={"Authorization": "Bearer s3cret-token"})[0] == 200
    assert call_wsgi(monitor.wsgi_app(pool_endpoint=True), "/health/pool", remote="10.1.2.3", headers={"Authorization": "Bearer "})[0] == 403
    assert call_wsgi(monitor.wsgi_app(pool_endpoint=True, allow_local=False), "/health/pool")[0] == 403
    assert call_wsgi(monitor.wsgi_app(), "/health/pool")[0] == 404  # off unless turned on, as in Guard
    assert call_wsgi(app, "/health", remote="10.1.2.3")[0] == 200  # /health stays open
    leaked.close()


def test_flask_wrappedAndMounted_servesEndpointsAndLeavesTheAppsRoutes(monitored):
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    engine, monitor = monitored
    app = Flask("pytest-shop")

    @app.get("/tables")
    def tables() -> Dict[str, int]:
        return {"tables": service.count_tables(engine)}

    app.wsgi_app = monitor.wsgi_app(app.wsgi_app, pool_endpoint=True)  # type: ignore[method-assign]
    client = app.test_client()
    assert client.get("/health").get_json() == {"status": "healthy", "database": "connected"}
    assert client.get("/tables").get_json()["tables"] > 0
    pool = client.get("/health/pool").get_json()
    assert pool["pool"]["checkouts"] == 2 and pool["pool"]["name"] == "pytest-endpoints"
    assert client.get("/health/pool", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 403

    mounted = Flask("pytest-host")
    mounted.wsgi_app = DispatcherMiddleware(mounted.wsgi_app, {"/ops": monitor.wsgi_app(pool_endpoint=True)})  # type: ignore[method-assign]
    assert mounted.test_client().get("/ops/health/pool").get_json()["pool"]["name"] == "pytest-endpoints"


def test_fastapi_middlewareAndMount_servesEndpointsAndLeavesTheAppsRoutes(monitored):
    from fastapi import FastAPI

    from pgmedic_sqlalchemy.asgi import PoolEndpointsMiddleware

    engine, monitor = monitored
    app = FastAPI()

    @app.get("/tables")
    def tables() -> Dict[str, int]:
        return {"tables": service.count_tables(engine)}

    app.add_middleware(PoolEndpointsMiddleware, monitor=monitor, pool_endpoint=True)
    assert call_asgi(app, "/health") == (200, {"status": "healthy", "database": "connected"})
    assert call_asgi(app, "/tables")[1]["tables"] > 0
    status, pool = call_asgi(app, "/health/pool")
    assert status == 200 and pool["pool"]["checkouts"] == 2
    assert call_asgi(app, "/health/pool", client="198.51.100.4")[0] == 403

    mounted = FastAPI()
    mounted.mount("/health", monitor.asgi_app(pool_endpoint=True))
    status, pool = call_asgi(mounted, "/health/pool")
    assert status == 200 and pool["pool"]["name"] == "pytest-endpoints"


def test_loopbackServer_realHttp_servesHealthAndPoolOn127001(monitored):
    engine, monitor = monitored
    leaked = service.Orders(engine).begin_and_forget()
    with monitor.serve() as server:
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(server.url + "/health", timeout=10) as response:
            assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
            assert json.loads(response.read()) == {"status": "healthy", "database": "connected"}
        with urllib.request.urlopen(server.url + "/health/pool", timeout=10) as response:
            document = json.loads(response.read())
        assert document["holders"][0]["state"] == "idle in transaction"
        assert document["holders"][0]["callSite"]["member"] == "Orders.begin_and_forget"
        request = urllib.request.Request(server.url + "/health/pool", headers={"X-Forwarded-For": "203.0.113.1"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
    leaked.close()
