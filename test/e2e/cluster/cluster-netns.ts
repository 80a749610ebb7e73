/**
 * A bridge in this namespace and one network namespace per node, each joined
 * to the bridge by a veth pair: the bridge gets `10.79.N.1/24` (Redis and the
 * browser live here), node i gets `10.79.N.(11+i)/24` in namespace
 * `clu<pid>-<i>`. Installs iproute2 with apt-get when missing (root, Debian).
 * Throws — the test fails, it never skips — when a step cannot be done.
 */
import { execFileSync } from 'node:child_process';
import { findOnPath } from '../harness/media-tools.js';

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

export interface ClusterNet {
  hostIp: string;
  nodeIps: string[];
  namespaces: string[];
  remove(): void;
}

export function createClusterNet(count: number): ClusterNet {
  if (!findOnPath('ip')) {
    if (process.getuid?.() !== 0 || !findOnPath('apt-get')) throw new Error('ip missing: install iproute2');
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', '--no-install-recommends', 'iproute2']);
  }
  const tag = process.pid % 10000;
  const subnet = `10.79.${process.pid % 200}`;
  const bridge = `clubr${tag}`;
  const namespaces = Array.from({ length: count }, (_, i) => `clu${tag}-${i}`);
  const hostIf = (i: number) => `clu${tag}h${i}`;
  const nodeIps = namespaces.map((_, i) => `${subnet}.${11 + i}`);
  const remove = () => {
    for (const ns of namespaces) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {}
    }
    for (let i = 0; i < count; i++) {
      try {
        run('ip', ['link', 'del', hostIf(i)]);
      } catch {}
    }
    try {
      run('ip', ['link', 'del', bridge]);
    } catch {}
  };
  try {
    remove();
    run('ip', ['link', 'add', bridge, 'type', 'bridge']);
    run('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
    run('ip', ['link', 'set', bridge, 'up']);
    namespaces.forEach((ns, i) => {
      const nsIf = `clu${tag}n${i}`;
      run('ip', ['netns', 'add', ns]);
      run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
      run('ip', ['link', 'add', hostIf(i), 'type', 'veth', 'peer', 'name', nsIf]);
      run('ip', ['link', 'set', nsIf, 'netns', ns]);
      run('ip', ['link', 'set', hostIf(i), 'master', bridge]);
      run('ip', ['link', 'set', hostIf(i), 'up']);
      run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${nodeIps[i]}/24`, 'dev', nsIf]);
      run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up']);
      run('ip', ['netns', 'exec', ns, 'ip', 'route', 'add', 'default', 'via', `${subnet}.1`]);
    });
  } catch (error) {
    remove();
    throw new Error(`cluster namespaces: ${(error as Error).message} (needs root and iproute2)`);
  }
  return { hostIp: `${subnet}.1`, nodeIps, namespaces, remove };
}
