/**
 * The TURN server's protocol engine (RFC 8656), independent of sockets:
 * listeners hand it packets with the scope of their 5-tuples. It answers
 * Binding, runs the long-term credential mechanism, and serves Allocate,
 * Refresh, CreatePermission, ChannelBind, Send indications and ChannelData.
 * Packets that do not parse are dropped and counted; nothing here throws on
 * input.
 */
import {
  isComprehensionRequired,
  StunAttr,
  StunClass,
  StunMessageView,
  StunParseResult,
  verifyStunFingerprint,
  writeIpAddress,
} from '@tsfu/ice-lite';
import { Allocation } from './allocation.js';
import { isValidChannelNumber, looksLikeChannelData } from './channel-data.js';
import type { NonceIssuer } from './nonce.js';
import type { PeerPolicy } from './peer-policy.js';
import type { RelaySocket, RelaySockets } from './relay-sockets.js';
import { RelayQuota, TokenBucket } from './token-bucket.js';
import type { TupleScope } from './tuple-scope.js';
import { TurnAuthenticator } from './turn-authenticator.js';
import type { TurnClient } from './turn-client.js';
import { IPPROTO_UDP, TurnAttr, TurnError, TurnMethod } from './turn-constants.js';
import type { TurnCredentials } from './turn-credentials.js';
import { type TurnAuth, TurnResponder } from './turn-responder.js';
import type { TurnServerStats } from './turn-stats.js';

export interface TurnProtocolConfig {
  credentials: TurnCredentials;
  nonces: NonceIssuer;
  policy: PeerPolicy;
  relays: RelaySockets;
  /** Address put in XOR-RELAYED-ADDRESS (IPv4). */
  relayAddress: string;
  defaultLifetime: number;
  maxLifetime: number;
  permissionLifetime: number;
  channelLifetime: number;
  reservationLifetime: number;
  /** Highest channel number ChannelBind accepts (0x4FFF strict RFC 8656, 0x7FFF RFC 5766). */
  maxChannelNumber: number;
  maxAllocations: number;
  maxAllocationsPerUser: number;
  /** Relayed bytes per second per username (both directions, all its allocations), if capped. */
  userBandwidth: number | undefined;
  /** Relayed bytes per second in total, if capped. */
  totalBandwidth: number | undefined;
  alternateServer: { address: string; port: number } | undefined;
  software: string | undefined;
}

/** Comprehension-required attributes this server understands (anything else earns 420). */
const KNOWN_ATTRIBUTES = new Set<number>([
  StunAttr.MappedAddress,
  StunAttr.Username,
  StunAttr.ErrorCode,
  StunAttr.UnknownAttributes,
  StunAttr.Realm,
  StunAttr.Nonce,
  StunAttr.XorMappedAddress,
  StunAttr.Priority,
  StunAttr.UseCandidate,
  TurnAttr.ChannelNumber,
  TurnAttr.Lifetime,
  TurnAttr.XorPeerAddress,
  TurnAttr.Data,
  TurnAttr.XorRelayedAddress,
  TurnAttr.RequestedAddressFamily,
  TurnAttr.EvenPort,
  TurnAttr.RequestedTransport,
  TurnAttr.DontFragment,
  TurnAttr.ReservationToken,
]);

const FAMILY_IPV4 = 0x01;
const FAMILY_IPV6 = 0x02;

export class TurnProtocol {
  private readonly view = new StunMessageView();
  readonly responder: TurnResponder;
  private readonly authenticator: TurnAuthenticator;
  /** Every live allocation and the scope that holds it. */
  private readonly live = new Map<Allocation, TupleScope>();
  private readonly perUser = new Map<string, number>();
  private readonly userBuckets = new Map<string, TokenBucket>();
  private readonly totalBucket: TokenBucket | undefined;
  /** Allocations being bound (relay socket pending), by scope then "address|port". */
  private readonly pending = new Set<string>();
  private readonly unknown = new Uint16Array(16);
  private closed = false;

  constructor(
    private readonly config: TurnProtocolConfig,
    readonly stats: TurnServerStats,
  ) {
    this.responder = new TurnResponder(stats, config.software);
    this.totalBucket =
      config.totalBandwidth === undefined ? undefined : new TokenBucket(config.totalBandwidth);
    this.authenticator = new TurnAuthenticator(config.credentials, config.nonces, this.responder);
  }

  /** One datagram or framed stream message from `address:port`. */
  handlePacket(scope: TupleScope, address: string, port: number, buf: Uint8Array, length: number): void {
    if (this.closed) return;
    if (looksLikeChannelData(buf, length)) {
      this.onChannelData(scope, address, port, buf, length);
      return;
    }
    const v = this.view;
    // A FINGERPRINT that does not match says it is not STUN (RFC 8489 §7.3).
    if (
      v.parse(buf, length) !== StunParseResult.Ok ||
      (v.fingerprintOffset >= 0 && !verifyStunFingerprint(v))
    ) {
      this.stats.malformed++;
      return;
    }
    if (v.cls === StunClass.Request) this.onRequest(scope, address, port, v);
    else if (v.cls === StunClass.Indication && v.method === TurnMethod.Send)
      this.onSend(scope, address, port, v);
    else this.stats.ignored++;
  }

  private onRequest(scope: TupleScope, address: string, port: number, v: StunMessageView): void {
    this.stats.requests++;
    const client = scope.client(address, port);
    if (v.method === TurnMethod.Binding) {
      this.stats.bindingRequests++;
      const unknownCount = this.unknownRequired(v);
      if (unknownCount > 0) {
        this.responder.error(v, TurnError.UnknownAttribute).addUnknownAttributes(this.unknown, unknownCount);
        this.responder.send(client, undefined);
        return;
      }
      this.responder.success(v).addAddress(address, port);
      this.responder.send(client, undefined);
      return;
    }
    const method = v.method;
    if (
      method !== TurnMethod.Allocate &&
      method !== TurnMethod.Refresh &&
      method !== TurnMethod.CreatePermission &&
      method !== TurnMethod.ChannelBind
    ) {
      this.responder.sendError(client, v, TurnError.BadRequest);
      return;
    }
    const auth = this.authenticator.authenticate(v, client);
    if (auth === undefined) return;
    const unknownCount = this.unknownRequired(v);
    if (unknownCount > 0) {
      this.responder.error(v, TurnError.UnknownAttribute).addUnknownAttributes(this.unknown, unknownCount);
      this.responder.send(client, auth);
      return;
    }
    if (method === TurnMethod.Allocate) void this.allocate(scope, address, port, client, v, auth);
    else {
      const allocation = scope.get(address, port);
      if (allocation === undefined) {
        this.responder.sendError(client, v, TurnError.AllocationMismatch, auth);
        return;
      }
      if (allocation.username !== auth.username) {
        this.responder.sendError(client, v, TurnError.WrongCredentials, auth);
        return;
      }
      if (method === TurnMethod.Refresh) this.refresh(scope, address, port, allocation, v, auth);
      else if (method === TurnMethod.CreatePermission) this.createPermission(allocation, v, auth);
      else this.channelBind(allocation, v, auth);
    }
  }

  private unknownRequired(v: StunMessageView): number {
    let n = 0;
    for (let i = 0; i < v.attributeCount && n < this.unknown.length; i++) {
      const t = v.attributeTypes[i];
      if (isComprehensionRequired(t) && !KNOWN_ATTRIBUTES.has(t)) this.unknown[n++] = t;
    }
    return n;
  }

  /** RFC 8656 §7.2. */
  private async allocate(
    scope: TupleScope,
    address: string,
    port: number,
    client: TurnClient,
    v: StunMessageView,
    auth: TurnAuth,
  ): Promise<void> {
    const existing = scope.get(address, port);
    if (existing !== undefined) {
      // A retransmission of the Allocate that made it gets the same answer; anything else is a mismatch.
      if (
        existing.allocateResponse !== undefined &&
        existing.allocateTransactionId === v.transactionIdHex()
      ) {
        client.send(Buffer.from(existing.allocateResponse));
      } else {
        this.responder.sendError(client, v, TurnError.AllocationMismatch, auth);
      }
      return;
    }
    const pendingKey = `${address}|${port}|${client.protocol}`;
    if (this.pending.has(pendingKey)) return; // a retransmission while the relay socket binds
    const r = this.responder;
    const buf = v.buf;
    const transport = v.findAttribute(TurnAttr.RequestedTransport);
    if (transport < 0 || v.attributeLengths[transport] !== 4) {
      r.sendError(client, v, TurnError.BadRequest, auth);
      return;
    }
    if (buf[v.attributeOffsets[transport]] !== IPPROTO_UDP) {
      r.sendError(client, v, TurnError.UnsupportedTransportProtocol, auth);
      return;
    }
    // node:dgram cannot set DF on relayed datagrams: refuse as RFC 8656 §7.2 allows.
    if (v.findAttribute(TurnAttr.DontFragment) >= 0) {
      r.error(v, TurnError.UnknownAttribute).addUnknownAttributes([TurnAttr.DontFragment]);
      r.send(client, auth);
      return;
    }
    const tokenAt = v.findAttribute(TurnAttr.ReservationToken);
    const evenAt = v.findAttribute(TurnAttr.EvenPort);
    const familyAt = v.findAttribute(TurnAttr.RequestedAddressFamily);
    const additionalAt = v.findAttribute(TurnAttr.AdditionalAddressFamily);
    if (
      (tokenAt >= 0 && (evenAt >= 0 || familyAt >= 0 || v.attributeLengths[tokenAt] !== 8)) ||
      (familyAt >= 0 && (additionalAt >= 0 || v.attributeLengths[familyAt] !== 4)) ||
      (evenAt >= 0 && v.attributeLengths[evenAt] !== 1) ||
      (additionalAt >= 0 &&
        (v.attributeLengths[additionalAt] !== 4 || buf[v.attributeOffsets[additionalAt]] !== FAMILY_IPV6))
    ) {
      r.sendError(client, v, TurnError.BadRequest, auth);
      return;
    }
    if (familyAt >= 0 && buf[v.attributeOffsets[familyAt]] !== FAMILY_IPV4) {
      r.sendError(client, v, TurnError.AddressFamilyNotSupported, auth);
      return;
    }
    const users = this.perUser.get(auth.username) ?? 0;
    if (users >= this.config.maxAllocationsPerUser) {
      this.stats.userQuotaHits++;
      r.sendError(client, v, TurnError.AllocationQuotaReached, auth);
      return;
    }
    if (this.live.size + this.pending.size >= this.config.maxAllocations) {
      this.stats.totalQuotaHits++;
      r.sendError(client, v, TurnError.AllocationQuotaReached, auth);
      return;
    }
    const alternate = this.config.alternateServer;
    if (alternate !== undefined) {
      const w = r.error(v, TurnError.TryAlternate);
      w.addBytes(TurnAttr.AlternateServer, mappedAddress(alternate.address, alternate.port));
      r.send(client, auth);
      return;
    }
    const lifetime = this.lifetime(v, this.config.defaultLifetime);
    const evenPort = evenAt >= 0;
    const reserve = evenPort && (buf[v.attributeOffsets[evenAt]] & 0x80) !== 0;
    const token =
      tokenAt >= 0
        ? Buffer.from(buf.subarray(v.attributeOffsets[tokenAt], v.attributeOffsets[tokenAt] + 8))
        : undefined;
    const ipv6Refused = additionalAt >= 0;
    // The view is reused by the next packet: keep what the answer needs.
    const method = v.method;
    const txId = Buffer.from(buf.subarray(8, 20));
    const txIdHex = v.transactionIdHex();

    this.pending.add(pendingKey);
    const relay: (RelaySocket & { token?: Buffer }) | undefined =
      token !== undefined
        ? this.config.relays.claim(token)
        : await this.config.relays.bind(evenPort, reserve, this.config.reservationLifetime);
    this.pending.delete(pendingKey);
    if (relay === undefined) {
      r.errorTo(method, txId, 0, TurnError.InsufficientCapacity);
      r.send(client, auth);
      return;
    }
    if (this.closed || scope.closed || scope.get(address, port) !== undefined) {
      relay.socket.close();
      this.config.relays.release(relay.port);
      return;
    }
    const allocation = new Allocation(
      client,
      auth.username,
      auth.key,
      relay.socket,
      this.config.relayAddress,
      relay.port,
      lifetime,
      r.writer,
      this.stats,
      this.quotaFor(auth.username),
    );
    allocation.allocateTransactionId = txIdHex;
    scope.set(address, port, allocation);
    this.live.set(allocation, scope);
    this.perUser.set(auth.username, users + 1);
    this.stats.allocations = this.live.size;
    this.stats.allocationsCreated++;

    const w = r
      .successTo(method, txId)
      .addAddress(this.config.relayAddress, relay.port, TurnAttr.XorRelayedAddress)
      .addUint32(TurnAttr.Lifetime, lifetime);
    if (relay.token !== undefined) w.addBytes(TurnAttr.ReservationToken, relay.token);
    w.addAddress(address, port, StunAttr.XorMappedAddress);
    if (ipv6Refused) {
      // ADDRESS-ERROR-CODE (RFC 8656 §18.11): family IPv6, 440.
      w.addBytes(
        TurnAttr.AddressErrorCode,
        Buffer.concat([Buffer.from([FAMILY_IPV6, 0, 4, 40]), Buffer.from('Address Family not Supported')]),
      );
    }
    allocation.allocateResponse = r.send(client, auth);
  }

  /** The bandwidth buckets of `username`'s allocations (its own is shared by all of them). */
  private quotaFor(username: string): RelayQuota | undefined {
    const rate = this.config.userBandwidth;
    if (rate === undefined && this.totalBucket === undefined) return undefined;
    let user: TokenBucket | undefined;
    if (rate !== undefined) {
      user = this.userBuckets.get(username);
      if (user === undefined) {
        user = new TokenBucket(rate);
        this.userBuckets.set(username, user);
      }
    }
    return new RelayQuota(user, this.totalBucket);
  }

  /** min(requested, max), and at least the default (RFC 8656 §7.2, §8). */
  private lifetime(v: StunMessageView, fallback: number): number {
    const at = v.findAttribute(TurnAttr.Lifetime);
    if (at < 0 || v.attributeLengths[at] !== 4) return fallback;
    const o = v.attributeOffsets[at];
    const requested = ((v.buf[o] << 24) | (v.buf[o + 1] << 16) | (v.buf[o + 2] << 8) | v.buf[o + 3]) >>> 0;
    if (requested === 0) return 0;
    return Math.min(Math.max(requested, this.config.defaultLifetime), this.config.maxLifetime);
  }

  /** RFC 8656 §8. */
  private refresh(
    scope: TupleScope,
    address: string,
    port: number,
    allocation: Allocation,
    v: StunMessageView,
    auth: TurnAuth,
  ): void {
    const familyAt = v.findAttribute(TurnAttr.RequestedAddressFamily);
    if (familyAt >= 0 && v.buf[v.attributeOffsets[familyAt]] !== FAMILY_IPV4) {
      this.responder.sendError(allocation.client, v, TurnError.PeerAddressFamilyMismatch, auth);
      return;
    }
    const lifetime = this.lifetime(v, this.config.defaultLifetime);
    if (lifetime === 0) {
      this.remove(allocation, scope, address, port);
      this.stats.allocationsDeleted++;
    } else {
      allocation.expiresAt = Date.now() + lifetime * 1000;
    }
    this.responder.success(v).addUint32(TurnAttr.Lifetime, lifetime);
    this.responder.send(allocation.client, auth);
  }

  /** RFC 8656 §9: all peers, or none. */
  private createPermission(allocation: Allocation, v: StunMessageView, auth: TurnAuth): void {
    const first = v.findAttribute(TurnAttr.XorPeerAddress);
    if (first < 0) {
      this.responder.sendError(allocation.client, v, TurnError.BadRequest, auth);
      return;
    }
    for (let i = first; i >= 0; i = v.findAttribute(TurnAttr.XorPeerAddress, i + 1)) {
      const code = this.checkPeer(v, i);
      if (code !== 0) {
        this.responder.sendError(allocation.client, v, code, auth);
        return;
      }
    }
    const until = Date.now() + this.config.permissionLifetime * 1000;
    for (let i = first; i >= 0; i = v.findAttribute(TurnAttr.XorPeerAddress, i + 1)) {
      allocation.permit(v.addressAt(i)!.address, until);
    }
    this.responder.success(v);
    this.responder.send(allocation.client, auth);
  }

  /** 0 when the peer at table index `i` may be used, else the error code. */
  private checkPeer(v: StunMessageView, i: number): TurnError | 0 {
    const peer = v.addressAt(i);
    if (peer === undefined) return TurnError.BadRequest;
    if (peer.family !== 'IPv4') return TurnError.PeerAddressFamilyMismatch;
    if (!this.config.policy.isAllowed(peer.address)) {
      this.stats.forbiddenPeers++;
      return TurnError.Forbidden;
    }
    return 0;
  }

  /** RFC 8656 §12.2. */
  private channelBind(allocation: Allocation, v: StunMessageView, auth: TurnAuth): void {
    const client = allocation.client;
    const numberAt = v.findAttribute(TurnAttr.ChannelNumber);
    const peerAt = v.findAttribute(TurnAttr.XorPeerAddress);
    if (numberAt < 0 || peerAt < 0 || v.attributeLengths[numberAt] !== 4) {
      this.responder.sendError(client, v, TurnError.BadRequest, auth);
      return;
    }
    const o = v.attributeOffsets[numberAt];
    const number = (v.buf[o] << 8) | v.buf[o + 1];
    const code = isValidChannelNumber(number, this.config.maxChannelNumber)
      ? this.checkPeer(v, peerAt)
      : TurnError.BadRequest;
    if (code !== 0) {
      this.responder.sendError(client, v, code, auth);
      return;
    }
    const peer = v.addressAt(peerAt)!;
    const bound = allocation.channelsByNumber.get(number);
    const peerBound = allocation.channelsByPeer.get(peer.address, peer.port);
    if (
      (bound !== undefined && (bound.peerAddress !== peer.address || bound.peerPort !== peer.port)) ||
      (peerBound !== undefined && peerBound.number !== number)
    ) {
      this.responder.sendError(client, v, TurnError.BadRequest, auth);
      return;
    }
    const now = Date.now();
    allocation.bindChannel(number, peer.address, peer.port, now + this.config.channelLifetime * 1000);
    allocation.permit(peer.address, now + this.config.permissionLifetime * 1000);
    this.responder.success(v);
    this.responder.send(client, auth);
  }

  /** RFC 8656 §11.2: indications are never answered; anything wrong drops them. */
  private onSend(scope: TupleScope, address: string, port: number, v: StunMessageView): void {
    const allocation = scope.get(address, port);
    const peerAt = v.findAttribute(TurnAttr.XorPeerAddress);
    const dataAt = v.findAttribute(TurnAttr.Data);
    const peer = v.addressAt(peerAt);
    // DONT-FRAGMENT cannot be honoured (node:dgram has no DF), and Allocate refused it already.
    if (
      allocation === undefined ||
      peer === undefined ||
      dataAt < 0 ||
      v.findAttribute(TurnAttr.DontFragment) >= 0 ||
      !allocation.hasPermission(peer.address, Date.now())
    ) {
      this.stats.clientPacketsDropped++;
      return;
    }
    const o = v.attributeOffsets[dataAt];
    const data = v.buf.subarray(o, o + v.attributeLengths[dataAt]);
    // A stream framer may reuse its buffer: copy; a datagram is ours.
    if (
      allocation.sendToPeer(allocation.client.isStream ? Buffer.from(data) : data, peer.address, peer.port)
    ) {
      this.stats.sendIndications++;
    }
  }

  /** RFC 8656 §12.5. */
  private onChannelData(
    scope: TupleScope,
    address: string,
    port: number,
    buf: Uint8Array,
    length: number,
  ): void {
    const allocation = scope.get(address, port);
    const number = (buf[0] << 8) | buf[1];
    const len = (buf[2] << 8) | buf[3];
    const channel = allocation?.channelsByNumber.get(number);
    const now = Date.now();
    if (
      channel === undefined ||
      4 + len > length ||
      channel.expiresAt <= now ||
      !allocation!.hasPermission(channel.peerAddress, now)
    ) {
      this.stats.clientPacketsDropped++;
      return;
    }
    const data = buf.subarray(4, 4 + len);
    const copy = allocation!.client.isStream ? Buffer.from(data) : data;
    if (allocation!.sendToPeer(copy, channel.peerAddress, channel.peerPort))
      this.stats.channelDataFromClients++;
  }

  /** Drops what expired: called about once a second. */
  sweep(now = Date.now()): void {
    for (const [allocation, scope] of this.live) {
      if (allocation.sweep(now)) {
        this.remove(allocation, scope, allocation.client.address, allocation.client.port);
        this.stats.allocationsExpired++;
      }
    }
    this.config.relays.sweep(now);
  }

  /** A stream closed: its allocation goes with it (RFC 8656 §3.1). */
  dropScope(scope: TupleScope, address: string, port: number): void {
    const allocation = scope.get(address, port);
    if (allocation === undefined) return;
    this.remove(allocation, scope, address, port);
    this.stats.allocationsDeleted++;
  }

  private remove(allocation: Allocation, scope: TupleScope, address: string, port: number): void {
    if (!this.live.delete(allocation)) return;
    scope.delete(address, port);
    allocation.close();
    this.config.relays.release(allocation.relayPort);
    const n = (this.perUser.get(allocation.username) ?? 1) - 1;
    if (n <= 0) {
      this.perUser.delete(allocation.username);
      this.userBuckets.delete(allocation.username);
    } else this.perUser.set(allocation.username, n);
    this.stats.allocations = this.live.size;
  }

  close(): void {
    this.closed = true;
    for (const [allocation, scope] of this.live) {
      this.remove(allocation, scope, allocation.client.address, allocation.client.port);
    }
    this.config.relays.close();
  }
}

/** ALTERNATE-SERVER's value: MAPPED-ADDRESS encoding (not XORed, RFC 8489 §14.15). */
function mappedAddress(ip: string, port: number): Uint8Array {
  const out = new Uint8Array(20);
  const family = writeIpAddress(ip, out, 4);
  out[1] = family === 6 ? FAMILY_IPV6 : FAMILY_IPV4;
  out[2] = port >> 8;
  out[3] = port & 0xff;
  return family === 6 ? out : out.subarray(0, 8);
}
