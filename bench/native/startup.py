#!/usr/bin/env python3
"""Start-up of the native pgmedic, whole process, against pg_isready (docs/benchmarks.md, "Native binary").

Usage: bench/native/startup.py URL [RUNS]
  URL   a postgres:// URL with its password (e.g. from `pgmedic sandbox`); loopback only
  RUNS  timed runs per command (default 10), after one unmeasured run that warms the page cache

Measures artifacts/native/pgmedic (publish it first) and, when it was built, the JIT
src/PgMedic.Cli/bin/Release/net10.0/pgmedic.dll; prints the median wall time, its range and the
median child CPU time (user + system) of each command.
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
from time import perf_counter
from urllib.parse import urlparse

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
url = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
parsed = urlparse(url)
native = os.path.join(root, "artifacts", "native", "pgmedic")
dll = os.path.join(root, "src", "PgMedic.Cli", "bin", "Release", "net10.0", "pgmedic.dll")
if not os.path.exists(native):
    sys.exit(f"{native} is missing: dotnet publish src/PgMedic.Cli -c Release -r linux-x64 -o artifacts/native")

commands = {"native pgmedic probe": [native, "probe", url]}
if os.path.exists(dll) and shutil.which("dotnet"):
    commands["dotnet pgmedic.dll probe (JIT)"] = ["dotnet", dll, "probe", url]
commands["pg_isready"] = [shutil.which("pg_isready") or "pg_isready", "-h", parsed.hostname, "-p", str(parsed.port or 5432), "-d", parsed.path.lstrip("/") or "postgres"]
commands["native pgmedic check connections"] = [native, "check", "connections", url]

for name, command in commands.items():
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, cpu, codes = [], [], set()
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = perf_counter()
        codes.add(subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode)
        wall.append((perf_counter() - started) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    print(f"{name}: median {statistics.median(wall):.1f} ms (min {min(wall):.1f}, max {max(wall):.1f}), "
          f"CPU median {statistics.median(cpu):.1f} ms, exit codes {sorted(codes)}")
