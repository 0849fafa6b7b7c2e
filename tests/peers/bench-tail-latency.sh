#!/usr/bin/env bash
# The physical floor for log latency: write(2) of a line → `tail -F` (GNU coreutils, inotify) printing it.
# usage: bench-tail-latency.sh [COUNT=1000] [INTERVAL_MS=10]  -> one JSON line with p50/p90/p99/max
set -u
. "$(dirname "$0")/env.sh"
C=${1:-1000}; I=${2:-10}; F=$PEERS_WORK/tail-lat.log
rm -f "$F"; : > "$F"
node "$PEERS_DIR/latency-reader.js" "$C" $((C * I / 1000 + 15)) -- tail -F -n 0 "$F" &
reader=$!
sleep 0.5
node "$PEERS_DIR/latency-writer.js" "$F" "$C" "$I" 500
wait $reader
