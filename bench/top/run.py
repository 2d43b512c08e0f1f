#!/usr/bin/python3
"""`pgmedic top` side by side with pg_activity at 500 connections (issue 17, docs/benchmarks.md).

Usage (as root, from the repository):
    PGMEDIC_BINARY=/tmp/top-native/pgmedic bench/top/run.py [--connections 500] [--interval 1]
        [--window 20] [--rounds 3] [--sizes 80x24,200x50] [--no-write]

One throwaway PostgreSQL 15 on 127.0.0.1 (initdb and pg_ctl as the `postgres` OS user, SCRAM logins,
max_connections N+50, pg_stat_statements preloaded with track = all). It holds N client connections
open with psycopg2 — N-8 idle, 4 running pg_sleep, one transaction holding an ACCESS EXCLUSIVE lock and
3 sessions queued behind it — so that every pane of either tool has something to show. Then, for each
terminal size and round, interleaved, it runs each tool alone in its own tmux server (its own socket,
`tmux -L`) at that size with the same refresh interval:

    pgmedic top -h 127.0.0.1 -p PORT -U medic_top -d postgres --interval 1s --read-only
    pg_activity -h 127.0.0.1 -p PORT -U pgactivity -d postgres --refresh 1

both with their default options otherwise, waits a warm-up, resets pg_stat_statements, and measures a
window of --window seconds:

- client CPU: utime + stime of the tool's process (the tmux pane's PID, exec'd) from /proc/PID/stat,
  the difference over the window (clock ticks: 10 ms resolution), divided by the refreshes in it;
- refreshes: calls of the tool's statement that reads pg_stat_activity, from pg_stat_statements;
- server cost: total_exec_time of every statement of the tool's role over the window (planning is not
  tracked, the default), divided by the refreshes.

Each role is a superuser of its own (`medic_top`, `pgactivity`) so pg_stat_statements tells the sides
apart; the harness's statements run as `postgres` and are not counted. The median of the rounds is the
result; the ratio is PgMedic's median / pg_activity's. The measuring runs under /tmp/pgmedic-build.lock
(flock(2)) and only while no test host runs. The results replace the section between
`<!-- bench/top:begin -->` and `<!-- bench/top:end -->` in docs/benchmarks.md (appended when absent).

It installs nothing. What it needs (Debian 12):
    apt-get install -y --no-install-recommends postgresql-15 python3-psycopg2 pg-activity tmux
and the native pgmedic (PGMEDIC_BINARY, or artifacts/native/pgmedic). It is a benchmark, not a timed test.
Everything it starts is stopped by PID (tmux servers by their own socket) and every temporary directory
removed on exit, on error, on Ctrl+C and on SIGTERM.
"""
import argparse
import datetime
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "peers"))
import run as peers  # noqa: E402  (the peers harness: server, held connections, lock, /proc CPU)

DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN = "<!-- bench/top:begin -->"
END = "<!-- bench/top:end -->"
SIDES = ("pgmedic", "pg_activity")
ROLE = {"pgmedic": "medic_top", "pg_activity": "pgactivity"}
WARMUP = 5


def log(message):
    peers.log(message)


def missing(binary):
    gone = []
    if os.geteuid() != 0:
        gone.append("root (PostgreSQL runs as the `postgres` OS user through runuser)")
    for tool, package in (("tmux", "tmux"), ("pg_activity", "pg-activity")):
        if not shutil.which(tool):
            gone.append(f"{tool} (Debian package {package})")
    if not os.access(os.path.join(peers.PG_BIN, "initdb"), os.X_OK):
        gone.append("PostgreSQL 15 (Debian package postgresql-15)")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        gone.append("psycopg2 (Debian package python3-psycopg2)")
    if not os.access(binary, os.X_OK):
        gone.append(f"the native pgmedic at {binary} (dotnet publish src/PgMedic.Cli -c Release -r linux-x64 -o DIR; PGMEDIC_BINARY=DIR/pgmedic)")
    return gone


class Tmux:
    """One tool in a tmux server of its own; killed by its socket."""

    def __init__(self, label, size, command, env):
        self.socket = f"bench-top-{os.getpid()}-{label}"
        width, height = size
        shell = "exec " + " ".join("'" + a.replace("'", "'\\''") + "'" for a in command)
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", "b",
                        "-x", str(width), "-y", str(height), shell], check=True, env=env)
        self.pid = int(self.tmux("display-message", "-p", "-t", "b", "#{pane_pid}").strip())

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, stdout=subprocess.PIPE, text=True).stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "b")

    def kill(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # tmux leaves its socket file behind when its server is killed.
        socket_dir = os.environ.get("TMUX_TMPDIR") or "/tmp"
        try:
            os.unlink(os.path.join(socket_dir, f"tmux-{os.getuid()}", self.socket))
        except FileNotFoundError:
            pass


def statements(admin, role):
    """(total execution ms, calls of the statement that reads pg_stat_activity) of one role since the reset."""
    with admin.cursor() as cur:
        cur.execute("SELECT coalesce(sum(s.total_exec_time), 0), "
                    "coalesce(max(s.calls) FILTER (WHERE s.query ILIKE '%%pg_stat_activity%%' OR s.query ILIKE '%%pg_stat_get_activity%%'), 0), "
                    "count(*) "
                    "FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = %s", (role,))
        total, calls, kinds = cur.fetchone()
        return float(total), int(calls), int(kinds)


def measure(side, size, args, binary, port, admin, scratch):
    env = dict(os.environ, TERM="xterm-256color", PGPASSWORD=peers.PASSWORD, HOME=scratch)
    env.pop("DATABASE_URL", None)
    interval = args.interval
    if side == "pgmedic":
        command = [binary, "top", "-h", "127.0.0.1", "-p", str(port), "-U", ROLE[side], "-d", "postgres",
                   "--interval", f"{int(interval * 1000)}ms", "--read-only"]
    else:
        command = ["pg_activity", "-h", "127.0.0.1", "-p", str(port), "-U", ROLE[side], "-d", "postgres",
                   "--refresh", f"{interval:g}"]
    tmux = Tmux(side.replace("_", "-"), size, command, env)
    try:
        time.sleep(WARMUP)
        with admin.cursor() as cur:
            cur.execute("SELECT pg_stat_statements_reset()")
        cpu_before = peers.proc_cpu_ms(tmux.pid)
        started = time.monotonic()
        time.sleep(args.window)
        cpu = peers.proc_cpu_ms(tmux.pid) - cpu_before
        elapsed = time.monotonic() - started
        total, refreshes, kinds = statements(admin, ROLE[side])
        screen = tmux.screen()
        rss = peers.proc_status_mb(tmux.pid, "VmRSS")
    finally:
        tmux.kill()
    refreshes = max(refreshes, 1)
    return {"cpu": cpu / refreshes, "server": total / refreshes, "refreshes": refreshes, "elapsed": elapsed,
            "statements": kinds, "rss": rss, "screen": screen}


def setup(port, n):
    import psycopg2
    admin = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", password=peers.PASSWORD, dbname="postgres", sslmode="disable")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        for role in ("app", *ROLE.values()):
            extra = "" if role == "app" else " SUPERUSER"
            cur.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s{extra}", (peers.PASSWORD,))
        cur.execute("CREATE TABLE bench_orders (id int); GRANT ALL ON bench_orders TO app")
    holders = peers.Holders(port, n - 8)
    holders.open()
    busy = []

    def conn(application):
        c = psycopg2.connect(host="127.0.0.1", port=port, user="app", password=peers.PASSWORD, dbname="postgres",
                             application_name=application, sslmode="disable")
        busy.append(c)
        return c

    for _ in range(4):
        c = conn("bench-report")
        c.autocommit = True
        subprocess_async(c, "SELECT pg_sleep(3600)")
    head = conn("bench-migration")
    head.cursor().execute("LOCK TABLE bench_orders IN ACCESS EXCLUSIVE MODE")
    for _ in range(3):
        c = conn("bench-checkout")
        c.autocommit = True
        subprocess_async(c, "SELECT count(*) FROM bench_orders")
    return admin, holders, busy


def subprocess_async(connection, sql):
    """Starts a statement that does not return (pg_sleep, a lock wait) on its own thread."""
    import threading

    def go():
        try:
            connection.cursor().execute(sql)
        except Exception:
            pass
    threading.Thread(target=go, daemon=True).start()


def take_lock():
    """Blocks on the build lock as `flock` does: polling it (LOCK_NB) loses the lock to every blocked waiter."""
    import fcntl
    fd = os.open(peers.LOCK_PATH, os.O_RDWR | os.O_CREAT, 0o666)
    log(f"waiting for {peers.LOCK_PATH}")
    fcntl.flock(fd, fcntl.LOCK_EX)
    log("holding the build lock")
    return fd


def wait_for_no_test_host(deadline):
    """Once the build lock is held nobody starts a test run; wait for one already running (a test host) to end.
    (Waiting for no `dotnet test` command line at all never ends on a shared machine: queued runs wait in flock.)"""
    while True:
        hosts = subprocess.run(["pgrep", "-f", "testhost.dll"], stdout=subprocess.PIPE, text=True).stdout.split()
        if not hosts:
            return
        if time.monotonic() > deadline:
            raise peers.Stop(f"test hosts still running (PIDs {' '.join(hosts)}) after the wait limit; nothing measured")
        log(f"waiting: a test host is running (PIDs {' '.join(hosts)})")
        time.sleep(5)


def med(values):
    return statistics.median(values) if values else float("nan")


def render(results, meta, args):
    lines = [BEGIN, "## `top` side by side with pg_activity", ""]
    lines.append(f"Written by `PGMEDIC_BINARY={meta['binary']} bench/top/run.py` on {meta['when']} (whole run {meta['elapsed']:.0f} s). "
                 "Issue 17's goals, measured in one run; rerun the command to replace this section.")
    lines.append("")
    lines.append(f"**Machine.** {meta['machine']}. Shared with other engineers: the measuring took `/tmp/pgmedic-build.lock` and waited for no running test host; load average {meta['load_before']} → {meta['load_after']}.")
    lines.append("")
    lines.append(f"**Method.** One throwaway PostgreSQL 15 (initdb + pg_ctl as `postgres`, 127.0.0.1, SCRAM logins, `max_connections` {args.connections + 50}, "
                 "`pg_stat_statements` preloaded with `track = all`), "
                 f"{args.connections} client connections held by psycopg2: {args.connections - 8} idle, 4 running `pg_sleep`, one transaction holding an "
                 "ACCESS EXCLUSIVE lock and 3 sessions queued behind it. Each tool runs alone in its own tmux server at the given size with the same refresh "
                 f"interval ({args.interval:g} s), its default options otherwise (`pgmedic top … --interval {int(args.interval * 1000)}ms --read-only`, "
                 f"`pg_activity … --refresh {args.interval:g}`), both logging in as a superuser role of their own over TCP. After {WARMUP} s of warm-up, "
                 f"`pg_stat_statements_reset()`, then a {args.window} s window: **client CPU** = utime + stime of the tool's process (the pane's PID) from "
                 "/proc/PID/stat over the window (10 ms ticks), divided by the **refreshes** = calls of the tool's statement reading `pg_stat_activity` in "
                 "`pg_stat_statements`; **server cost** = `total_exec_time` of every statement of the tool's role over the window, divided by the same "
                 f"refreshes. {args.rounds} rounds, the sides interleaved within each round; the median of the rounds is shown, with min–max. "
                 "Ratio = PgMedic median / pg_activity median.")
    lines.append("")
    lines.append("| size | measure | PgMedic median (min–max) | pg_activity median (min–max) | ratio |")
    lines.append("|---|---|---:|---:|---:|")
    goals = []
    for size in args.sizes:
        label = f"{size[0]}×{size[1]}"
        for key, name, unit in (("cpu", "client CPU per refresh", "ms"), ("server", "server execution per refresh", "ms"),
                                ("refreshes", "refreshes in the window", ""), ("statements", "distinct statements", ""),
                                ("rss", "RSS at the end of the window", "MB")):
            a = [r[key] for r in results[("pgmedic", size)]]
            b = [r[key] for r in results[("pg_activity", size)]]
            ratio = med(a) / med(b) if med(b) else float("nan")
            fmt = (lambda v: f"{v:.2f} {unit}".strip()) if key in ("cpu", "server") else (lambda v: f"{v:.1f} {unit}".strip())
            lines.append(f"| {label} | {name} | {fmt(med(a))} ({fmt(min(a))}–{fmt(max(a))}) | {fmt(med(b))} ({fmt(min(b))}–{fmt(max(b))}) | **{ratio:.2f}×** |")
            if key in ("cpu", "server"):
                goals.append((label, name, ratio))
    lines.append("")
    lines.append("### Issue 17's goals")
    lines.append("")
    lines.append("| goal | size | measured ratio | verdict |")
    lines.append("|---|---|---:|---|")
    for label, name, ratio in goals:
        lines.append(f"| {name} ≤ pg_activity's | {label} | {ratio:.2f}× | **{'met' if ratio <= 1.0 else 'not met'}** |")
    lines.append("")
    lines.append("What each drew at the end of the last window (first lines, 80×24 or the first size):")
    lines.append("")
    for side in SIDES:
        screen = results[(side, args.sizes[0])][-1]["screen"].splitlines()[:8]
        lines.append(f"- {side}:")
        lines.append("")
        lines.append("  ```")
        lines.extend("  " + line.rstrip() for line in screen)
        lines.append("  ```")
    lines.append("")
    lines.append("pg_activity by default also reads each backend's CPU, memory and I/O from /proc (it runs on the database host here) and the "
                 "total database size (`pg_database_size` of every database) on each refresh; PgMedic's top reads neither. Both count every "
                 "statement their role ran in the window, including the connection's own settings statements.")
    lines.append("")
    lines.append("**Reproduce** (as root, on Debian 12 with `apt-get install -y --no-install-recommends postgresql-15 python3-psycopg2 pg-activity tmux` and the native binary built):")
    lines.append("")
    lines.append("```sh")
    lines.append("dotnet publish src/PgMedic.Cli -c Release -r linux-x64 -o /tmp/top-native")
    lines.append("PGMEDIC_BINARY=/tmp/top-native/pgmedic bench/top/run.py")
    lines.append("```")
    lines.append("")
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_section(section):
    with open(DOC) as f:
        text = f.read()
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(DOC, "w") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--window", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="80x24,200x50")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    args.sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
    binary = os.environ.get("PGMEDIC_BINARY") or os.path.join(ROOT, "artifacts", "native", "pgmedic")
    gone = missing(binary)
    if gone:
        print("bench/top: missing:\n  " + "\n  ".join(gone), file=sys.stderr)
        return 3
    signal.signal(signal.SIGTERM, peers.on_signal)
    owned = peers.Owned()
    started = time.monotonic()
    scratch = tempfile.mkdtemp(prefix="pgmedic-bench-top-", dir="/tmp")
    owned.dirs.append(scratch)
    holders = None
    try:
        _, _, port = peers.start_postgres(owned, args.connections)
        admin, holders, busy = setup(port, args.connections)
        owned.holders.append(holders)
        log(f"{args.connections} connections held on port {port}")
        results = {}
        deadline = time.monotonic() + 1800
        lock = take_lock()
        wait_for_no_test_host(deadline)
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg()[:1])
        try:
            for round_ in range(args.rounds):
                for size in args.sizes:
                    for side in (SIDES if round_ % 2 == 0 else tuple(reversed(SIDES))):
                        r = measure(side, size, args, binary, port, admin, scratch)
                        results.setdefault((side, size), []).append(r)
                        log(f"round {round_ + 1} {size[0]}x{size[1]} {side}: {r['cpu']:.2f} ms CPU/refresh, {r['server']:.3f} ms server/refresh, {r['refreshes']} refreshes")
        finally:
            peers.release_lock(lock)
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg()[:1])
        for c in busy:
            try:
                c.cancel()
                c.close()
            except Exception:
                pass
        admin.close()
        version = subprocess.run([binary, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
        pga = subprocess.run(["pg_activity", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), platform.processor())
        meta = {
            "binary": binary,
            "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "elapsed": time.monotonic() - started,
            "machine": f"{os.cpu_count()} CPUs ({model}), {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
                       f"{platform.freedesktop_os_release().get('PRETTY_NAME', 'Linux')}, PostgreSQL 15, {pga}, pgmedic {version}",
            "load_before": load_before,
            "load_after": load_after,
        }
        section = render(results, meta, args)
        print(section)
        if not args.no_write:
            write_section(section)
            log(f"wrote {DOC}")
        return 0
    except (peers.Stop, KeyboardInterrupt) as e:
        log(f"stopped: {e}")
        return 1
    finally:
        owned.cleanup()


if __name__ == "__main__":
    sys.exit(main())
