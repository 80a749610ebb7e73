/**
 * A network namespace joined to this one by a veth pair, for the pipe loss
 * test: `<ns>` gets `10.77.N.2/24`, this namespace's end `10.77.N.1/24`, and
 * an nftables input rule inside the namespace drops `lossPercent` % of the
 * UDP datagrams arriving there (`numgen random`; this kernel has no netem).
 * Installs `iproute2`/`nftables` with apt-get when missing (root, Debian).
 * Throws — the test fails, it never skips — when any step cannot be done.
 */
import { execFileSync } from 'node:child_process';
import { findOnPath } from '../harness/media-tools.js';

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

export interface NetnsLink {
  netns: string;
  localIp: string;
  remoteIp: string;
  /** Datagrams the loss rule dropped so far (its counter). */
  dropped(): number;
  remove(): void;
}

function ensureTools(): void {
  if (findOnPath('ip') && findOnPath('nft')) return;
  if (process.getuid?.() !== 0)
    throw new Error('ip/nft missing and not root: cannot install iproute2/nftables');
  if (!findOnPath('apt-get')) throw new Error('ip/nft missing and no apt-get to install iproute2/nftables');
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', '--no-install-recommends', 'iproute2', 'nftables']);
  if (!findOnPath('ip') || !findOnPath('nft'))
    throw new Error('iproute2/nftables installed but ip/nft still missing');
}

export function createNetnsLink(lossPercent: number): NetnsLink {
  ensureTools();
  const n = process.pid % 200;
  const netns = `pipe-ns-${process.pid}`;
  const hostIf = `pipe${process.pid % 100000}h`;
  const nsIf = `pipe${process.pid % 100000}n`;
  const localIp = `10.77.${n}.1`;
  const remoteIp = `10.77.${n}.2`;
  const inNs = (cmd: string, ...args: string[]) => run('ip', ['netns', 'exec', netns, cmd, ...args]);
  const remove = () => {
    try {
      run('ip', ['netns', 'del', netns]);
    } catch {}
    try {
      run('ip', ['link', 'del', hostIf]);
    } catch {}
  };
  try {
    remove();
    run('ip', ['netns', 'add', netns]);
    inNs('ip', 'link', 'set', 'lo', 'up');
    run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    run('ip', ['link', 'set', nsIf, 'netns', netns]);
    run('ip', ['addr', 'add', `${localIp}/24`, 'dev', hostIf]);
    run('ip', ['link', 'set', hostIf, 'up']);
    inNs('ip', 'addr', 'add', `${remoteIp}/24`, 'dev', nsIf);
    inNs('ip', 'link', 'set', nsIf, 'up');
    inNs('nft', 'add', 'table', 'inet', 'pipeloss');
    inNs('nft', 'add chain inet pipeloss inp { type filter hook input priority 0; }');
    inNs(
      'nft',
      `add rule inet pipeloss inp meta l4proto udp numgen random mod 100 < ${lossPercent} counter drop`,
    );
  } catch (error) {
    remove();
    const e = error as { message: string; stderr?: string };
    throw new Error(`cannot create network namespace ${netns}: ${e.stderr?.trim() || e.message}`);
  }
  return {
    netns,
    localIp,
    remoteIp,
    dropped: () => {
      const out = inNs('nft', 'list', 'chain', 'inet', 'pipeloss', 'inp');
      return Number(/counter packets (\d+)/.exec(out)?.[1] ?? 0);
    },
    remove,
  };
}
