"""The /health/pool document keeps the one contract, docs/schemas/pool-endpoint.schema.json."""

from __future__ import annotations

import json
import re
from datetime import datetime

from sqlalchemy.pool import NullPool

import service
from conftest import REPO, wait_until
from pgmedic_sqlalchemy import instrument


def test_document_withLeakedHolders_validatesAndSaysWhatTheRunbookAsks(engines, validate):
    engine = engines(pool_size=3, max_overflow=2)
    monitor = instrument(engine, name="pytest-document", leak_threshold=0.2, stacks=2)
    try:
        held = [service.checkout_and_forget(engine), service.Orders(engine).begin_and_forget()]
        service.count_tables(engine)
        assert wait_until(lambda: all(h.leaked for h in monitor.holders()))
        document = json.loads(json.dumps(monitor.document()))

        validate(document)
        pool = document["pool"]
        assert {k: pool[k] for k in ("poolSize", "maxOverflow", "maxConnections", "checkedOut", "overflow", "idle", "waiting", "leaks", "checkouts")} == {
            "poolSize": 3, "maxOverflow": 2, "maxConnections": 5, "checkedOut": 2, "overflow": 0, "idle": 1, "waiting": None, "leaks": 2, "checkouts": 3,
        }
        assert document["leakThresholdSeconds"] == 0.2
        assert [h["state"] for h in document["holders"]] == ["idle", "idle in transaction"]
        assert all(h["leaked"] and h["ageSeconds"] >= 0.2 for h in document["holders"])
        assert ["stackTrace" in h for h in document["holders"]] == [False, True]  # one checkout in two
        for holder in document["holders"]:
            assert datetime.fromisoformat(holder["checkedOutAt"]).utcoffset() is not None
            assert holder["processId"] == document["process"]["pid"]
        without = monitor.document(include_stacks=False)
        assert all("stackTrace" not in h for h in without["holders"])
        for connection in held:
            connection.close()
    finally:
        monitor.close()


def test_document_nullPool_limitsItCannotKnowAreNullNotGuessed(postgres, validate):
    from sqlalchemy import create_engine

    engine = create_engine(postgres.url, poolclass=NullPool)
    monitor = instrument(engine, name="pytest-nullpool")
    try:
        with engine.connect():
            document = monitor.document()
        validate(document)
        pool = document["pool"]
        assert pool["poolClass"] == "NullPool"
        assert (pool["poolSize"], pool["maxOverflow"], pool["maxConnections"], pool["overflow"], pool["waiting"]) == (None, None, None, None, None)
        assert (pool["checkedOut"], pool["idle"], pool["checkouts"]) == (1, 0, 1)
    finally:
        monitor.close()
        engine.dispose()


def test_schema_guardsDocumentedSample_validates(validate):
    # The .NET side: the /health/pool example in docs/guard.md, as PgMedic.Guard.AspNetCore writes it.
    text = (REPO / "docs" / "guard.md").read_text(encoding="utf-8")
    sample = re.search(r"`GET /health/pool`.*?```json\n(.*?)```", text, re.S)
    assert sample, "docs/guard.md has no /health/pool JSON sample"
    document = json.loads(sample.group(1))
    validate(document)
    assert document["holders"][0]["backendPid"] == 48113


def test_schema_documentMissingAField_isRejected(engines, schema):
    import jsonschema

    engine = engines()
    monitor = instrument(engine, name="pytest-schema")
    try:
        document = monitor.document()
        del document["pool"]["waiting"]
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
        assert [e.message for e in errors] == ["'waiting' is a required property"]
    finally:
        monitor.close()
