/**
 * Where allocations of one listener live, keyed by the client's address and
 * port: a UDP socket holds many; a TCP/TLS connection holds at most one.
 */
import type { Socket as DgramSocket } from 'node:dgram';
import { AddressMap } from './address-map.js';
import type { Allocation } from './allocation.js';
import { type TurnClient, UdpTurnClient } from './turn-client.js';

export interface TupleScope {
  /** True once the connection is gone (stream scopes): a pending Allocate must not complete. */
  readonly closed: boolean;
  get(address: string, port: number): Allocation | undefined;
  set(address: string, port: number, allocation: Allocation): void;
  delete(address: string, port: number): void;
  /** Where to answer `address:port`. */
  client(address: string, port: number): TurnClient;
}

export class UdpTupleScope implements TupleScope {
  readonly closed = false;
  private readonly table = new AddressMap<Allocation>();

  constructor(
    private readonly socket: DgramSocket,
    private readonly onSendError: () => void,
  ) {}

  get(address: string, port: number): Allocation | undefined {
    return this.table.get(address, port);
  }

  set(address: string, port: number, allocation: Allocation): void {
    this.table.set(address, port, allocation);
  }

  delete(address: string, port: number): void {
    this.table.delete(address, port);
  }

  client(address: string, port: number): TurnClient {
    return this.get(address, port)?.client ?? new UdpTurnClient(this.socket, address, port, this.onSendError);
  }
}

export class StreamTupleScope implements TupleScope {
  closed = false;
  allocation: Allocation | undefined;

  constructor(
    private readonly streamClient: TurnClient,
    private readonly onAllocated: () => void,
  ) {}

  get(): Allocation | undefined {
    return this.allocation;
  }

  set(_address: string, _port: number, allocation: Allocation): void {
    this.allocation = allocation;
    this.onAllocated();
  }

  delete(): void {
    this.allocation = undefined;
  }

  client(): TurnClient {
    return this.streamClient;
  }
}
