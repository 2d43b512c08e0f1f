"""The runbook's DATABASE_* variables and MAINTENANCE_MODE, read the way PgMedic.Guard reads them.

Same names, same defaults (pool 20, overflow 10, timeout 30 s, recycle 300 s), same accepted
spellings, and every unreadable value reported at once, by variable name, with the value given
(a URL masked) and what is allowed.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union
from urllib.parse import urlsplit

DATABASE_URL = "DATABASE_URL"
POOL_SIZE = "DATABASE_POOL_SIZE"
MAX_OVERFLOW = "DATABASE_MAX_OVERFLOW"
POOL_TIMEOUT = "DATABASE_POOL_TIMEOUT"
POOL_RECYCLE = "DATABASE_POOL_RECYCLE"
CONNECT_TIMEOUT = "DATABASE_CONNECT_TIMEOUT"
COMMAND_TIMEOUT = "DATABASE_COMMAND_TIMEOUT"
POOL_PRE_PING = "DATABASE_POOL_PRE_PING"
ECHO_POOL = "DATABASE_ECHO_POOL"
MAINTENANCE_MODE = "MAINTENANCE_MODE"
LEAK_THRESHOLD = "DATABASE_LEAK_THRESHOLD"
LEAK_STACK_TRACES = "DATABASE_LEAK_STACK_TRACES"

# A pool larger than PostgreSQL's own practical max_connections is a typo, not a plan.
MAX_POOL_SIZE = 10_000
LONGEST_WAIT = 86_400.0  # one day, in seconds
LONGEST_CONNECT_TIMEOUT = 1024.0

#: ``stacks``: "off", "all", or a whole number N > 1 to capture one checkout in N.
Stacks = Union[str, int]

_URL_SCHEMES = ("postgres://", "postgresql://", "postgresql+psycopg2://")


class ConfigurationError(ValueError):
    """The settings are invalid. ``errors`` lists every problem; no password is ever in it."""

    def __init__(self, errors: List[str]) -> None:
        super().__init__("pgmedic_sqlalchemy settings are invalid: " + "; ".join(errors))
        self.errors: List[str] = list(errors)


@dataclass
class Settings:
    """The pool's settings; each field names the environment variable that sets it."""

    database_url: Optional[str] = None  #: DATABASE_URL
    pool_size: int = 20  #: DATABASE_POOL_SIZE
    max_overflow: int = 10  #: DATABASE_MAX_OVERFLOW
    pool_timeout: float = 30.0  #: DATABASE_POOL_TIMEOUT, seconds
    pool_recycle: float = 300.0  #: DATABASE_POOL_RECYCLE, seconds; 0 is off
    connect_timeout: float = 30.0  #: DATABASE_CONNECT_TIMEOUT, seconds
    command_timeout: float = 30.0  #: DATABASE_COMMAND_TIMEOUT, seconds; 0 is none
    pre_ping: bool = False  #: DATABASE_POOL_PRE_PING
    echo_pool: bool = False  #: DATABASE_ECHO_POOL
    maintenance_mode: bool = False  #: MAINTENANCE_MODE
    leak_threshold: float = 30.0  #: DATABASE_LEAK_THRESHOLD, seconds; 0 is off
    stacks: Stacks = "off"  #: DATABASE_LEAK_STACK_TRACES
    errors: List[str] = field(default_factory=list, repr=False)

    @property
    def max_connections(self) -> int:
        return self.pool_size + self.max_overflow

    def validate(self) -> List[str]:
        """Every problem with these settings at once (an empty list when they are valid)."""
        errors: List[str] = []
        if not self.database_url or not self.database_url.strip():
            errors.append(f"{DATABASE_URL} is not set: give a postgres:// URL")
        _range(errors, POOL_SIZE, self.pool_size, 1, MAX_POOL_SIZE)
        _range(errors, MAX_OVERFLOW, self.max_overflow, 0, MAX_POOL_SIZE)
        _duration(errors, POOL_TIMEOUT, self.pool_timeout, 0.001, LONGEST_WAIT, "more than 0")
        _duration(errors, POOL_RECYCLE, self.pool_recycle, 0.0, LONGEST_WAIT, "0 (off) or more")
        _duration(errors, CONNECT_TIMEOUT, self.connect_timeout, 1.0, LONGEST_CONNECT_TIMEOUT, "at least 1 second")
        _duration(errors, COMMAND_TIMEOUT, self.command_timeout, 0.0, LONGEST_WAIT, "0 (none) or more")
        _duration(errors, LEAK_THRESHOLD, self.leak_threshold, 0.0, LONGEST_WAIT, "0 (off) or more")
        if not _stacks_valid(self.stacks):
            errors.append(f"{LEAK_STACK_TRACES} must be off, all or a whole number N for one in N (was {self.stacks!r})")
        return errors

    def engine_arguments(self) -> Tuple[str, Dict[str, Any]]:
        """The SQLAlchemy URL and ``create_engine`` keyword arguments these settings stand for."""
        url = sqlalchemy_url(self.database_url or "")
        connect_args: Dict[str, Any] = {"connect_timeout": max(1, int(math.ceil(self.connect_timeout)))}
        if self.command_timeout > 0:
            connect_args["options"] = f"-c statement_timeout={int(math.ceil(self.command_timeout * 1000))}"
        return url, {
            "pool_size": self.pool_size,
            "max_overflow": self.max_overflow,
            "pool_timeout": self.pool_timeout,
            "pool_recycle": int(math.ceil(self.pool_recycle)) if self.pool_recycle > 0 else -1,
            "pool_pre_ping": self.pre_ping,
            "connect_args": connect_args,
        }


def from_environment(environ: Optional[Mapping[str, str]] = None, validate: bool = True) -> Settings:
    """Reads the runbook's variables from ``environ`` (the process environment by default).

    :raises ConfigurationError: a value is missing, unreadable or out of range; every problem is listed.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    settings = Settings()
    errors: List[str] = []

    def value(name: str) -> Optional[str]:
        text = env.get(name)
        return text.strip() if text is not None and text.strip() else None

    url = value(DATABASE_URL)
    if url is not None:
        settings.database_url = url
        problem = url_problem(url)
        if problem:
            errors.append(f"{DATABASE_URL}='{mask_url(url)}' is not allowed: {problem}")

    def integer(name: str, minimum: int, assign: Callable[[int], None]) -> None:
        text = value(name)
        if text is None:
            return
        if re.fullmatch(r"[+-]?\d+", text) and minimum <= int(text) <= MAX_POOL_SIZE:
            assign(int(text))
        else:
            errors.append(f"{name}='{text}' is not allowed: use a whole number from {minimum} to {MAX_POOL_SIZE}")

    def seconds(name: str, allow_off: bool, assign: Callable[[float], None]) -> None:
        text = value(name)
        if text is None:
            return
        parsed = parse_duration(text, allow_off)
        if parsed is not None:
            assign(parsed)
        else:
            off = " (0 or -1 turns it off)" if allow_off else ""
            errors.append(f"{name}='{text}' is not allowed: use seconds like 30, or 500ms, 30s, 5m, 1h, or 00:00:30{off}")

    def boolean(name: str, assign: Callable[[bool], None]) -> None:
        text = value(name)
        if text is None:
            return
        parsed = parse_bool(text)
        if parsed is not None:
            assign(parsed)
        else:
            errors.append(f"{name}='{text}' is not allowed: use true or false (also 1/0, yes/no, on/off)")

    integer(POOL_SIZE, 1, lambda v: setattr(settings, "pool_size", v))
    integer(MAX_OVERFLOW, 0, lambda v: setattr(settings, "max_overflow", v))
    seconds(POOL_TIMEOUT, False, lambda v: setattr(settings, "pool_timeout", v))
    seconds(POOL_RECYCLE, True, lambda v: setattr(settings, "pool_recycle", v))
    seconds(CONNECT_TIMEOUT, False, lambda v: setattr(settings, "connect_timeout", v))
    seconds(COMMAND_TIMEOUT, True, lambda v: setattr(settings, "command_timeout", v))
    seconds(LEAK_THRESHOLD, True, lambda v: setattr(settings, "leak_threshold", v))
    boolean(POOL_PRE_PING, lambda v: setattr(settings, "pre_ping", v))
    boolean(ECHO_POOL, lambda v: setattr(settings, "echo_pool", v))
    boolean(MAINTENANCE_MODE, lambda v: setattr(settings, "maintenance_mode", v))
    traces = value(LEAK_STACK_TRACES)
    if traces is not None:
        parsed_stacks = parse_stacks(traces)
        if parsed_stacks is not None:
            settings.stacks = parsed_stacks
        else:
            errors.append(f"{LEAK_STACK_TRACES}='{traces}' is not allowed: use off, all, or a whole number N to capture one checkout in N")

    if validate:
        errors.extend(e for e in settings.validate() if e not in errors and not _already_reported(e, errors))
    settings.errors = errors
    if errors:
        raise ConfigurationError(errors)
    return settings


def parse_duration(text: str, allow_off: bool) -> Optional[float]:
    """Seconds from ``30``, ``500ms``, ``30s``, ``5m``, ``1h`` or ``hh:mm:ss``; ``-1`` is off (0) when allowed."""
    text = text.strip()
    if allow_off and text == "-1":
        return 0.0
    lowered = text.lower()
    number, scale = text, 1.0
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if lowered.endswith(suffix):
            number, scale = text[: -len(suffix)], factor
            break
    try:
        amount = float(number)
    except ValueError:
        amount = None
    if amount is not None:
        if math.isnan(amount) or math.isinf(amount) or amount < 0:
            return None
        return amount * scale
    match = re.fullmatch(r"(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?", text)
    if not match:
        return None
    days, hours, minutes, secs, fraction = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or (secs is not None and int(secs) > 59):
        return None
    total = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(secs or 0)
    return total + (float("0." + fraction) if fraction else 0.0)


def parse_bool(text: str) -> Optional[bool]:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    return None


def parse_stacks(text: str) -> Optional[Stacks]:
    lowered = text.strip().lower()
    if lowered in ("off", "none", "false", "0"):
        return "off"
    if lowered in ("all", "true", "1"):
        return "all"
    if re.fullmatch(r"\d+", lowered) and int(lowered) > 1:
        return int(lowered)
    return None


def url_problem(url: str) -> Optional[str]:
    """Why ``url`` cannot be used (None when it can). The answer never quotes the URL."""
    allowed = "use postgres://user:password@host:port/database (query: libpq parameters such as sslmode)"
    if not url.lower().startswith(_URL_SCHEMES):
        return allowed
    try:
        parts = urlsplit(url)
        parts.port  # raises on a port that is not a number
    except ValueError:
        return allowed
    if not parts.hostname:
        return "it names no host; " + allowed
    return None


def sqlalchemy_url(url: str) -> str:
    """``postgres://`` (which SQLAlchemy 1.4 no longer accepts) and ``postgresql://`` as psycopg2 URLs."""
    for scheme in ("postgres://", "postgresql://"):
        if url.lower().startswith(scheme):
            return "postgresql+psycopg2://" + url[len(scheme):]
    return url


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` and its query (which may hold one) shown as ``?…``."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
        query = "?…" if parts.query else ""
        return f"{parts.scheme}://{netloc}{parts.path}{query}"
    except ValueError:
        return "(not shown: it could not be read and may hold a password)"


def _range(errors: List[str], name: str, value: int, minimum: int, maximum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum or value > maximum:
        errors.append(f"{name} must be a whole number from {minimum} to {maximum} (was {value})")


def _duration(errors: List[str], name: str, value: float, minimum: float, maximum: float, allowed: str) -> None:
    if not isinstance(value, (int, float)) or math.isnan(value) or value < minimum or value > maximum:
        errors.append(f"{name} must be {allowed} and at most {maximum:g} seconds (was {value:g} seconds)")


def _stacks_valid(stacks: Stacks) -> bool:
    if isinstance(stacks, bool):
        return False
    if isinstance(stacks, int):
        return stacks > 1
    return stacks in ("off", "all")


def _already_reported(error: str, errors: List[str]) -> bool:
    # A variable whose text was unreadable is reported once, not again by the range check.
    name = error.split(" ", 1)[0]
    return any(e.startswith(name + "=") for e in errors)
