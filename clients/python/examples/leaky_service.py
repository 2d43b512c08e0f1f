"""A small SQLAlchemy web service that leaks connections on request, for demos and cross-checks.

Plain WSGI on the standard library (no framework needed), configured by the runbook's variables:

    DATABASE_URL=postgres://app:secret@127.0.0.1:5432/shop DATABASE_POOL_SIZE=2 DATABASE_MAX_OVERFLOW=0 \
    DATABASE_POOL_TIMEOUT=1 DATABASE_LEAK_THRESHOLD=5 PORT=8087 python3 clients/python/examples/leaky_service.py

It prints ``listening on http://127.0.0.1:PORT`` once ready (PORT=0 or unset: a free port), and serves

    GET  /health                     the runbook's health check
    GET  /health/pool                the pool document (loopback, or Authorization: Bearer $PGMEDIC_POOL_TOKEN)
    GET  /orders/count               a well-behaved query; 503 with the holders when the pool is exhausted
    POST /demo/leak/checked-out      checks a connection out and never returns it
    POST /demo/leak/in-transaction   leaves a connection idle in a transaction
    POST /demo/release               returns every leaked connection

It listens on 127.0.0.1 only (HOST to change it). Leak warnings go to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from socketserver import ThreadingMixIn
from typing import Any, Callable, Dict, Iterable, List
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from sqlalchemy import exc, text  # noqa: E402
from sqlalchemy.engine import Connection  # noqa: E402

from pgmedic_sqlalchemy import ConfigurationError, engine_from_environment  # noqa: E402

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")

try:
    engine, pool = engine_from_environment(name=os.environ.get("SERVICE_NAME", "leaky-service"))
except ConfigurationError as e:
    print(e, file=sys.stderr)
    sys.exit(3)

leaked: List[Connection] = []
leaked_lock = threading.Lock()


def leak_checked_out() -> int:
    connection = engine.connect()  # LEAK: checked out
    with leaked_lock:
        leaked.append(connection)
    return len(leaked)


def leak_in_transaction() -> int:
    connection = engine.connect()  # LEAK: in transaction
    connection.begin()
    connection.execute(text("SELECT count(*) FROM pg_class"))
    with leaked_lock:
        leaked.append(connection)
    return len(leaked)


def release() -> int:
    with leaked_lock:
        count = len(leaked)
        for connection in leaked:
            connection.close()
        leaked.clear()
    return count


def count_orders() -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM pg_class")).scalar())


def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
    routes: Dict[tuple, Callable[[], Any]] = {
        ("GET", "/orders/count"): lambda: {"count": count_orders()},
        ("POST", "/demo/leak/checked-out"): lambda: {"leaked": leak_checked_out()},
        ("POST", "/demo/leak/in-transaction"): lambda: {"leaked": leak_in_transaction()},
        ("POST", "/demo/release"): lambda: {"released": release()},
    }
    handler = routes.get((method, path))
    if handler is None:
        status, body = "404 Not Found", {"error": "not found"}
    else:
        try:
            status, body = "200 OK", handler()
        except exc.TimeoutError as e:  # pgmedic_sqlalchemy's PoolTimeoutError: its message lists the holders
            status, body = "503 Service Unavailable", {"error": str(e)}
        except exc.SQLAlchemyError as e:
            status, body = "503 Service Unavailable", {"error": str(e).splitlines()[0]}
    payload = json.dumps(body).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    host = os.environ.get("HOST", "127.0.0.1")
    served = pool.wsgi_app(app, pool_endpoint=True, token=os.environ.get("PGMEDIC_POOL_TOKEN") or None)
    server = make_server(host, int(os.environ.get("PORT", "0")), served, server_class=_Server, handler_class=_Quiet)
    print(f"listening on http://{host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        release()
        pool.close()
        engine.dispose()


if __name__ == "__main__":
    main()
