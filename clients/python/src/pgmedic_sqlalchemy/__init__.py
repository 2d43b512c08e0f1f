"""pgmedic-sqlalchemy: PgMedic's pool-endpoint contract for SQLAlchemy services.

``instrument(engine, name=...)`` attaches to a pool's events and knows, at every moment, its
statistics and the code holding each connection; it serves the runbook's ``/health`` and the
``/health/pool`` document that ``pgmedic diagnose --pool-endpoint`` reads.
"""

__version__ = "0.1.0"

from .callsite import CallSite  # noqa: E402
from .errors import MaintenanceModeError, PoolTimeoutError  # noqa: E402
from .monitor import HolderView, PoolMonitor, engine_from_environment, instrument  # noqa: E402
from .settings import ConfigurationError, Settings, from_environment  # noqa: E402

__all__ = [
    "CallSite",
    "ConfigurationError",
    "HolderView",
    "MaintenanceModeError",
    "PoolMonitor",
    "PoolTimeoutError",
    "Settings",
    "engine_from_environment",
    "from_environment",
    "instrument",
    "__version__",
]
