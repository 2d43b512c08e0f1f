"""A small SQLAlchemy service with the two leaks the runbook's step 3 hunts for.

Tests find the lines by the markers at their ends, so that editing this file cannot silently make
them check the wrong line.
"""

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session


def checkout_and_forget(engine: Engine) -> Connection:
    """Checked out and never returned: the caller keeps it and never closes it."""
    connection = engine.connect()  # LEAK: checked out
    return connection


class Orders:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def begin_and_forget(self) -> Connection:
        """Left idle in a transaction: a query ran, and neither commit nor close followed."""
        connection = self.engine.connect()  # LEAK: in transaction
        connection.begin()
        connection.execute(text("SELECT count(*) FROM pg_class"))
        return connection


def report_with_session(engine: Engine) -> Session:
    """The ORM way to leak: a Session that ran a query and was never closed (autobegin left it in a transaction)."""
    session = Session(engine)
    session.execute(text("SELECT count(*) FROM pg_class"))  # LEAK: session
    return session


def count_tables(engine: Engine) -> int:
    """The well-behaved path: returns its connection."""
    with engine.connect() as connection:  # RETURNED
        return int(connection.execute(text("SELECT count(*) FROM pg_class")).scalar())


def line_of(marker: str) -> int:
    with open(__file__, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.rstrip().endswith("# " + marker):
                return number
    raise LookupError(marker)
