"""A pre-fork service, as gunicorn --preload runs one: the app (engine, instrument) is loaded in the
master, which then forks the workers. Each worker leaks one connection; the first also serves the
endpoints. Usage: prefork_service.py DATABASE_URL WORKER_DIR READY_DIR WORKERS
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from sqlalchemy import create_engine, text  # noqa: E402

import service  # noqa: E402
from pgmedic_sqlalchemy import instrument  # noqa: E402

url, worker_dir, ready_dir, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

engine = create_engine(url, pool_size=3, max_overflow=0)
monitor = instrument(engine, name="pytest-prefork", worker_dir=worker_dir, publish_interval=0.1, leak_threshold=0)
with engine.connect() as connection:  # the master uses the pool before forking: workers must not share it
    master_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()


def stop(signum, frame):
    sys.exit(0)


def worker(number: int) -> None:
    signal.signal(signal.SIGTERM, stop)
    leaked = service.checkout_and_forget(engine)
    backend = leaked.execute(text("SELECT pg_backend_pid()")).scalar()
    port = monitor.serve().port if number == 0 else 0
    with open(os.path.join(ready_dir, f"{os.getpid()}.tmp"), "w") as f:
        f.write(f"{os.getpid()} {backend} {port} {master_pid}\n")
    os.replace(os.path.join(ready_dir, f"{os.getpid()}.tmp"), os.path.join(ready_dir, f"{os.getpid()}.ready"))
    try:
        while True:
            time.sleep(0.1)
    finally:
        monitor.close()


children = []
for number in range(workers):
    pid = os.fork()
    if pid == 0:
        try:
            worker(number)
        finally:
            os._exit(0)
    children.append(pid)

signal.signal(signal.SIGTERM, lambda s, f: [os.kill(c, signal.SIGTERM) for c in children if _alive(c)] and None)


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


while children:
    try:
        pid, _ = os.wait()
    except ChildProcessError:
        break
    except InterruptedError:
        continue
    children = [c for c in children if c != pid]
monitor.close()
