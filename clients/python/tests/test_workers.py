"""Pre-fork servers: one pool per worker process, every worker reachable through one endpoint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from conftest import HERE, wait_until


def read(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def prefork(postgres, tmp_path):
    worker_dir, ready_dir = tmp_path / "workers", tmp_path / "ready"
    worker_dir.mkdir()
    ready_dir.mkdir()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    log = tmp_path / "service.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, str(HERE / "prefork_service.py"), postgres.url, str(worker_dir), str(ready_dir), "2"],
            env=env, start_new_session=True, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        if not wait_until(lambda: len(list(ready_dir.glob("*.ready"))) == 2 or process.poll() is not None, timeout=30):
            pytest.fail("the workers did not start")
        if process.poll() is not None:
            pytest.fail("the pre-fork service exited: " + log.read_text())
        workers = []
        for ready in sorted(ready_dir.glob("*.ready")):
            pid, backend, port, master_backend = map(int, ready.read_text().split())
            workers.append({"pid": pid, "backend": backend, "port": port, "master_backend": master_backend})
        yield process, workers, worker_dir
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for ready in ready_dir.glob("*.ready"):  # a worker must not outlive the test, even if its master died first
            pid = int(ready.name.split(".")[0])
            try:
                if b"prefork_service.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError):
                pass


def test_prefork_twoWorkers_oneEndpointShowsEveryWorkersPoolAndHolders(postgres, prefork, validate):
    process, workers, worker_dir = prefork
    serving = next(w for w in workers if w["port"])
    url = f"http://127.0.0.1:{serving['port']}/health/pool"
    worker_pids = {w["pid"] for w in workers}

    # A worker's document is at most one publish interval old (its writtenAt says when).
    assert wait_until(lambda: {w["process"]["pid"]: w["pool"]["checkouts"] for w in read(url)["workers"]} == dict.fromkeys(worker_pids | {process.pid}, 1))
    document = read(url)
    validate(document)

    by_pid = {d["process"]["pid"]: d for d in document["workers"]}
    assert set(by_pid) == worker_pids | {process.pid}  # the master's own pool is shown too: it keeps an idle connection
    assert by_pid[process.pid]["pool"]["checkedOut"] == 0 and by_pid[process.pid]["pool"]["idle"] == 1
    for worker in workers:
        own = by_pid[worker["pid"]]
        assert own["process"]["hostname"] == document["process"]["hostname"]
        assert [h["backendPid"] for h in own["holders"]] == [worker["backend"]]
        assert own["holders"][0]["callSite"]["member"] == "checkout_and_forget"
    assert document["pool"]["checkedOut"] == 2 and document["pool"]["poolSize"] == 9  # three processes, pool 3 each
    assert {(h["processId"], h["backendPid"]) for h in document["holders"]} == {(w["pid"], w["backend"]) for w in workers}
    # Each worker got its own connections, not the master's (SQLAlchemy's multiprocessing advice, done at fork).
    master_backend = workers[0]["master_backend"]
    assert master_backend not in {w["backend"] for w in workers}
    assert set(postgres.sessions("pytest-prefork")) == {w["backend"] for w in workers} | {master_backend}

    assert {oct(os.stat(worker_dir / name).st_mode & 0o777) for name in os.listdir(worker_dir)} == {"0o600"}

    gone = next(w for w in workers if not w["port"])
    os.kill(gone["pid"], signal.SIGKILL)
    assert wait_until(lambda: gone["pid"] not in {d["process"]["pid"] for d in read(url)["workers"]})
    assert read(url)["pool"]["checkedOut"] == 1
    assert not any(name.startswith(f"{document['process']['hostname']}-{gone['pid']}.") for name in os.listdir(worker_dir))
