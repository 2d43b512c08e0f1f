"""The runbook's health check: ``SELECT 1`` through the pool within a timeout."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from sqlalchemy import exc, text

from .errors import MaintenanceModeError, PoolTimeoutError

if TYPE_CHECKING:
    from .monitor import PoolMonitor

Report = Tuple[int, Dict[str, Any]]

HEALTHY: Dict[str, Any] = {"status": "healthy", "database": "connected"}


class _Check:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Optional[Report] = None


def check_health(monitor: "PoolMonitor", timeout: float) -> Report:
    """(HTTP status, body): 200 ``{"status": "healthy", "database": "connected"}`` or 503 saying why not.

    The check runs on its own thread so that a database that does not answer costs the caller
    ``timeout`` seconds at most; while one check is running, further requests wait for its answer
    instead of taking more connections from a pool that may be exhausted.
    """
    if monitor.in_maintenance:
        return 503, {"status": "maintenance", "database": "not checked", "error": monitor.maintenance_message()}
    with monitor._health_lock:
        check = monitor._health_inflight
        if check is None:
            check = _Check()
            monitor._health_inflight = check
            threading.Thread(target=_run, args=(monitor, check), name="pgmedic-health", daemon=True).start()
    if check.done.wait(timeout) and check.result is not None:
        return check.result
    s = monitor.statistics()
    limit = s["maxConnections"]
    if limit is not None and s["checkedOut"] >= limit:
        return 503, {
            "status": "unhealthy",
            "database": "connected",
            "error": f"connection pool exhausted: {s['checkedOut']} of {limit} checked out",
        }
    return 503, {"status": "unhealthy", "database": "disconnected", "error": f"no answer from the database within {timeout:g} s"}


def _run(monitor: "PoolMonitor", check: _Check) -> None:
    monitor._local.health = True
    try:
        with monitor.engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar()
        check.result = (200, dict(HEALTHY))
    except MaintenanceModeError as e:
        check.result = (503, {"status": "maintenance", "database": "not checked", "error": str(e)})
    except PoolTimeoutError as e:
        s = e.statistics
        check.result = (503, {
            "status": "unhealthy",
            "database": "connected",
            "error": f"connection pool exhausted: {s['checkedOut']} of {s['maxConnections']} checked out",
        })
    except exc.DBAPIError as e:
        check.result = (503, {"status": "unhealthy", "database": "disconnected", "error": _first_line(e.orig if e.orig is not None else e)})
    except Exception as e:  # anything else is still an unhealthy answer, never a crashed endpoint
        check.result = (503, {"status": "unhealthy", "database": "disconnected", "error": _first_line(e)})
    finally:
        monitor._local.health = False
        with monitor._health_lock:
            if monitor._health_inflight is check:
                monitor._health_inflight = None
        check.done.set()


def _first_line(error: BaseException) -> str:
    # psycopg2's messages name host and port, never the password; only the first line is kept.
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
