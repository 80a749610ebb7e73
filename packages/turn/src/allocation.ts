/**
 * One TURN allocation (RFC 8656 §2.2): a client 5-tuple, its relay socket,
 * its permissions (by peer IP) and channels (by number and by peer), and when
 * each expires. Peer → client relaying lives here: ChannelData when the peer
 * has a channel, otherwise a Data indication, and only from permitted peers.
 */
import type { Socket as DgramSocket, RemoteInfo } from 'node:dgram';
import { StunClass, type StunMessageWriter } from '@tsfu/ice-lite';
import { AddressMap } from './address-map.js';
import { buildChannelData } from './channel-data.js';
import type { RelayQuota } from './token-bucket.js';
import type { TurnClient } from './turn-client.js';
import { TurnAttr, TurnMethod } from './turn-constants.js';
import type { TurnServerStats } from './turn-stats.js';

export interface Channel {
  readonly number: number;
  readonly peerAddress: string;
  readonly peerPort: number;
  expiresAt: number;
}

export class Allocation {
  /** ms timestamp when it expires unless refreshed. */
  expiresAt: number;
  /** peer IP → ms expiry. */
  readonly permissions = new Map<string, number>();
  readonly channelsByNumber = new Map<number, Channel>();
  readonly channelsByPeer = new AddressMap<Channel>();
  /** Transaction id (hex) of the Allocate that made it and the answer, for retransmissions (§7.2). */
  allocateTransactionId = '';
  allocateResponse: Buffer | undefined;
  closed = false;

  constructor(
    readonly client: TurnClient,
    readonly username: string,
    /** The long-term key the allocation was made with: later requests must match and are signed with it. */
    readonly key: Buffer,
    readonly relaySocket: DgramSocket,
    readonly relayAddress: string,
    readonly relayPort: number,
    lifetimeSeconds: number,
    private readonly writer: StunMessageWriter,
    private readonly stats: TurnServerStats,
    /** Bandwidth quotas its packets draw from (none configured: undefined). */
    private readonly quota: RelayQuota | undefined,
  ) {
    this.expiresAt = Date.now() + lifetimeSeconds * 1000;
    relaySocket.on('message', (msg, rinfo) => this.onPeerPacket(msg, rinfo));
    relaySocket.on('error', () => {
      this.stats.sendErrors++;
    });
  }

  hasPermission(peerAddress: string, now: number): boolean {
    const until = this.permissions.get(peerAddress);
    return until !== undefined && until > now;
  }

  /** Installs or refreshes the permission for `peerAddress` until `until`. */
  permit(peerAddress: string, until: number): void {
    if (!this.permissions.has(peerAddress)) this.stats.permissions++;
    this.permissions.set(peerAddress, until);
  }

  /** Binds or refreshes a channel (the caller checked the number/peer pairing). */
  bindChannel(number: number, peerAddress: string, peerPort: number, until: number): void {
    const existing = this.channelsByNumber.get(number);
    if (existing !== undefined) {
      existing.expiresAt = until;
      return;
    }
    const channel: Channel = { number, peerAddress, peerPort, expiresAt: until };
    this.channelsByNumber.set(number, channel);
    this.channelsByPeer.set(peerAddress, peerPort, channel);
    this.stats.channels++;
  }

  /** Drops expired permissions and channels; true when the allocation itself has expired. */
  sweep(now: number): boolean {
    if (this.expiresAt <= now) return true;
    for (const [peer, until] of this.permissions) {
      if (until <= now) {
        this.permissions.delete(peer);
        this.stats.permissions--;
      }
    }
    for (const channel of this.channelsByNumber.values()) {
      if (channel.expiresAt <= now) {
        this.channelsByNumber.delete(channel.number);
        this.channelsByPeer.delete(channel.peerAddress, channel.peerPort);
        this.stats.channels--;
      }
    }
    return false;
  }

  /**
   * Client → peer through the relay socket. `data` must stay untouched until
   * sent (a received datagram is). False when a bandwidth quota dropped it.
   */
  sendToPeer(data: Uint8Array, peerAddress: string, peerPort: number): boolean {
    if (this.quota !== undefined && !this.quota.allow(data.length)) {
      this.stats.bandwidthQuotaDrops++;
      return false;
    }
    try {
      this.relaySocket.send(data, peerPort, peerAddress);
      this.stats.bytesToPeers += data.length;
    } catch {
      this.stats.sendErrors++;
    }
    return true;
  }

  private onPeerPacket(msg: Buffer, rinfo: RemoteInfo): void {
    const now = Date.now();
    if (this.closed || !this.hasPermission(rinfo.address, now)) {
      this.stats.peerPacketsDropped++;
      return;
    }
    if (this.quota !== undefined && !this.quota.allow(msg.length)) {
      this.stats.bandwidthQuotaDrops++;
      return;
    }
    const channel = this.channelsByPeer.get(rinfo.address, rinfo.port);
    if (channel !== undefined && channel.expiresAt > now && msg.length <= 0xffff) {
      this.client.send(buildChannelData(channel.number, msg, msg.length, this.client.isStream));
      this.stats.channelDataToClients++;
      this.stats.bytesToClients += msg.length;
      return;
    }
    // A Data indication: XOR-PEER-ADDRESS and DATA; no integrity (indications cannot be authenticated, §11.3).
    const w = this.writer;
    if (msg.length + 64 > w.buf.length) {
      this.stats.peerPacketsDropped++;
      return;
    }
    w.begin(TurnMethod.Data, StunClass.Indication)
      .addAddress(rinfo.address, rinfo.port, TurnAttr.XorPeerAddress)
      .addBytes(TurnAttr.Data, msg);
    this.client.send(w.toBuffer());
    this.stats.dataIndications++;
    this.stats.bytesToClients += msg.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stats.permissions -= this.permissions.size;
    this.stats.channels -= this.channelsByNumber.size;
    this.permissions.clear();
    this.channelsByNumber.clear();
    this.channelsByPeer.clear();
    try {
      this.relaySocket.close();
    } catch {
      // already closed
    }
  }
}
