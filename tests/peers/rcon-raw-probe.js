#!/usr/bin/env node
// Byte-level look at an RCON server: sends AUTH (id 0x11), then EXEC (id 0x22) 300 ms later, and prints every TCP
// chunk and the packets in it for 1.5 s. For debugging framing (several packets in one read, split packets).
// usage: node rcon-raw-probe.js HOST PORT PASSWORD COMMAND...
const net = require('net');

const [host, port, password, ...command] = process.argv.slice(2);
const SERVERDATA_AUTH = 3, SERVERDATA_EXECCOMMAND = 2;

function packet(id, type, body) {
  const bytes = Buffer.from(body, 'utf8');
  const buf = Buffer.alloc(14 + bytes.length); // size, id, type, body, two NULs
  buf.writeInt32LE(10 + bytes.length, 0);
  buf.writeInt32LE(id, 4);
  buf.writeInt32LE(type, 8);
  bytes.copy(buf, 12);
  return buf;
}

const socket = net.connect(Number(port), host, () => {
  socket.write(packet(0x11, SERVERDATA_AUTH, password));
  setTimeout(() => socket.write(packet(0x22, SERVERDATA_EXECCOMMAND, command.join(' '))), 300);
});
let pending = Buffer.alloc(0);
socket.on('data', chunk => {
  console.log('chunk', chunk.length, 'bytes');
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 4 && pending.length >= 4 + pending.readInt32LE(0)) {
    const size = pending.readInt32LE(0);
    const body = pending.toString('utf8', 12, 4 + size - 2);
    console.log(`  packet size=${size} id=${pending.readInt32LE(4)} type=${pending.readInt32LE(8)} body=${JSON.stringify(body)}`);
    pending = pending.subarray(4 + size);
  }
});
socket.on('error', e => console.error('error', e.message));
setTimeout(() => {
  socket.destroy();
  process.exit(0);
}, 1500);
