"""The runbook's DATABASE_* variables and MAINTENANCE_MODE, read as PgMedic.Guard reads them."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pgmedic_sqlalchemy import ConfigurationError, MaintenanceModeError, engine_from_environment, from_environment
from pgmedic_sqlalchemy.settings import parse_duration


def test_fromEnvironment_onlyUrl_runbooksOptimalDefaults():
    settings = from_environment({"DATABASE_URL": "postgres://app:pw@db:5432/shop"})
    assert (settings.pool_size, settings.max_overflow, settings.pool_timeout, settings.pool_recycle) == (20, 10, 30.0, 300.0)
    assert (settings.connect_timeout, settings.command_timeout, settings.leak_threshold) == (30.0, 30.0, 30.0)
    assert (settings.pre_ping, settings.echo_pool, settings.maintenance_mode, settings.stacks) == (False, False, False, "off")


def test_fromEnvironment_runbooksValues_readAndTurnedIntoCreateEngineArguments():
    settings = from_environment({
        "DATABASE_URL": "postgres://app:pw@db:5432/shop?sslmode=require",
        "DATABASE_POOL_SIZE": "100", "DATABASE_MAX_OVERFLOW": "20", "DATABASE_POOL_TIMEOUT": "30",
        "DATABASE_POOL_RECYCLE": "300", "DATABASE_CONNECT_TIMEOUT": "30", "DATABASE_COMMAND_TIMEOUT": "30",
        "DATABASE_POOL_PRE_PING": "true", "DATABASE_ECHO_POOL": "true", "MAINTENANCE_MODE": "false",
        "DATABASE_LEAK_THRESHOLD": "2m", "DATABASE_LEAK_STACK_TRACES": "50",
    })
    url, options = settings.engine_arguments()
    assert url == "postgresql+psycopg2://app:pw@db:5432/shop?sslmode=require"  # SQLAlchemy 1.4 refuses postgres://
    assert options == {
        "pool_size": 100, "max_overflow": 20, "pool_timeout": 30.0, "pool_recycle": 300, "pool_pre_ping": True,
        "connect_args": {"connect_timeout": 30, "options": "-c statement_timeout=30000"},
    }
    assert (settings.echo_pool, settings.leak_threshold, settings.stacks) == (True, 120.0, 50)


def test_fromEnvironment_manyBadValues_everyProblemReportedAtOnceWithoutThePassword():
    with pytest.raises(ConfigurationError) as raised:
        from_environment({
            "DATABASE_URL": "mysql://app:hunter2@db/shop",
            "DATABASE_POOL_SIZE": "0", "DATABASE_MAX_OVERFLOW": "lots", "DATABASE_POOL_TIMEOUT": "-1",
            "DATABASE_POOL_PRE_PING": "maybe", "MAINTENANCE_MODE": "sure", "DATABASE_LEAK_STACK_TRACES": "some",
        })
    errors = raised.value.errors
    assert errors == [
        "DATABASE_URL='mysql://app:***@db/shop' is not allowed: use postgres://user:password@host:port/database (query: libpq parameters such as sslmode)",
        "DATABASE_POOL_SIZE='0' is not allowed: use a whole number from 1 to 10000",
        "DATABASE_MAX_OVERFLOW='lots' is not allowed: use a whole number from 0 to 10000",
        "DATABASE_POOL_TIMEOUT='-1' is not allowed: use seconds like 30, or 500ms, 30s, 5m, 1h, or 00:00:30",
        "DATABASE_POOL_PRE_PING='maybe' is not allowed: use true or false (also 1/0, yes/no, on/off)",
        "MAINTENANCE_MODE='sure' is not allowed: use true or false (also 1/0, yes/no, on/off)",
        "DATABASE_LEAK_STACK_TRACES='some' is not allowed: use off, all, or a whole number N to capture one checkout in N",
    ]
    assert "hunter2" not in str(raised.value)


def test_fromEnvironment_noUrl_saysItIsNotSet():
    with pytest.raises(ConfigurationError, match="DATABASE_URL is not set"):
        from_environment({"DATABASE_POOL_SIZE": "5"})


def test_fromEnvironment_urlWithoutHost_rejectedAndPasswordMasked():
    with pytest.raises(ConfigurationError) as raised:
        from_environment({"DATABASE_URL": "postgres://app:hunter2@/shop?password=x"})
    assert raised.value.errors == ["DATABASE_URL='postgres://app:***@/shop?…' is not allowed: it names no host; use postgres://user:password@host:port/database (query: libpq parameters such as sslmode)"]


@pytest.mark.parametrize("text,allow_off,seconds", [
    ("30", False, 30.0), ("500ms", False, 0.5), ("30s", False, 30.0), ("5m", False, 300.0), ("1h", False, 3600.0),
    ("00:00:30", False, 30.0), ("-1", True, 0.0), ("0", True, 0.0), ("-1", False, None), ("soon", False, None),
])
def test_parseDuration_guardsSpellings(text, allow_off, seconds):
    assert parse_duration(text, allow_off) == seconds


def test_engineFromEnvironment_realServer_connectsAndHonoursMaintenanceMode(postgres):
    environ = {"DATABASE_URL": postgres.libpq_url, "DATABASE_POOL_SIZE": "3", "DATABASE_MAX_OVERFLOW": "1",
               "DATABASE_COMMAND_TIMEOUT": "7", "MAINTENANCE_MODE": "true"}
    engine, monitor = engine_from_environment(name="pytest-env", environ=environ)
    try:
        assert monitor.statistics()["maxConnections"] == 4
        with pytest.raises(MaintenanceModeError):
            engine.connect()
        status, body = monitor.check_health()
        assert status == 503 and body["status"] == "maintenance"
        monitor.exit_maintenance()
        with engine.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "7s"
            assert connection.execute(text("SELECT current_setting('application_name')")).scalar() == "pytest-env"
    finally:
        monitor.close()
        engine.dispose()
