#!/usr/bin/env node
// Runs a follower command (tail -F, pm2 logs, ...), reads its stdout, and for every "LAT <seq> <ns>" line takes
// now(CLOCK_MONOTONIC) − ns: the time from the writer's write(2) to the follower printing it. process.hrtime and the
// writer's both read CLOCK_MONOTONIC, so the two processes' clocks agree.
// Stops after EXPECT lines or TIMEOUT s and prints {"received","expected","p50_ms","p90_ms","p99_ms","max_ms","mean_ms"}.
// usage: node latency-reader.js EXPECT TIMEOUT_S -- COMMAND [ARGS...]
const { spawn } = require('child_process');

const separator = process.argv.indexOf('--');
const [expect, timeoutS] = process.argv.slice(2, separator).map(Number);
const [command, ...args] = process.argv.slice(separator + 1);
const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
const latencies = [];
const seen = new Set();
let pending = '';
child.stdout.on('data', data => {
  const now = process.hrtime.bigint();
  pending += data;
  let end;
  while ((end = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    const match = /LAT (\d+) (\d+)/.exec(line);
    if (match && !seen.has(match[1])) {
      seen.add(match[1]);
      latencies.push(Number(now - BigInt(match[2])) / 1e6);
    }
  }
  if (latencies.length >= expect) {
    finish();
  }
});
const timer = setTimeout(finish, timeoutS * 1000);
console.error(`[reader] following with: ${command} ${args.join(' ')}`);

function finish() {
  clearTimeout(timer);
  child.kill('SIGTERM');
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = q => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3) : 'n/a');
  const mean = sorted.length ? (sorted.reduce((a, b) => a + b, 0) / sorted.length).toFixed(3) : 'n/a';
  console.log(JSON.stringify({
    received: sorted.length, expected: expect, p50_ms: at(0.5), p90_ms: at(0.9), p99_ms: at(0.99),
    max_ms: sorted.length ? sorted[sorted.length - 1].toFixed(3) : 'n/a', mean_ms: mean,
  }));
  process.exit(0);
}
