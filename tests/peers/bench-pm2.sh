#!/usr/bin/env bash
# Baseline: PM2 (npm, tests/peers/node_modules) supervising N (default 100) tiny log writers, with a private
# PM2_HOME under $PEERS_WORK (never a user's own PM2). Prints key=value lines the benchmark project parses.
# usage: bench-pm2.sh [N] [CPU_WINDOW_S]
set -u
. "$(dirname "$0")/env.sh"
N=${1:-100}; WIN=${2:-60}
export PM2_HOME=$PEERS_WORK/pm2home
PM2=$PEERS_DIR/node_modules/.bin/pm2
rm -rf "$PM2_HOME"; mkdir -p "$PM2_HOME/applogs"

online() {
  "$PM2" jlist 2>/dev/null | node -e '
    let s = "";
    process.stdin.on("data", d => s += d).on("end", () => {
      try { console.log(JSON.parse(s).filter(p => p.pm2_env.status === "online").length); } catch { console.log(0); }
    });'
}

t0=$(date +%s%N)
N=$N "$PM2" start "$PEERS_DIR/ecosystem.config.js" > "$PEERS_WORK/pm2-start.out" 2>&1
tcli=$(date +%s%N)
while [ "$(online)" -lt "$N" ]; do
  t=$(date +%s%N); [ $(((t - t0) / 1000000000)) -gt 120 ] && { echo "timeout: only $(online) online"; break; }
  sleep 0.1
done
t1=$(date +%s%N)
pid=$(cat "$PM2_HOME/pm2.pid")
echo "pm2 daemon pid=$pid"
echo "pm2_start_cli_returned_ms=$(((tcli - t0) / 1000000)) (includes daemon spawn)"
echo "all_${N}_online_after_ms=$(((t1 - t0) / 1000000))"
sleep 2
echo "pm2_daemon_rss_kb=$(ps -o rss= -p "$pid")"
echo "pm2_daemon_cpu_pct_over_${WIN}s=$("$PEERS_DIR/cpu-of.sh" "$pid" "$WIN")"
echo "pm2_daemon_rss_kb_after_window=$(ps -o rss= -p "$pid")"
echo "children=$(ps --ppid "$pid" -o pid= | wc -l) children_total_rss_kb=$(ps --ppid "$pid" -o rss= | awk '{s += $1} END {print s}')"
t2=$(date +%s%N); "$PM2" stop all > "$PEERS_WORK/pm2-stop.out" 2>&1; t3=$(date +%s%N)
echo "stop_all_ms=$(((t3 - t2) / 1000000))"
t4=$(date +%s%N); "$PM2" restart all > "$PEERS_WORK/pm2-restart.out" 2>&1; t5=$(date +%s%N)
echo "restart_all_ms=$(((t5 - t4) / 1000000))"
"$PM2" delete all > /dev/null 2>&1
"$PM2" kill > /dev/null 2>&1
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
echo "pm2 daemon killed"
