#!/usr/bin/env bash
# Every test: installs what is missing (as root), restores, builds with warnings as errors, runs all
# test projects against real servers, checks nothing was left behind, and ends with one line
# "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
source scripts/ensure-deps.sh

summary() { echo "$1 passed, $2 failed, $3 skipped"; }

if ! pgmedic_ensure_deps pgbouncer python3-sqlalchemy java chromium prometheus binutils systemd; then
  echo "A server the tests need is missing: that is a failure, not a skip."
  summary 0 1 0
  exit 1
fi

tmp_root="${TMPDIR:-/tmp}"
before=$(ls -d "$tmp_root"/pgmedic-sandbox-* 2>/dev/null | sort)

echo "== restore and build (warnings are errors)"
build_log=$(mktemp)
dotnet build PgMedic.slnx -c Release -nologo -warnaserror -v minimal >"$build_log" 2>&1
build_status=$?
grep -E 'error|warning' "$build_log" | sort -u | head -n 40
tail -n 3 "$build_log"
rm -f "$build_log"
if [ "$build_status" -ne 0 ]; then
  echo "build failed"
  summary 0 1 0
  exit 1
fi

echo "== package: scripts/package.sh (the .deb, tarball, .NET tool and NuGet packages the packaging tests install)"
package_log=$(mktemp)
package_started=$SECONDS
scripts/package.sh >"$package_log" 2>&1
package_status=$?
grep -E 'FALLING BACK|^package.sh:' "$package_log"
sed -n '/^version /,$p' "$package_log"
[ "$package_status" -ne 0 ] && tail -n 20 "$package_log"
rm -f "$package_log"
echo "package.sh: exit $package_status after $((SECONDS - package_started)) s"
if [ "$package_status" -ne 0 ]; then
  summary 0 1 0
  exit 1
fi

echo "== tests"
log=$(mktemp)
dotnet test PgMedic.slnx -c Release --no-build -nologo --blame-hang-timeout 5m \
  2>&1 | tee "$log" | grep -E '^\s*(Failed|Passed|Skipped) |^(Passed|Failed)!|Error Message|^\s+at |Assert' | grep -vE '^\s*Passed ' | head -n 400
test_status=${PIPESTATUS[0]}

passed=0 failed=0 skipped=0
while read -r f p s; do
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done < <(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed:\s*([0-9]+), Passed:\s*([0-9]+), Skipped:\s*([0-9]+).*/\1 \2 \3/')

if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited $test_status without a failed test: a test host crashed or hung (see above)."
  failed=1
fi
rm -f "$log"

after=$(ls -d "$tmp_root"/pgmedic-sandbox-* 2>/dev/null | sort)
leftover=$(comm -13 <(echo "$before") <(echo "$after") | grep -v '^$' || true)
if [ -n "$leftover" ]; then
  echo "FAILED leftover check: the tests left sandbox directories behind:"
  echo "$leftover"
  failed=$((failed + 1))
else
  echo "leftover check: no sandbox directory or server was left behind"
fi

summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
