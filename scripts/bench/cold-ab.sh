#!/usr/bin/env bash
# A/B cold start of two published dashboards (dotnet publish src/ServerDashboard -c Release -o DIR), alternating, on one
# existing data directory each: time from exec to the first answered GET /api/v1/health, printed per run and as medians.
# Usage: scripts/bench/cold-ab.sh RUNS DIR_A DIR_B      (used for the figures in docs/PERFORMANCE.md; Linux, curl)
set -euo pipefail
runs=${1:?runs}; a=${2:?dir A}; b=${3:?dir B}
port=5391
measure() { # dir datadir -> ms
  local start now pid
  start=$(date +%s%N)
  ASPNETCORE_ENVIRONMENT=Production Serilog__MinimumLevel__Default=Warning "$1/ServerDashboard" --data-dir "$2" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/health" 2>/dev/null; do sleep 0.005; done
  now=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo $(( (now - start) / 1000000 ))
}
data_a=$(mktemp -d); data_b=$(mktemp -d)
trap 'rm -rf "$data_a" "$data_b"' EXIT
measure "$a" "$data_a" >/dev/null; measure "$b" "$data_b" >/dev/null # first start creates and migrates the store
ra=(); rb=()
for _ in $(seq "$runs"); do
  ra+=("$(measure "$a" "$data_a")"); rb+=("$(measure "$b" "$data_b")")
  echo "A ${ra[-1]} ms   B ${rb[-1]} ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
echo "median A $(median "${ra[@]}") ms   B $(median "${rb[@]}") ms"
