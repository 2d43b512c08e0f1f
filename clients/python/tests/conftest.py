"""A throwaway PostgreSQL 15 for the session: initdb + pg_ctl on a free 127.0.0.1 port, scram over TCP."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator, List

import psycopg2
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
REPO = HERE.parents[2]
SCHEMA = REPO / "docs" / "schemas" / "pool-endpoint.schema.json"
BIN = Path(os.environ.get("PGMEDIC_PG_BIN", "/usr/lib/postgresql/15/bin"))

sys.path.insert(0, str(SRC))


def _as_postgres() -> List[str]:
    # PostgreSQL refuses to run as root: run its programs as the postgres OS user.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, root: Path, port: int, password: str) -> None:
        self.root = root
        self.port = port
        self.password = password

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    @property
    def libpq_url(self) -> str:
        return f"postgres://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    def query(self, sql: str, *args: object) -> list:
        """A separate admin connection, as psql would be."""
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", password=self.password, dbname="postgres", application_name="pytest-admin")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql, args)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def sessions(self, application_name: str) -> dict:
        """pg_stat_activity's pid -> state for one application_name."""
        return dict(self.query("SELECT pid, state FROM pg_stat_activity WHERE application_name = %s", application_name))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    if not (BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15 is not installed ({BIN}/initdb is missing): install postgresql-15")
    root = Path(tempfile.mkdtemp(prefix="pgmedic-sandbox-py-"))
    os.chmod(root, 0o755)
    data = root / "data"
    password = secrets.token_hex(12)
    pwfile = root / "pw"
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    started = False
    try:
        subprocess.run(
            _as_postgres() + [str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--no-instructions"],
            check=True, capture_output=True, text=True,
        )
        last_error = ""
        for _ in range(5):
            port = _free_port()
            options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c max_connections=60 -c fsync=off"
            result = subprocess.run(
                _as_postgres() + [str(BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60", "-o", options, "start"],
                capture_output=True, text=True,
            )
            if result.returncode == 0:
                started = True
                break
            last_error = result.stdout + result.stderr
        if not started:
            pytest.fail("PostgreSQL did not start: " + last_error)
        yield Server(root, port, password)
    finally:
        if started:
            subprocess.run(_as_postgres() + [str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def engines(postgres: Server) -> Iterator[Callable[..., Engine]]:
    """Makes engines on the sandbox; each is disposed, and its leaked sessions ended, after the test."""
    made: List[Engine] = []

    def make(**options: object) -> Engine:
        engine = create_engine(postgres.url, **options)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()
    postgres.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name LIKE 'pytest-%%' AND application_name <> 'pytest-admin'")


@pytest.fixture(scope="session")
def schema() -> dict:
    return json.loads(SCHEMA.read_text())


@pytest.fixture(scope="session")
def validate(schema: dict) -> Callable[[dict], None]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    def check(document: dict) -> None:
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)

    return check


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
