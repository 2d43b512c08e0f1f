# Filters `dotnet test` output down to what a reader of a CI log needs: each assembly's summary line and,
# for every failed test, its whole message (expected and actual included) and the frames in PgMedic's code.
/^(Passed|Failed)!/ { print; fflush(); block = 0; next }
/^[[:space:]]*Skipped [A-Za-z]/ { print; block = 0; next }
/^[[:space:]]*Failed [A-Za-z]/ { print; block = 1; lines = 0; next }
/test run was aborted|Test host process crashed|hang dump/ { print; next }
block == 1 && /^[[:space:]]*Stack Trace:/ { block = 2; next }
block == 1 && /^[[:space:]]*(Standard Output Messages:|Passed |Failed )/ { block = 0 }
block == 1 { if (lines++ < 40) print; next }
block == 2 && /^[[:space:]]+at .*PgMedic\./ { print; next }
block == 2 && /^[[:space:]]*(Standard Output Messages:|Passed )/ { block = 0 }
