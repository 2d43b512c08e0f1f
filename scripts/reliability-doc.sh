#!/usr/bin/env bash
# Copies the reliability table the last test run wrote (artifacts/reliability.md, untracked) into the
# committed docs/reliability.md, unchanged. Run by hand after test.sh; CI never edits tracked files.
# Every section must have been written by that run (test.sh clears artifacts/reliability first), so the
# committed page never mixes runs or keeps a section that no test writes any more.
set -euo pipefail
cd "$(dirname "$0")/.."
source=artifacts/reliability.md
sections=artifacts/reliability
if [ ! -s "$source" ]; then
  echo "reliability-doc.sh: $source is missing or empty: run the tests first (./test.sh)" >&2
  exit 1
fi
missing=()
for section in 1-secret-sweep 2-bad-input 4-serve-load 5-guard-soak 6-properties; do
  [ -s "$sections/$section.md" ] || missing+=("$section")
done
if ! compgen -G "$sections/faults/*.md" >/dev/null; then
  missing+=("3-faults")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "reliability-doc.sh: the last run did not write: ${missing[*]} — run every reliability test first (./test.sh)" >&2
  exit 1
fi
cp "$source" docs/reliability.md
echo "docs/reliability.md updated from $source ($(wc -l < docs/reliability.md) lines, $(ls "$sections"/faults/*.md | wc -l) faults)"
