#!/usr/bin/env node
// One RCON command through npm rcon-client 4.2.5, a client nobody on this project wrote.
// usage: node rcon-check.js HOST PORT PASSWORD COMMAND...  -> prints the reply; exit 0 ok, 1 error (wrong password too), 2 usage
const { Rcon } = require('rcon-client');

const [host, port, password, ...command] = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: rcon-check.js HOST PORT PASSWORD COMMAND...');
  process.exit(2);
}

(async () => {
  const t0 = process.hrtime.bigint();
  const rcon = await Rcon.connect({ host, port: Number(port), password, timeout: 5000 });
  const t1 = process.hrtime.bigint();
  const reply = await rcon.send(command.join(' '));
  const t2 = process.hrtime.bigint();
  console.log(reply);
  // Some servers never close their side after our FIN, so end() could wait forever: bound it, then drop the socket.
  await Promise.race([rcon.end(), new Promise(resolve => setTimeout(resolve, 500))]);
  rcon.socket?.destroy();
  console.error(`[rcon-client] auth ${ms(t1 - t0)} ms, command ${ms(t2 - t1)} ms`);
  process.exit(0);
})().catch(e => {
  console.error('[rcon-client] error:', e?.message ?? e);
  process.exit(1);
});

function ms(ns) {
  return (Number(ns) / 1e6).toFixed(2);
}
