/**
 * The baseline of `turn.ts`: a plain `node:dgram` relay doing what a TURN
 * relay does per packet, minus TURN: one relay socket per client, client →
 * peer (the peer's address fixed on the command line) and peer → client. No
 * framing, no lookups beyond a Map, no authentication. Prints its port.
 *
 *   node bench/dist/turn-dgram-relay.js <peerPort>
 */
import { createSocket, type Socket } from 'node:dgram';

const peerPort = Number(process.argv[2]);
const main = createSocket('udp4');
const relays = new Map<number, Socket>();

main.on('message', (msg, rinfo) => {
  let relay = relays.get(rinfo.port);
  if (relay === undefined) {
    const s = createSocket('udp4');
    const clientPort = rinfo.port;
    s.on('message', (back) => main.send(back, clientPort, '127.0.0.1'));
    s.bind(0, '127.0.0.1');
    relays.set(clientPort, s);
    relay = s;
  }
  relay.send(msg, peerPort, '127.0.0.1');
});
main.bind(0, '127.0.0.1', () => {
  process.stdout.write(`port ${main.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
