#!/usr/bin/env node
// Writes "LAT <seq> <CLOCK_MONOTONIC ns>" lines, COUNT of them, one every INTERVAL ms, after DELAY ms.
// usage: node latency-writer.js <-|FILE> [COUNT=1000] [INTERVAL_MS=10] [DELAY_MS=1000]
// "-" writes to stdout (under PM2); a file is appended to with one write(2) per line, like a game server's logger.
const fs = require('fs');

const [target, count = 1000, interval = 10, delay = 1000] = process.argv.slice(2);
const fd = target === '-' ? 1 : fs.openSync(target, 'a');
let seq = 0;
setTimeout(() => {
  const timer = setInterval(() => {
    seq++;
    fs.writeSync(fd, `LAT ${seq} ${process.hrtime.bigint()}\n`);
    if (seq >= Number(count)) {
      clearInterval(timer);
      if (target === '-') {
        setTimeout(() => {}, 1e9); // under PM2: stay alive instead of being restarted over and over
      }
    }
  }, Number(interval));
}, Number(delay));
