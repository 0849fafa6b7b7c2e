#!/usr/bin/env bash
# Baseline: Debian's supervisord supervising N (default 100) tiny log writers, with a private config under
# $PEERS_WORK/sv (never the machine's own supervisord). Prints key=value lines the benchmark project parses.
# usage: [STARTSECS=1] bench-supervisord.sh [N] [CPU_WINDOW_S]
#   STARTSECS=0 counts a program RUNNING as soon as it is spawned (supervisord's default waits 1 s).
set -u
. "$(dirname "$0")/env.sh"
N=${1:-100}; WIN=${2:-60}
D=$PEERS_WORK/sv; C=$D/supervisord.conf
rm -rf "$D/logs"; mkdir -p "$D/logs"
cat > "$C" <<CONF
[unix_http_server]
file=$D/supervisor.sock
chmod=0700
[supervisord]
logfile=$D/supervisord.log
pidfile=$D/supervisord.pid
childlogdir=$D/logs
nodaemon=false
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://$D/supervisor.sock
CONF
for i in $(seq 1 "$N"); do cat >> "$C" <<CONF
[program:w$i]
command=sh -c 'while :; do echo line; sleep 1; done'
autostart=true
autorestart=true
startsecs=${STARTSECS:-1}
stdout_logfile=$D/logs/w$i.log
redirect_stderr=true
CONF
done
ctl() { supervisorctl -c "$C" "$@"; }

t0=$(date +%s%N)
supervisord -c "$C"
polls=0
while :; do
  n=$(ctl status 2>/dev/null | grep -c ' RUNNING ')
  polls=$((polls + 1))
  [ "$n" -ge "$N" ] && break
  t=$(date +%s%N); [ $(((t - t0) / 1000000000)) -gt 120 ] && { echo "timeout: only $n running"; break; }
  sleep 0.1
done
t1=$(date +%s%N)
pid=$(cat "$D/supervisord.pid")
echo "supervisord pid=$pid"
echo "all_${N}_RUNNING_after_ms=$(((t1 - t0) / 1000000)) (polls=$polls; startsecs=${STARTSECS:-1})"
sleep 2
echo "supervisord_rss_kb=$(ps -o rss= -p "$pid")"
echo "supervisord_cpu_pct_over_${WIN}s=$("$PEERS_DIR/cpu-of.sh" "$pid" "$WIN")"
echo "supervisord_rss_kb_after_window=$(ps -o rss= -p "$pid")"
echo "children_total_rss_kb=$(ps --ppid "$pid" -o rss= | awk '{s += $1} END {print s}') children=$(ps --ppid "$pid" -o pid= | wc -l)"
t2=$(date +%s%N); ctl stop all > "$D/stop.out" 2>&1; t3=$(date +%s%N)
echo "stop_all_ms=$(((t3 - t2) / 1000000)) stopped=$(grep -c stopped "$D/stop.out")"
t4=$(date +%s%N); ctl start all > "$D/start2.out" 2>&1; t5=$(date +%s%N)
echo "start_all_again_ms=$(((t5 - t4) / 1000000)) started=$(grep -c started "$D/start2.out") (supervisorctl waits startsecs)"
ctl shutdown > /dev/null
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
echo "supervisord shut down"
