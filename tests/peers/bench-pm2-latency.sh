#!/usr/bin/env bash
# Latency from a PM2-managed process writing a line on stdout to `pm2 logs --raw` printing it (PM2's log bus).
# usage: bench-pm2-latency.sh [COUNT=1000] [INTERVAL_MS=10]
set -u
. "$(dirname "$0")/env.sh"
C=${1:-1000}; I=${2:-10}
export PM2_HOME=$PEERS_WORK/pm2home
PM2=$PEERS_DIR/node_modules/.bin/pm2
rm -rf "$PM2_HOME"; mkdir -p "$PM2_HOME/applogs"
"$PM2" ping > /dev/null 2>&1 # spawns the daemon
pid=$(cat "$PM2_HOME/pm2.pid")
node "$PEERS_DIR/latency-reader.js" "$C" $((C * I / 1000 + 20)) -- "$PM2" logs --raw --lines 0 latw &
reader=$!
sleep 2 # let `pm2 logs` connect to the bus
"$PM2" start "$PEERS_DIR/latency-writer.js" --name latw --no-autorestart \
  -o "$PM2_HOME/applogs/latw.log" -e "$PM2_HOME/applogs/latw.err" -- - "$C" "$I" 1500 > /dev/null 2>&1
wait $reader
echo "pm2 daemon rss_kb=$(ps -o rss= -p "$pid")"
"$PM2" delete all > /dev/null 2>&1; "$PM2" kill > /dev/null 2>&1
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
