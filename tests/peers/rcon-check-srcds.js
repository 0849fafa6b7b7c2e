#!/usr/bin/env node
// One RCON command through npm rcon-srcds 2.1.1 (it cannot take two packets arriving in one TCP read).
// usage: node rcon-check-srcds.js HOST PORT PASSWORD COMMAND...  -> prints the reply; exit 0 ok, 1 error, 2 usage
const Rcon = require('rcon-srcds').default;

const [host, port, password, ...command] = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: rcon-check-srcds.js HOST PORT PASSWORD COMMAND...');
  process.exit(2);
}

(async () => {
  const server = new Rcon({ host, port: Number(port), timeout: 5000 });
  const t0 = process.hrtime.bigint();
  await server.authenticate(password);
  const t1 = process.hrtime.bigint();
  const reply = await server.execute(command.join(' '));
  const t2 = process.hrtime.bigint();
  server.disconnect();
  console.log(reply);
  console.error(`[rcon-srcds] auth ${ms(t1 - t0)} ms, command ${ms(t2 - t1)} ms`);
  process.exit(0);
})().catch(e => {
  console.error('[rcon-srcds] error:', e?.message ?? e);
  process.exit(1);
});

function ms(ns) {
  return (Number(ns) / 1e6).toFixed(2);
}
