"""The errors a monitored pool raises in place of SQLAlchemy's, saying more."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

from sqlalchemy import exc

if TYPE_CHECKING:
    from .monitor import HolderView

HOLDERS_SHOWN = 5


class PoolTimeoutError(exc.TimeoutError):
    """No connection became free within the pool timeout.

    A :class:`sqlalchemy.exc.TimeoutError`, so existing handlers still catch it; its message keeps
    SQLAlchemy's own text ("QueuePool limit of size … reached") and adds how the pool stood and which
    code holds the oldest connections. ``statistics`` and ``holders`` carry the same as data.
    """

    def __init__(self, message: str, statistics: Dict[str, Any], holders: "List[HolderView]") -> None:
        super().__init__(message)
        self.statistics = statistics
        self.holders = holders


class MaintenanceModeError(exc.SQLAlchemyError):
    """The pool is in maintenance mode (MAINTENANCE_MODE or ``enter_maintenance``): new checkouts are refused."""


def format_timeout(original: str, name: str, timeout: Optional[float], s: Dict[str, Any], oldest: "List[HolderView]") -> str:
    def show(value: Any) -> str:
        return "unknown" if value is None else str(value)

    seconds = "unknown" if timeout is None else f"{timeout:g} s"
    text = [
        f"{original} — pgmedic_sqlalchemy: no connection became free in pool '{name}' within the pool timeout of {seconds}.",
        f" Pool: size {show(s['poolSize'])}, checked out {s['checkedOut']}, overflow {s['overflow']}/{show(s['maxOverflow'])},"
        f" idle {show(s['idle'])}, waiting {show(s['waiting'])}, timeouts {s['timeouts']}, leaks {s['leaks']}.",
    ]
    if not oldest:
        text.append(" No connection is checked out through this pool: the slots are being opened; check DATABASE_CONNECT_TIMEOUT and the server.")
        return "".join(text)
    text.append(f" Oldest holders ({len(oldest)} of {s['checkedOut']}):")
    for holder in oldest:
        state = f", {holder.state}" if holder.state else ""
        leaked = ", leak suspected" if holder.leaked else ""
        text.append(f" [#{holder.id} backend PID {show(holder.backend_pid)}{state}, held {holder.age_seconds:.1f} s, by {holder.call_site}{leaked}]")
    text.append(" Fix the holders above, or raise DATABASE_POOL_SIZE / DATABASE_MAX_OVERFLOW / DATABASE_POOL_TIMEOUT.")
    return "".join(text)
