/**
 * Requests between nodes over Redis pub/sub: each node listens on its own
 * channel; a request carries an id and the asker's node id, the answer comes
 * back on the asker's channel. Every request has a deadline: a dead node
 * makes a call fail, never hang.
 */
import type { Redis } from 'ioredis';
import { rpcChannel } from './keys.js';

export type RpcHandler = (from: string, data: Record<string, unknown>) => Promise<Record<string, unknown>>;

interface RpcMessage {
  id: number;
  from: string;
  method?: string;
  data?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: string;
}

export class NodeRpc {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private readonly handlers = new Map<string, RpcHandler>();

  constructor(
    private readonly nodeId: string,
    private readonly pub: Redis,
    private readonly timeoutMs: number,
  ) {}

  /** The channel to subscribe to; its messages go to {@link onMessage}. */
  get channel(): string {
    return rpcChannel(this.nodeId);
  }

  handle(method: string, handler: RpcHandler): void {
    this.handlers.set(method, handler);
  }

  call(to: string, method: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`node ${to} did not answer ${method} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const message: RpcMessage = { id, from: this.nodeId, method, data };
      this.pub.publish(rpcChannel(to), JSON.stringify(message)).catch((error: Error) => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  /** Fails every call in flight (closing). */
  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('cluster node closing'));
    }
    this.pending.clear();
  }

  onMessage(text: string): void {
    let m: RpcMessage;
    try {
      m = JSON.parse(text) as RpcMessage;
    } catch {
      return; // not ours: dropped
    }
    if (m.method === undefined) {
      const p = this.pending.get(m.id);
      if (!p) return; // answered too late
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result ?? {});
      return;
    }
    const handler = this.handlers.get(m.method);
    const answer = (reply: Partial<RpcMessage>) =>
      this.pub
        .publish(rpcChannel(m.from), JSON.stringify({ id: m.id, from: this.nodeId, ...reply }))
        .catch(() => {});
    if (!handler) {
      void answer({ error: `unknown method ${m.method}` });
      return;
    }
    handler(m.from, m.data ?? {}).then(
      (result) => answer({ result }),
      (error: Error) => answer({ error: error.message }),
    );
  }
}
