#!/usr/bin/env bash
# The physical ceiling for log ingest: lines/s `tail -F` (GNU coreutils, inotify) forwards while build/fastwriter
# appends as fast as it can for SECS seconds; counted at the end of the window and after draining.
# usage: bench-tail-throughput.sh [line|block] [SECS=5] [file|pipe]
set -u
. "$(dirname "$0")/env.sh"
MODE=${1:-line}; S=${2:-5}; SINK=${3:-file}
F=$PEERS_WORK/tail-tp.log; O=$PEERS_WORK/tail-tp.out; P=$PEERS_WORK/tail-tp.fifo
[ -x "$FASTWRITER" ] || { echo "$FASTWRITER missing: run $PEERS_DIR/setup.sh" >&2; exit 1; }
rm -f "$F" "$O"; : > "$F"
if [ "$SINK" = file ]; then
  tail -F -n 0 "$F" > "$O" & tailer=$!
else
  rm -f "$P"; mkfifo "$P"
  cat "$P" > "$O" & cat_pid=$! # forwarded through a pipe to another process
  tail -F -n 0 "$F" > "$P" & tailer=$!
fi
sleep 0.5
ls -l "/proc/$tailer/fd" 2>/dev/null | grep -q inotify && echo "tail uses inotify: yes"
t0=$(date +%s%N)
written=$("$FASTWRITER" "$F" "$S" "$MODE")
t1=$(date +%s%N)
at_end=$(wc -l < "$O")
prev=-1; while :; do cur=$(wc -l < "$O"); [ "$cur" = "$prev" ] && break; prev=$cur; sleep 1; done
t2=$(date +%s%N)
kill "$tailer" 2>/dev/null; wait "$tailer" 2>/dev/null
if [ "$SINK" = pipe ]; then wait "$cat_pid" 2>/dev/null; rm -f "$P"; fi # cat exits on EOF
secs=$(awk -v d=$((t1 - t0)) 'BEGIN { print d / 1e9 }')
echo "mode=$MODE sink=$SINK writer_secs=$secs lines_written=$written ($(awk -v w="$written" -v s="$secs" 'BEGIN { printf "%.0f", w / s }') lines/s, file $(($(stat -c %s "$F") / 1048576)) MiB)"
echo "lines_forwarded_by_end_of_window=$at_end ($(awk -v w="$at_end" -v s="$secs" 'BEGIN { printf "%.0f", w / s }') lines/s)  after_drain=$prev (drained within ~$(((t2 - t1) / 1000000)) ms incl. 1 s idle check)"
rm -f "$F" "$O"
