#!/usr/bin/env node
// N sequential "echo i" commands on one rcon-client connection: how many came back right, and p50/p99 latency.
// usage: node rcon-seq-test.js HOST PORT PASSWORD N  -> {"ok":N,"firstFailAtRequestId":null,"p50ms":"0.210","p99ms":"0.610"}
const { Rcon } = require('rcon-client');

const [host, port, password, count] = process.argv.slice(2);
(async () => {
  const rcon = await Rcon.connect({ host, port: Number(port), password, timeout: 1000 });
  let ok = 0;
  let firstFail = null;
  const latencies = [];
  for (let i = 1; i <= Number(count); i++) {
    const t = process.hrtime.bigint();
    try {
      const reply = await rcon.send('echo ' + i);
      if (reply.includes(String(i))) {
        ok++;
      }
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    } catch {
      firstFail = i;
      break;
    }
  }
  latencies.sort((a, b) => a - b);
  const at = q => latencies[Math.floor(latencies.length * q)]?.toFixed(3);
  console.log(JSON.stringify({ ok, firstFailAtRequestId: firstFail, p50ms: at(0.5), p99ms: at(0.99) }));
  rcon.socket?.destroy();
  process.exit(0);
})().catch(e => {
  console.error('error', e.message);
  process.exit(1);
});
