#!/usr/bin/env bash
# The main job: `pgmedic demo` on a PostgreSQL sandbox it starts (and stops) itself.
# Extra arguments go to `pgmedic demo` (see `./demo.sh --help`).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/ensure-deps.sh
pgmedic_ensure_deps
dotnet build src/PgMedic.Cli -c Release -nologo -v quiet -warnaserror >/dev/null
exec dotnet src/PgMedic.Cli/bin/Release/net10.0/pgmedic.dll demo "$@"
