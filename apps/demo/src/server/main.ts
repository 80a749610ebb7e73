/**
 * `pnpm start`: parses flags/env, starts the demo, prints where to open it and
 * one line per room event, and shuts down cleanly on SIGINT/SIGTERM (pages
 * are told, workers closed).
 */
import { ConfigError, parseConfig, USAGE } from './config.js';
import { startDemoServer } from './server.js';

const stamp = () => new Date().toISOString().slice(11, 19);
const log = (line: string) => console.log(`${stamp()} ${line}`);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const config = parseConfig({ argv, env: process.env });
  const server = await startDemoServer(config, log);
  const { udp, tcp } = server.rtcPorts;
  // Other machines reach the page at the announced address (unless HTTP listens on loopback only).
  const reachable = !config.announcedIp.startsWith('127.') && !config.httpIp.startsWith('127.');
  const scheme = server.tls ? 'https' : 'http';
  const lines = [
    '',
    `  tsfu demo is up: open ${server.url}`,
    `  media: ${config.workers} worker(s) sharing ${config.listenIp} udp/${udp}${tcp ? ` tcp/${tcp}` : ''}, announced as ${config.announcedIp}${config.loopbackOnly ? ' (loopback sources only)' : ''}${config.connectedUdp ? ' (connected UDP sockets in the workers)' : ''}`,
  ];
  if (server.turn) {
    lines.push(
      `  turn: ${server.turn.urls(config.announcedIp).join(' ')} (REST credentials per transport${config.turnRelayOnly ? '; browsers use the relay only' : ''})`,
    );
  }
  if (server.cluster) {
    const { heartbeatMs, deadAfterMs } = server.cluster.timing;
    lines.push(
      `  cluster: node ${server.cluster.id} on ${config.redis} (heartbeat ${heartbeatMs} ms, dead after ${deadAfterMs} ms); pipes from ${config.listenIp}, announced as ${config.announcedIp}`,
    );
  }
  if (reachable) lines.push(`  other machines: ${scheme}://${config.announcedIp}:${server.httpPort}/`);
  if (reachable && !server.tls) {
    lines.push(
      '  (browsers give the camera only to https pages or localhost: add --https for other machines)',
    );
  }
  if (server.tls && !config.tlsCert) {
    lines.push(
      '  HTTPS uses a self-signed certificate made at start: the browser asks you to accept it once.',
    );
  }
  lines.push('  Ctrl+C to stop.', '');
  console.log(lines.join('\n'));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: telling clients and closing workers`);
    server.close(`server stopped (${signal})`).then(
      () => {
        log('bye');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error('tsfu demo failed to start:', error);
  process.exit(1);
});
