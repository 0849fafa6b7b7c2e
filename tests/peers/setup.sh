#!/usr/bin/env bash
# Installs the independent peers the RCON conformance tests and the benchmarks compare against (idempotent):
#   npm:    rcon-client 4.2.5, rcon-srcds 2.1.1 (RCON clients), pm2 7.0.4 -> tests/peers/node_modules (package-lock.json)
#   Debian: supervisor (supervisord), rcon (rconclt); nodejs/npm, gcc if absent -> installed when root, else named
#   C:      fastwriter.c                                                   -> tests/peers/build/fastwriter
# scripts/test.sh runs it before the tests.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$PEERS_DIR"

# Debian packages: the peers' own (supervisor, rcon) and, on a bare machine, what builds the others (npm, cc).
missing=()
command -v supervisord >/dev/null 2>&1 || missing+=(supervisor)
command -v rconclt >/dev/null 2>&1 || missing+=(rcon)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup.sh: install the Debian packages ${missing[*]} (needs root): sudo apt-get install -y ${missing[*]}" >&2
  fi
fi

if [ ! -d node_modules/rcon-client ] || [ ! -d node_modules/rcon-srcds ] || [ ! -d node_modules/pm2 ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

mkdir -p build
if [ ! -x build/fastwriter ] || [ fastwriter.c -nt build/fastwriter ]; then
  cc -O2 -Wall -o build/fastwriter fastwriter.c
fi
echo "peers ready in $PEERS_DIR (scratch: $PEERS_WORK)"
