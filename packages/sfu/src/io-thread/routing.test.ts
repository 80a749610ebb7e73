/**
 * `Routing.onTcpFrame` tells the TCP admission code which frames make a
 * connection "checked": only a STUN Binding Request naming a registered
 * local ufrag, on a connection no worker claimed yet.
 */
import { IceUfragTable, StunAttr, StunClass, StunMessageWriter, StunMethod } from '@tsfu/ice-lite';
import { describe, expect, it } from 'vitest';
import { zeroIoCounters } from '../protocol/io-protocol.js';
import type { IoWorker } from './io-worker.js';
import { Routing } from './routing.js';
import type { TcpConnection } from './tcp-connections.js';
import { TupleTable } from './tuple-table.js';

function stun(cls: StunClass, ufrag: string): Buffer {
  const w = new StunMessageWriter(Buffer.alloc(548));
  w.begin(StunMethod.Binding, cls).addString(StunAttr.Username, `${ufrag}:peer`);
  w.addIntegrity(Buffer.from('password-of-22-chars!!')).addFingerprint();
  return Buffer.from(w.toBuffer());
}

describe('Routing.onTcpFrame', () => {
  it('is true only for a Binding Request with a known ufrag on an unclaimed connection', () => {
    const counters = zeroIoCounters();
    const written: number[] = [];
    const worker = {
      index: 0,
      flushScheduled: true, // no publish scheduled by this test
      writer: { tryWrite: (_d: Uint8Array, length: number) => written.push(length) > 0 },
    } as unknown as IoWorker;
    const workers = new Map([[0, worker]]);
    const owners = new IceUfragTable<number>();
    owners.set('known', 0);
    const routing = new Routing(workers, owners, new TupleTable(counters, () => worker), counters);
    const conn = { id: 5, socketIndex: 1, address: '127.0.0.2', port: 4000, worker: -1 } as TcpConnection;

    expect(routing.onTcpFrame(conn, stun(StunClass.Request, 'known'))).toBe(true);
    expect(routing.onTcpFrame(conn, stun(StunClass.Request, 'unknown'))).toBe(false);
    expect(routing.onTcpFrame(conn, stun(StunClass.SuccessResponse, 'known'))).toBe(false);
    expect(routing.onTcpFrame(conn, Buffer.from('garbage that is not STUN at all'))).toBe(false);
    expect(counters.routedByUfrag).toBe(1);
    expect(counters.droppedUnknownTuple).toBe(3);
    // Claimed: its frames go to its worker by tuple, and it is past admission.
    conn.worker = 0;
    expect(routing.onTcpFrame(conn, stun(StunClass.Request, 'known'))).toBe(false);
    expect(counters.routedByTuple).toBe(1);
    expect(written).toHaveLength(2);
  });
});
