"""instrument(engine): statistics, holders, leak warnings and better timeouts for a SQLAlchemy pool."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import weakref
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import sqlalchemy
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool, Pool, QueuePool

from . import __version__
from .callsite import CallSite, call_site, caller_frame, capture_stack, format_stack
from .errors import HOLDERS_SHOWN, MaintenanceModeError, PoolTimeoutError, format_timeout
from .settings import Stacks, _stacks_valid

log = logging.getLogger("pgmedic_sqlalchemy")

_PID_KEY = "pgmedic_backend_pid"
HEALTH_CALL_SITE = CallSite("pgmedic_sqlalchemy", 0, "health check")

# libpq's PQtransactionStatus, as psycopg2 reports it, in pg_stat_activity's words.
_TRANSACTION_STATES = {0: "idle", 1: "active", 2: "idle in transaction", 3: "idle in transaction (aborted)"}


@dataclass(frozen=True)
class HolderView:
    """One checked-out connection at the moment it was listed."""

    id: int
    backend_pid: Optional[int]
    call_site: CallSite
    checked_out_at: datetime
    age_seconds: float
    leaked: bool
    state: Optional[str]
    stack_trace: Optional[str]


class _Holder:
    __slots__ = ("id", "dbapi_connection", "call_site", "stack", "checked_out_at", "started", "backend_pid", "reported")

    def __init__(self, id: int, dbapi_connection: Any, site: CallSite, stack: Optional[traceback.StackSummary], pid: Optional[int]) -> None:
        self.id = id
        self.dbapi_connection = dbapi_connection
        self.call_site = site
        self.stack = stack
        self.checked_out_at = datetime.now(timezone.utc)
        self.started = time.monotonic()
        self.backend_pid = pid
        self.reported = False


def transaction_state(dbapi_connection: Any) -> Optional[str]:
    """pg_stat_activity's state for a psycopg2 connection as libpq sees it; None when it cannot be known."""
    try:
        if dbapi_connection is None or getattr(dbapi_connection, "closed", False):
            return None
        info = getattr(dbapi_connection, "info", None)
        status = getattr(info, "transaction_status", None)
        if status is None and hasattr(dbapi_connection, "get_transaction_status"):
            status = dbapi_connection.get_transaction_status()
        return _TRANSACTION_STATES.get(status) if isinstance(status, int) else None
    except Exception:  # a connection that broke has no state to report
        return None


def backend_pid(dbapi_connection: Any) -> Optional[int]:
    """pg_backend_pid() of a new connection: libpq knows it (PQbackendPID); otherwise it is asked."""
    getter = getattr(dbapi_connection, "get_backend_pid", None)
    if callable(getter):
        pid = getter()
        return int(pid) if pid else None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    finally:
        cursor.close()
    dbapi_connection.rollback()  # never leave the query's transaction open
    return int(row[0]) if row else None


class PoolMonitor:
    """What :func:`instrument` returns: the pool's statistics, its holders, and the endpoints that serve them."""

    def __init__(
        self,
        engine: Engine,
        name: str,
        leak_threshold: float,
        stacks: Stacks,
        echo: bool,
        maintenance: bool,
        worker_dir: Optional[str],
        publish_interval: float,
        dispose_after_fork: bool,
    ) -> None:
        if not name or not name.strip():
            raise ValueError("name must not be empty")
        if leak_threshold < 0:
            raise ValueError("leak_threshold must be 0 (off) or more seconds")
        if not _stacks_valid(stacks):
            raise ValueError("stacks must be 'off', 'all' or a whole number N > 1 (one checkout in N)")
        if publish_interval <= 0:
            raise ValueError("publish_interval must be more than 0 seconds")
        self.engine = engine
        self.name = name
        self.leak_threshold = float(leak_threshold)
        self.stacks = stacks
        self.echo = echo
        self.worker_dir = worker_dir
        self.publish_interval = publish_interval
        self._dispose_after_fork = dispose_after_fork
        self._maintenance = maintenance
        self._maintenance_reason = "MAINTENANCE_MODE" if maintenance else ""
        self._local = threading.local()
        self._closed = False
        self._reset_process_state()
        self._listen()
        self._wrap_pool(engine.pool)
        self._start_threads()
        monitor_ref = weakref.ref(self)

        def after_fork_in_child() -> None:
            monitor = monitor_ref()
            if monitor is not None and not monitor._closed:
                monitor._after_fork()

        os.register_at_fork(after_in_child=after_fork_in_child)

    # ---- state -----------------------------------------------------------------------------

    def _reset_process_state(self) -> None:
        self._lock = threading.Lock()
        self._holders: Dict[int, _Holder] = {}
        self._next_id = 0
        self._checkouts = 0
        self._timeouts = 0
        self._leaks = 0
        self._connect_failures = 0
        self._pre_ping_replacements = 0
        self._stack_counter = 0
        self._stop = threading.Event()
        self._threads: List[threading.Thread] = []
        self.pid = os.getpid()
        self.hostname = socket.gethostname()
        self.started_at = datetime.now(timezone.utc)
        self._health_lock = threading.Lock()
        self._health_inflight: Optional[Any] = None

    def _after_fork(self) -> None:
        # A pre-fork server (gunicorn --preload, uWSGI without lazy-apps) copies the parent's pool:
        # this process starts with its own, empty one, its own counters and its own threads.
        self._reset_process_state()
        if self._dispose_after_fork:
            self.engine.dispose(close=False)
        self._start_threads()

    # ---- SQLAlchemy hooks ------------------------------------------------------------------

    def _listeners(self) -> List[Tuple[str, Callable[..., Any]]]:
        return [
            ("do_connect", self._on_do_connect),
            ("connect", self._on_connect),
            ("checkout", self._on_checkout),
            ("checkin", self._on_checkin),
            ("detach", self._on_detach),
            ("invalidate", self._on_invalidate),
            ("engine_disposed", self._on_engine_disposed),
        ]

    def _listen(self) -> None:
        for name, listener in self._listeners():
            event.listen(self.engine, name, listener)

    def _on_do_connect(self, dialect: Any, record: Any, cargs: Any, cparams: Dict[str, Any]) -> None:
        # SQLAlchemy sets no application_name: without one, server-side findings say "(no application_name)".
        if "application_name" not in cparams and not os.environ.get("PGAPPNAME") and not any(
            isinstance(a, str) and "application_name" in a for a in cargs
        ):
            cparams["application_name"] = self.name

    def _on_connect(self, dbapi_connection: Any, record: Any) -> None:
        try:
            record.info[_PID_KEY] = backend_pid(dbapi_connection)
        except Exception as e:  # the PID is for diagnosis; a failure to read it must not fail the connect
            log.debug("pool %s could not read the backend PID: %s", self.name, e)
            record.info[_PID_KEY] = None

    def _on_checkout(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        health = getattr(self._local, "health", False)
        frame = None if health else caller_frame()
        site = HEALTH_CALL_SITE if health else call_site(frame)
        pid = record.info.get(_PID_KEY)
        with self._lock:
            existing = self._holders.get(id(record))
            if existing is not None:  # the same checkout reconnected (a listener asked for a fresh connection)
                existing.dbapi_connection, existing.backend_pid = dbapi_connection, pid
                return
            self._stack_counter += 1
            wants_stack = self.stacks == "all" or (isinstance(self.stacks, int) and self._stack_counter % self.stacks == 0)
            self._next_id += 1
            self._checkouts += 1
            holder = _Holder(self._next_id, dbapi_connection, site, capture_stack(frame) if wants_stack and not health else None, pid)
            self._holders[id(record)] = holder
            checked_out = len(self._holders)
        if self.echo:
            log.info("Pool %s checkout #%d by %s: backend PID %s; %d checked out", self.name, holder.id, site, pid, checked_out)

    def _on_checkin(self, dbapi_connection: Any, record: Any) -> None:
        self._release(record, "return")

    def _on_detach(self, dbapi_connection: Any, record: Any) -> None:
        self._release(record, "detach")

    def _release(self, record: Any, how: str) -> None:
        with self._lock:
            holder = self._holders.pop(id(record), None)
            checked_out = len(self._holders)
        if holder is None:
            return
        held = time.monotonic() - holder.started
        if holder.reported:
            log.info(
                "Previously reported leak in pool %s returned: checkout #%d by %s (backend PID %s) after %.1f s",
                self.name, holder.id, holder.call_site, holder.backend_pid, held,
            )
        if self.echo:
            log.info("Pool %s %s #%d by %s: backend PID %s, held %.1f ms; %d checked out", self.name, how, holder.id, holder.call_site, holder.backend_pid, held * 1000, checked_out)

    def _on_invalidate(self, dbapi_connection: Any, record: Any, exception: Optional[BaseException]) -> None:
        if isinstance(exception, exc.InvalidatePoolError):  # what a failed pool_pre_ping raises
            with self._lock:
                self._pre_ping_replacements += 1

    def _on_engine_disposed(self, engine: Engine) -> None:
        # engine.dispose() puts a new pool in place; it keeps the event listeners but not the wrappers.
        self._wrap_pool(engine.pool)

    def _wrap_pool(self, pool: Pool) -> None:
        if pool.__dict__.get("_pgmedic_monitor") is self:
            return
        original_get: Callable[[], Any] = pool._do_get
        original_creator: Callable[[Any], Any] = pool._invoke_creator
        monitor = self

        def _do_get() -> Any:
            if monitor._maintenance:
                raise MaintenanceModeError(monitor.maintenance_message())
            try:
                return original_get()
            except PoolTimeoutError:
                raise
            except exc.TimeoutError as e:
                raise monitor._timed_out(pool, e) from e

        def _invoke_creator(record: Any) -> Any:
            try:
                return original_creator(record)
            except Exception:
                with monitor._lock:
                    monitor._connect_failures += 1
                raise

        # What close() puts back: attributes the instance had of its own (None: the class's method).
        pool.__dict__["_pgmedic_originals"] = {name: pool.__dict__.get(name) for name in ("_do_get", "_invoke_creator")}
        pool._do_get = _do_get  # type: ignore[method-assign]
        pool._invoke_creator = _invoke_creator  # type: ignore[method-assign]
        pool.__dict__["_pgmedic_monitor"] = self

    def _timed_out(self, pool: Pool, error: exc.TimeoutError) -> PoolTimeoutError:
        with self._lock:
            self._timeouts += 1
        statistics = self.statistics()
        oldest = self.holders()[:HOLDERS_SHOWN]
        site = call_site(caller_frame())
        log.warning(
            "Pool %s timed out a checkout by %s after %s s: %d checked out",
            self.name, site, getattr(pool, "_timeout", "?"), statistics["checkedOut"],
        )
        original = error.args[0] if error.args else str(error)
        return PoolTimeoutError(format_timeout(original, self.name, getattr(pool, "_timeout", None), statistics, oldest), statistics, oldest)

    # ---- leak detection and publishing -------------------------------------------------------

    def _start_threads(self) -> None:
        if self.leak_threshold > 0:
            period = min(5.0, max(0.01, self.leak_threshold / 4))
            self._spawn("leak-scan", period, self.scan_for_leaks)
        if self.worker_dir:
            from .workers import publish  # imported late: workers imports this module

            os.makedirs(self.worker_dir, mode=0o700, exist_ok=True)
            publish(self)
            self._spawn("publish", self.publish_interval, lambda: publish(self))

    def _spawn(self, what: str, period: float, work: Callable[[], None]) -> None:
        stop = self._stop

        def loop() -> None:
            while not stop.wait(period):
                try:
                    work()
                except Exception:
                    log.exception("pgmedic_sqlalchemy %s failed for pool %s", what, self.name)

        thread = threading.Thread(target=loop, name=f"pgmedic-{what}-{self.name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def scan_for_leaks(self) -> None:
        """Reports, once each, the checkouts held longer than the leak threshold (the timer calls this)."""
        if self.leak_threshold <= 0:
            return
        now = time.monotonic()
        found: List[Tuple[_Holder, float]] = []
        with self._lock:
            for holder in self._holders.values():
                age = now - holder.started
                if age >= self.leak_threshold and not holder.reported and holder.call_site is not HEALTH_CALL_SITE:
                    holder.reported = True
                    self._leaks += 1
                    found.append((holder, age))
        for holder, age in found:
            stack = "\n" + format_stack(holder.stack) if holder.stack is not None else ""
            state = transaction_state(holder.dbapi_connection)
            log.warning(
                "Connection leak suspected in pool %s: checkout #%d by %s (backend PID %s%s) has been held for %.1f s, longer than the leak threshold of %.1f s%s",
                self.name, holder.id, holder.call_site, holder.backend_pid, f", {state}" if state else "", age, self.leak_threshold, stack,
            )

    def close(self) -> None:
        """Detaches from the engine (its pool works on as plain SQLAlchemy), stops the timers and
        removes this process's published document. The engine itself is not disposed."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        for name, listener in self._listeners():
            if event.contains(self.engine, name, listener):
                event.remove(self.engine, name, listener)
        pool = self.engine.pool
        if pool.__dict__.get("_pgmedic_monitor") is self:
            for attribute, original in pool.__dict__.pop("_pgmedic_originals", {}).items():
                if original is None:
                    pool.__dict__.pop(attribute, None)
                else:
                    pool.__dict__[attribute] = original
            pool.__dict__.pop("_pgmedic_monitor", None)
        for thread in self._threads:
            thread.join(timeout=5)
        if self.worker_dir:
            from .workers import unpublish

            unpublish(self)

    # ---- maintenance -------------------------------------------------------------------------

    @property
    def in_maintenance(self) -> bool:
        return self._maintenance

    def enter_maintenance(self, reason: Optional[str] = None) -> None:
        """The runbook's step 4 without a restart: new checkouts fail at once; checked-out ones finish."""
        self._maintenance_reason = reason.strip() if reason and reason.strip() else "maintenance"
        self._maintenance = True
        log.warning("Pool %s entered maintenance mode: new checkouts are refused (%s); %d checked out will finish", self.name, self._maintenance_reason, len(self._holders))

    def exit_maintenance(self) -> None:
        self._maintenance = False
        self._maintenance_reason = ""
        log.info("Pool %s left maintenance mode", self.name)

    def maintenance_message(self) -> str:
        return f"pgmedic_sqlalchemy pool '{self.name}' is in maintenance mode ({self._maintenance_reason}): new database connections are refused until it ends"

    # ---- what is known -----------------------------------------------------------------------

    def holders(self) -> List[HolderView]:
        """Every checked-out connection, oldest first: call site, age, backend PID, state, stack if captured."""
        now = time.monotonic()
        with self._lock:
            held = sorted(self._holders.values(), key=lambda h: h.id)
        return [
            HolderView(
                id=h.id,
                backend_pid=h.backend_pid,
                call_site=h.call_site,
                checked_out_at=h.checked_out_at,
                age_seconds=round(now - h.started, 3),
                leaked=h.reported,
                state=transaction_state(h.dbapi_connection),
                stack_trace=format_stack(h.stack) if h.stack is not None else None,
            )
            for h in held
        ]

    def statistics(self) -> Dict[str, Any]:
        """The pool now, as the document's ``pool`` object. What this pool class cannot know is None."""
        pool = self.engine.pool
        with self._lock:
            counters = {
                "timeouts": self._timeouts,
                "leaks": self._leaks,
                "checkouts": self._checkouts,
                "prePingReplacements": self._pre_ping_replacements,
                "connectFailures": self._connect_failures,
            }
            holders = len(self._holders)
        pool_size: Optional[int] = None
        max_overflow: Optional[int] = None
        idle: Optional[int] = None
        checked_out = holders
        if isinstance(pool, QueuePool):
            pool_size = pool.size()
            overflow_limit = getattr(pool, "_max_overflow", None)
            max_overflow = overflow_limit if isinstance(overflow_limit, int) and overflow_limit >= 0 else None
            idle = pool.checkedin()
            checked_out = max(0, pool.checkedout())
        elif isinstance(pool, NullPool):
            idle = 0  # a NullPool keeps no connection open between checkouts
        max_connections = pool_size + max_overflow if pool_size is not None and max_overflow is not None else None
        return {
            "name": self.name,
            "poolClass": type(pool).__name__,
            "poolSize": pool_size,
            "maxOverflow": max_overflow,
            "maxConnections": max_connections,
            "checkedOut": checked_out,
            "overflow": max(0, checked_out - pool_size) if pool_size is not None else None,
            "idle": idle,
            # No SQLAlchemy pool counts the threads waiting for a connection: unknown, not 0.
            "waiting": None,
            **counters,
            "maintenance": self._maintenance,
        }

    def process(self) -> Dict[str, Any]:
        return {
            "pid": self.pid,
            "hostname": self.hostname,
            "startedAt": self.started_at.isoformat(timespec="milliseconds"),
            "library": f"pgmedic-sqlalchemy {__version__} (SQLAlchemy {sqlalchemy.__version__})",
        }

    def document(self, include_stacks: bool = True) -> Dict[str, Any]:
        """This process's pool document (docs/schemas/pool-endpoint.schema.json)."""
        holders = []
        for h in self.holders():
            body: Dict[str, Any] = {
                "id": h.id,
                "backendPid": h.backend_pid,
                "callSite": {"file": h.call_site.file, "line": h.call_site.line, "member": h.call_site.function},
                "checkedOutAt": h.checked_out_at.isoformat(timespec="milliseconds"),
                "ageSeconds": h.age_seconds,
                "leaked": h.leaked,
                "state": h.state,
                "processId": self.pid,
            }
            if include_stacks and h.stack_trace is not None:
                body["stackTrace"] = h.stack_trace
            holders.append(body)
        return {
            "pool": self.statistics(),
            "leakThresholdSeconds": self.leak_threshold,
            "holders": holders,
            "process": self.process(),
        }

    def endpoint_document(self, include_stacks: bool = True) -> Dict[str, Any]:
        """What ``/health/pool`` serves: this process's document, or every worker's when ``worker_dir`` is set."""
        if not self.worker_dir:
            return self.document(include_stacks)
        from .workers import aggregate

        return aggregate(self, include_stacks)

    # ---- health --------------------------------------------------------------------------------

    def check_health(self, timeout: float = 5.0) -> Tuple[int, Dict[str, Any]]:
        """The runbook's health check: (200, {"status": "healthy", "database": "connected"}) or (503, why not)."""
        from .health import check_health

        return check_health(self, timeout)

    # ---- serving -------------------------------------------------------------------------------

    def wsgi_app(self, app: Any = None, **options: Any) -> Any:
        """A WSGI app serving /health and /health/pool; other paths go to ``app`` (404 without one)."""
        from .wsgi import WsgiEndpoints

        return WsgiEndpoints(self, app, **options)

    def asgi_app(self, app: Any = None, **options: Any) -> Any:
        """An ASGI app serving /health and /health/pool; other paths go to ``app`` (404 without one)."""
        from .asgi import AsgiEndpoints

        return AsgiEndpoints(self, app, **options)

    def serve(self, port: int = 0, host: str = "127.0.0.1", **options: Any) -> Any:
        """A loopback HTTP server thread for services without a web framework; returns it (``.port``, ``.close()``)."""
        from .server import EndpointServer

        return EndpointServer(self, host, port, **options)


def instrument(
    engine: Engine,
    name: str = "pgmedic-sqlalchemy",
    leak_threshold: float = 30.0,
    stacks: Stacks = "off",
    echo: bool = False,
    maintenance: bool = False,
    worker_dir: Optional[str] = None,
    publish_interval: float = 1.0,
    dispose_after_fork: bool = True,
) -> PoolMonitor:
    """Attaches to ``engine``'s pool events; call it right after ``create_engine``.

    :param name: the pool's name in logs and documents, and the ``application_name`` of its
        connections when the URL, ``connect_args`` and ``PGAPPNAME`` give none.
    :param leak_threshold: seconds a checkout may be held before it is reported once as a leak; 0 is off.
    :param stacks: ``"off"`` (call site only), ``"all"``, or N to capture the stack of one checkout in N.
    :param echo: log every checkout and return with its call site (``DATABASE_ECHO_POOL``).
    :param maintenance: start with new checkouts refused (``MAINTENANCE_MODE``).
    :param worker_dir: for pre-fork servers: a directory every worker process writes its document to
        (``PGMEDIC_WORKER_DIR`` when not given); ``/health/pool`` then serves all of them.
    :param publish_interval: seconds between two writes of this process's document to ``worker_dir``.
    :param dispose_after_fork: in a forked child, replace the parent's pool with a fresh one
        (``engine.dispose(close=False)``, SQLAlchemy's advice for multiprocessing).
    """
    if worker_dir is None:
        worker_dir = os.environ.get("PGMEDIC_WORKER_DIR") or None
    return PoolMonitor(engine, name, leak_threshold, stacks, echo, maintenance, worker_dir, publish_interval, dispose_after_fork)


def engine_from_environment(name: str = "pgmedic-sqlalchemy", environ: Optional[Mapping[str, str]] = None, **engine_options: Any) -> Tuple[Engine, "PoolMonitor"]:
    """``create_engine`` from the runbook's DATABASE_* variables, instrumented; returns (engine, monitor).

    :raises ConfigurationError: a variable is missing, unreadable or out of range (all are listed).
    """
    from sqlalchemy import create_engine

    from .settings import from_environment

    settings = from_environment(environ)
    url, options = settings.engine_arguments()
    options.update(engine_options)
    engine = create_engine(url, **options)
    monitor = instrument(
        engine,
        name=name,
        leak_threshold=settings.leak_threshold,
        stacks=settings.stacks,
        echo=settings.echo_pool,
        maintenance=settings.maintenance_mode,
    )
    return engine, monitor
