/**
 * The thread side of {@link startTurnServerThread}: runs createTurnServer()
 * with the options it was given and answers `stats` and `close` messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createTurnServer, type TurnServerOptions } from './turn-server.js';

type Request = { id: number; kind: 'stats' | 'close' };

const port = parentPort!;
createTurnServer(workerData as TurnServerOptions).then(
  (server) => {
    port.postMessage({ kind: 'ready', addresses: server.addresses, urls: server.urls() });
    port.on('message', (m: Request) => {
      if (m.kind === 'stats') port.postMessage({ kind: 'answer', id: m.id, stats: server.stats });
      else if (m.kind === 'close') {
        void server.close().then(() => {
          port.postMessage({ kind: 'answer', id: m.id });
          port.close();
        });
      }
    });
  },
  (error: unknown) => {
    port.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    port.close();
  },
);
