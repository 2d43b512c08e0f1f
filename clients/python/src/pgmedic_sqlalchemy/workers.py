"""Pre-fork servers (gunicorn, uWSGI) run one pool per worker process; this reaches all of them.

Every worker writes its own document to a shared directory (``worker_dir``, or the environment
variable ``PGMEDIC_WORKER_DIR``) as ``<hostname>-<pid>.json``, once a ``publish_interval`` and
atomically (write, then rename). Whichever worker answers ``/health/pool`` serves the sum of all of
them, with each worker's own document under ``workers``. A file whose process is gone from this host
is deleted; one from another host is shown until it is older than ``STALE_AFTER`` publish intervals.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:
    from .monitor import PoolMonitor

STALE_AFTER = 10  # publish intervals
_SUMMED = ("poolSize", "maxOverflow", "maxConnections", "checkedOut", "overflow", "idle", "waiting",
           "timeouts", "leaks", "checkouts", "prePingReplacements", "connectFailures")


def _file_name(monitor: "PoolMonitor") -> str:
    return os.path.join(monitor.worker_dir or "", f"{monitor.hostname}-{monitor.pid}.json")


def publish(monitor: "PoolMonitor") -> None:
    """Writes this process's document (stack traces included: the directory is the service's own)."""
    document = monitor.document(include_stacks=True)
    document["writtenAt"] = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    target = _file_name(monitor)
    temporary = f"{target}.{os.getpid()}.tmp"
    # Call sites and stacks are for the service's own user, as the endpoint is for loopback or a token.
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        json.dump(document, f, separators=(",", ":"))
    os.replace(temporary, target)


def unpublish(monitor: "PoolMonitor") -> None:
    try:
        os.remove(_file_name(monitor))
    except FileNotFoundError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_workers(monitor: "PoolMonitor") -> List[Dict[str, Any]]:
    """Every other worker's last document in the directory (this process's own is built live)."""
    directory = monitor.worker_dir or ""
    documents: List[Dict[str, Any]] = []
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return documents
    for name in names:
        if not name.endswith(".json"):
            continue
        path = os.path.join(directory, name)
        try:
            with open(path, encoding="utf-8") as f:
                document = json.load(f)
            modified = os.path.getmtime(path)
        except (OSError, ValueError):
            continue  # being replaced, or removed by its process as it exited
        process = document.get("process") or {}
        pid, host = process.get("pid"), process.get("hostname")
        if not isinstance(pid, int) or (pid == monitor.pid and host == monitor.hostname):
            continue
        if host == monitor.hostname and not _alive(pid):
            try:
                os.remove(path)
            except OSError:
                pass
            continue
        if host != monitor.hostname and time.time() - modified > STALE_AFTER * monitor.publish_interval:
            continue
        documents.append(document)
    return documents


def aggregate(monitor: "PoolMonitor", include_stacks: bool) -> Dict[str, Any]:
    own = monitor.document(include_stacks=include_stacks)
    own["writtenAt"] = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    workers = [own] + read_workers(monitor)
    workers.sort(key=lambda d: (d["process"]["hostname"], d["process"]["pid"]))
    if not include_stacks:
        for worker in workers:
            for holder in worker.get("holders", []):
                holder.pop("stackTrace", None)
    pool: Dict[str, Any] = dict(own["pool"])
    for key in _SUMMED:
        values: List[Optional[int]] = [w["pool"].get(key) for w in workers]
        pool[key] = None if any(v is None for v in values) else sum(v for v in values if v is not None)
    pool["maintenance"] = any(w["pool"].get("maintenance") for w in workers)
    holders = [h for w in workers for h in w.get("holders", [])]
    holders.sort(key=lambda h: -h.get("ageSeconds", 0.0))
    return {
        "pool": pool,
        "leakThresholdSeconds": own["leakThresholdSeconds"],
        "holders": holders,
        "process": own["process"],
        "workers": workers,
    }
