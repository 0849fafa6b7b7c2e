#!/usr/bin/env bash
# Runs every test: unit, integration, bUnit and browser tests (Playwright driving Debian's Chromium); with
# SERVERDASHBOARD_TEST_POSTGRES=1 also the unit/integration suite on PostgreSQL.
# Usage: scripts/test.sh [extra dotnet test arguments]
# Ends with a plain line "N passed, N failed" and exits non-zero when anything failed; a fixture cleanup failure is
# printed with its message and stack (xUnit's console shows only the exception type).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Chromium is missing: installing Debian's package for the browser tests..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Chromium: run 'sudo apt-get install -y chromium' (Debian/Ubuntu) and try again." >&2
    exit 1
  fi
fi

# The RCON conformance tests run independent clients (npm rcon-client, Debian rconclt) declared in tests/peers.
bash tests/peers/setup.sh >/dev/null || echo "warning: tests/peers/setup.sh failed; the RCON conformance tests will say what is missing" >&2

# Playwright drives the system Chromium; it must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

status=0
# -m:1: one test project at a time; the unit and browser suites both start real processes and would compete for 2 cores.
# The first pass always uses SQLite, even if the caller exported the PostgreSQL switch.
SERVERDASHBOARD_TEST_POSTGRES=0 dotnet test ServerDashboard.sln -m:1 --logger "trx" --results-directory "$results" "$@" || status=$?

# SERVERDASHBOARD_TEST_POSTGRES=1: the unit/integration suite again, every store-touching test on a private PostgreSQL
# cluster the tests start themselves (docs/development.md, "PostgreSQL tests"). Needs Debian's postgresql package.
if [ "${SERVERDASHBOARD_TEST_POSTGRES:-}" = 1 ]; then
  echo "== PostgreSQL pass: tests/ServerDashboard.Tests against a private cluster"
  SERVERDASHBOARD_TEST_POSTGRES=1 dotnet test tests/ServerDashboard.Tests --no-build --logger "trx;LogFilePrefix=postgresql" \
    --results-directory "$results" "$@" || status=$?
fi

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

# A fixture's cleanup failure is printed above by exception type only; its message and stack are in the trx's output.
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  grep -o '\[xUnit\.net [0-9:.]*\] *\[[A-Za-z ]*Cleanup Failure[^<]*' "$trx" | while IFS= read -r line; do
    echo "$line"
    grep -F -A12 "${line%%]*}]       " "$trx" | grep '^\[xUnit\.net' | head -n 15 || true
  done || true
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the run failed outside a test (build error, crashed test host): never report it as clean
fi
echo "$passed passed, $failed failed"
exit "$status"
