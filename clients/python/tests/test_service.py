"""The example service (examples/leaky_service.py) as its users run it: a process, HTTP, the runbook's variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import HERE, wait_until

SERVICE = HERE.parent / "examples" / "leaky_service.py"


def line_of(marker: str) -> int:
    return next(n for n, line in enumerate(SERVICE.read_text().splitlines(), 1) if line.rstrip().endswith("# " + marker))


def call(url: str, method: str = "GET") -> tuple:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture
def running(postgres, tmp_path):
    log = tmp_path / "service.log"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", DATABASE_URL=postgres.libpq_url, DATABASE_POOL_SIZE="2",
               DATABASE_MAX_OVERFLOW="0", DATABASE_POOL_TIMEOUT="0.5", DATABASE_LEAK_THRESHOLD="0.3",
               SERVICE_NAME="pytest-service", PORT="0")
    with open(log, "w") as stderr:
        process = subprocess.Popen([sys.executable, str(SERVICE)], env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("listening on http://127.0.0.1:"), first + log.read_text()
        yield first.split(" ", 2)[2], log
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_service_leaksBothWays_poolDocumentNamesTheCodeAndTheServerPids(postgres, running, validate):
    url, log = running
    assert call(url + "/health") == (200, {"status": "healthy", "database": "connected"})
    assert call(url + "/demo/leak/checked-out", "POST") == (200, {"leaked": 1})
    assert call(url + "/demo/leak/in-transaction", "POST") == (200, {"leaked": 2})

    status, document = call(url + "/health/pool")
    assert status == 200
    validate(document)
    holders = document["holders"]
    assert [(h["callSite"]["file"], h["callSite"]["line"], h["callSite"]["member"], h["state"]) for h in holders] == [
        (str(SERVICE), line_of("LEAK: checked out"), "leak_checked_out", "idle"),
        (str(SERVICE), line_of("LEAK: in transaction"), "leak_in_transaction", "idle in transaction"),
    ]
    sessions = postgres.sessions("pytest-service")
    assert {h["backendPid"]: h["state"] for h in holders} == {pid: sessions[pid] for pid in (h["backendPid"] for h in holders)}
    assert (document["pool"]["checkedOut"], document["pool"]["maxConnections"], document["pool"]["waiting"]) == (2, 2, None)

    # The pool is exhausted: the app's own query fails with the holders in the error, /health says so.
    status, body = call(url + "/orders/count")
    assert status == 503
    assert f"leak_checked_out at {SERVICE}:{line_of('LEAK: checked out')}" in body["error"]
    assert f"leak_in_transaction at {SERVICE}:{line_of('LEAK: in transaction')}" in body["error"]
    assert call(url + "/health")[1]["error"] == "connection pool exhausted: 2 of 2 checked out"

    assert wait_until(lambda: log.read_text().count("Connection leak suspected") == 2)
    wait_until(lambda: False, timeout=0.5)
    assert log.read_text().count("Connection leak suspected") == 2  # once per leak

    assert call(url + "/demo/release", "POST") == (200, {"released": 2})
    assert log.read_text().count("Previously reported leak") == 2
    assert call(url + "/orders/count")[0] == 200
    status, document = call(url + "/health/pool")
    # Two timeouts: the app's query and the /health check, which also waited for a connection.
    assert document["holders"] == [] and document["pool"]["timeouts"] == 2 and document["pool"]["leaks"] == 2


def test_service_badVariables_refusesToStartListingEveryProblem(postgres, tmp_path):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", DATABASE_URL=postgres.libpq_url, DATABASE_POOL_SIZE="many", DATABASE_POOL_RECYCLE="soon")
    result = subprocess.run([sys.executable, str(SERVICE)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "DATABASE_POOL_SIZE='many' is not allowed" in result.stderr and "DATABASE_POOL_RECYCLE='soon' is not allowed" in result.stderr
    assert postgres.password not in result.stderr
