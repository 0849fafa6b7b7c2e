#!/usr/bin/env bash
# usage: cpu-of.sh PID SECONDS  -> average CPU % (of one core) used by PID, all threads, over the window
# /proc/PID/stat is parsed after the last ')': the command name may hold spaces and parentheses (PM2 renames itself
# "PM2 v7.0.4: God Daemon (...)"); utime and stime are then fields 12 and 13.
set -u
pid=$1; secs=$2; hz=$(getconf CLK_TCK)
ticks() { sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}'; }
a=$(ticks); t0=$(date +%s%N)
sleep "$secs"
b=$(ticks); t1=$(date +%s%N)
awk -v a="$a" -v b="$b" -v hz="$hz" -v dt=$((t1 - t0)) 'BEGIN { printf "%.2f\n", (b - a) / hz / (dt / 1e9) * 100 }'
