"""The runbook's step 3 (identify connection leaks) against a real server: who holds what, and since when."""

from __future__ import annotations

import logging
import os

import pytest
from sqlalchemy import exc

import service
from conftest import wait_until
from pgmedic_sqlalchemy import PoolTimeoutError, instrument

SERVICE_FILE = os.path.abspath(service.__file__)


def test_leaks_checkedOutAndIdleInTransaction_holdersNameFileLineFunctionAndTheServerPids(postgres, engines):
    engine = engines(pool_size=5, max_overflow=2)
    monitor = instrument(engine, name="pytest-leaks", leak_threshold=60)
    try:
        forgotten = service.checkout_and_forget(engine)
        in_transaction = service.Orders(engine).begin_and_forget()
        service.count_tables(engine)

        holders = monitor.holders()
        sessions = postgres.sessions("pytest-leaks")

        assert [(h.call_site.file, h.call_site.line, h.call_site.function) for h in holders] == [
            (SERVICE_FILE, service.line_of("LEAK: checked out"), "checkout_and_forget"),
            (SERVICE_FILE, service.line_of("LEAK: in transaction"), "Orders.begin_and_forget"),
        ]
        assert [h.state for h in holders] == ["idle", "idle in transaction"]
        assert {h.backend_pid: h.state for h in holders} == {
            pid: state for pid, state in sessions.items() if pid in {h.backend_pid for h in holders}
        }
        assert sessions[holders[1].backend_pid] == "idle in transaction"
        statistics = monitor.statistics()
        assert (statistics["checkedOut"], statistics["idle"], statistics["checkouts"]) == (2, 1, 3)
        forgotten.close()
        in_transaction.close()
        assert monitor.holders() == []
    finally:
        monitor.close()


def test_leakWarning_heldPastThreshold_loggedOnceAndOnceMoreWhenReturned(engines, caplog):
    engine = engines(pool_size=2, max_overflow=0)
    monitor = instrument(engine, name="pytest-leak-log", leak_threshold=0.2)
    caplog.set_level(logging.INFO, logger="pgmedic_sqlalchemy")
    try:
        connection = service.checkout_and_forget(engine)
        assert wait_until(lambda: monitor.holders()[0].leaked)
        pid = monitor.holders()[0].backend_pid
        wait_until(lambda: False, timeout=0.5)  # ten more scans: none may warn again

        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1, warnings
        assert "Connection leak suspected in pool pytest-leak-log" in warnings[0]
        assert f"checkout_and_forget at {SERVICE_FILE}:{service.line_of('LEAK: checked out')}" in warnings[0]
        assert f"backend PID {pid}, idle" in warnings[0]
        assert monitor.statistics()["leaks"] == 1

        connection.close()
        returned = [r.getMessage() for r in caplog.records if "Previously reported leak" in r.getMessage()]
        assert len(returned) == 1 and "checkout_and_forget" in returned[0]
        assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    finally:
        monitor.close()


def test_timeout_poolExhaustedByLeaks_timeoutErrorListsHoldersAndIsCounted(engines):
    engine = engines(pool_size=1, max_overflow=1, pool_timeout=0.3)
    monitor = instrument(engine, name="pytest-timeout", leak_threshold=0)
    try:
        first = service.checkout_and_forget(engine)
        second = service.Orders(engine).begin_and_forget()
        pids = [h.backend_pid for h in monitor.holders()]

        with pytest.raises(exc.TimeoutError) as raised:
            engine.connect()

        error = raised.value
        assert isinstance(error, PoolTimeoutError)
        message = str(error)
        assert "QueuePool limit of size 1 overflow 1 reached" in message
        assert "Oldest holders (2 of 2)" in message
        assert f"backend PID {pids[0]}, idle," in message
        assert f"backend PID {pids[1]}, idle in transaction," in message
        assert f"checkout_and_forget at {SERVICE_FILE}:{service.line_of('LEAK: checked out')}" in message
        assert f"Orders.begin_and_forget at {SERVICE_FILE}:{service.line_of('LEAK: in transaction')}" in message
        assert [h.backend_pid for h in error.holders] == pids
        assert monitor.statistics()["timeouts"] == 1
        first.close()
        second.close()
        with engine.connect():
            pass  # once a holder returns, checkouts succeed again
    finally:
        monitor.close()


def test_applicationName_urlHasNone_setToThePoolName_urlsOwnIsKept(postgres, engines):
    engine = engines()
    monitor = instrument(engine, name="pytest-appname")
    named = engines(connect_args={"application_name": "pytest-own-name"})
    named_monitor = instrument(named, name="pytest-ignored")
    try:
        with engine.connect() as a, named.connect() as b:
            pid_a = monitor.holders()[0].backend_pid
            pid_b = named_monitor.holders()[0].backend_pid
            names = dict(postgres.query("SELECT pid, application_name FROM pg_stat_activity WHERE pid IN (%s, %s)", pid_a, pid_b))
            assert names == {pid_a: "pytest-appname", pid_b: "pytest-own-name"}
            assert a is not None and b is not None
    finally:
        monitor.close()
        named_monitor.close()


def test_connectFailures_serverRefuses_countedAndHealth503Disconnected(postgres):
    from sqlalchemy import create_engine

    engine = create_engine(f"postgresql+psycopg2://postgres:x@127.0.0.1:{_closed_port()}/postgres")
    monitor = instrument(engine, name="pytest-refused")
    try:
        with pytest.raises(exc.OperationalError):
            engine.connect()
        with pytest.raises(exc.OperationalError):
            engine.connect()
        assert monitor.statistics()["connectFailures"] == 2
        status, body = monitor.check_health(timeout=5)
        assert status == 503
        assert body["status"] == "unhealthy" and body["database"] == "disconnected"
        assert "Connection refused" in body["error"] and "x@" not in body["error"]
    finally:
        monitor.close()
        engine.dispose()


def test_stacks_all_holderCarriesTheStackDownToTheCallSite(engines):
    engine = engines()
    monitor = instrument(engine, name="pytest-stacks", stacks="all", leak_threshold=0)
    try:
        connection = service.checkout_and_forget(engine)
        stack = monitor.holders()[0].stack_trace
        assert stack is not None
        assert stack.splitlines()[-2].strip().startswith(f'File "{SERVICE_FILE}", line {service.line_of("LEAK: checked out")}, in checkout_and_forget')
        assert "test_stacks_all_holderCarriesTheStackDownToTheCallSite" in stack
        connection.close()
    finally:
        monitor.close()


def test_maintenance_entered_newCheckoutsRefusedHeldOnesFinish(engines):
    from pgmedic_sqlalchemy import MaintenanceModeError

    engine = engines()
    monitor = instrument(engine, name="pytest-maintenance")
    try:
        held = engine.connect()
        monitor.enter_maintenance("database restart")
        with pytest.raises(MaintenanceModeError, match=r"maintenance mode \(database restart\)"):
            engine.connect()
        assert held.exec_driver_sql("SELECT 1").scalar() == 1
        held.close()
        assert monitor.statistics()["maintenance"] is True
        monitor.exit_maintenance()
        assert service.count_tables(engine) > 0
    finally:
        monitor.close()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_engineDispose_newPoolStillCountsTimeoutsAndListsHolders(engines):
    engine = engines(pool_size=1, max_overflow=0, pool_timeout=0.2)
    monitor = instrument(engine, name="pytest-dispose", leak_threshold=0)
    try:
        engine.dispose()  # SQLAlchemy puts a new pool in place
        held = service.checkout_and_forget(engine)
        with pytest.raises(PoolTimeoutError, match="checkout_and_forget at"):
            engine.connect()
        assert monitor.statistics()["timeouts"] == 1
        held.close()
    finally:
        monitor.close()


def test_forgottenConnection_garbageCollected_holderLeavesTheList(engines):
    import gc

    engine = engines(pool_size=2, max_overflow=0)
    monitor = instrument(engine, name="pytest-gc", leak_threshold=0)
    try:
        service.checkout_and_forget(engine)  # the Connection is dropped at once
        gc.collect()
        assert monitor.holders() == []
        assert monitor.statistics()["checkedOut"] == 0 and monitor.statistics()["idle"] == 1
    finally:
        monitor.close()


def test_close_detachesFromTheEngine_poolWorksOnAsPlainSqlalchemy(engines):
    engine = engines(pool_size=1, max_overflow=0, pool_timeout=0.2)
    monitor = instrument(engine, name="pytest-close", leak_threshold=0)
    monitor.close()
    held = engine.connect()
    with pytest.raises(exc.TimeoutError) as raised:
        engine.connect()
    assert not isinstance(raised.value, PoolTimeoutError)
    assert monitor.holders() == [] and monitor.statistics()["checkouts"] == 0
    held.close()
    assert service.count_tables(engine) > 0


def test_prePing_idleConnectionTerminatedOnTheServer_replacedCountedAndNewPidListed(postgres, engines):
    engine = engines(pool_size=1, max_overflow=0, pool_pre_ping=True)
    monitor = instrument(engine, name="pytest-preping", leak_threshold=0)
    try:
        service.count_tables(engine)
        (old_pid,) = postgres.sessions("pytest-preping")
        postgres.query("SELECT pg_terminate_backend(%s)", old_pid)  # the runbook's step 1 on the pool's idle connection
        assert wait_until(lambda: not postgres.sessions("pytest-preping"))

        connection = engine.connect()
        (new_pid,) = postgres.sessions("pytest-preping")
        assert new_pid != old_pid
        assert [h.backend_pid for h in monitor.holders()] == [new_pid]
        assert monitor.statistics()["prePingReplacements"] == 1
        connection.close()
    finally:
        monitor.close()


def test_ormSession_neverClosed_holderIsTheQueryLineIdleInTransaction(postgres, engines):
    engine = engines()
    monitor = instrument(engine, name="pytest-orm", leak_threshold=0)
    try:
        session = service.report_with_session(engine)
        (holder,) = monitor.holders()
        assert (holder.call_site.file, holder.call_site.line, holder.call_site.function) == (SERVICE_FILE, service.line_of("LEAK: session"), "report_with_session")
        assert holder.state == "idle in transaction" == postgres.sessions("pytest-orm")[holder.backend_pid]
        session.close()
        assert monitor.holders() == []
    finally:
        monitor.close()
