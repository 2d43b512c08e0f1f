#!/usr/bin/env bash
# Copies the reliability table the last test run wrote (artifacts/reliability.md, untracked) into the
# committed docs/reliability.md. Run by hand after test.sh; CI never edits tracked files.
set -euo pipefail
cd "$(dirname "$0")/.."
source=artifacts/reliability.md
if [ ! -s "$source" ]; then
  echo "reliability-doc.sh: $source is missing or empty: run the tests first (./test.sh, or dotnet test with --filter FullyQualifiedName~Reliability)" >&2
  exit 1
fi
for section in 1-secret-sweep 2-bad-input 3-faults 4-serve-load 5-guard-soak 6-properties; do
  if [ ! -s "artifacts/reliability/$section.md" ]; then
    echo "reliability-doc.sh: section $section was not written by the last run: run every reliability test first" >&2
    exit 1
  fi
done
cp "$source" docs/reliability.md
echo "docs/reliability.md updated from $source ($(wc -l < docs/reliability.md) lines)"
