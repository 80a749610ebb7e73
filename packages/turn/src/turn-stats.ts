/** Counters of a TURN server: what it relayed, answered, refused and dropped. */
export interface TurnServerStats {
  /** Allocations alive now. */
  allocations: number;
  allocationsCreated: number;
  allocationsExpired: number;
  /** Deleted by Refresh with LIFETIME 0 or a closed TCP/TLS connection. */
  allocationsDeleted: number;
  permissions: number;
  channels: number;
  /** STUN requests received (any method). */
  requests: number;
  bindingRequests: number;
  /** Success responses sent. */
  successResponses: number;
  /** Error responses sent, by code. */
  errorResponses: Record<number, number>;
  /** Not STUN, not ChannelData, or a STUN message that does not parse: dropped. */
  malformed: number;
  /** Responses, unknown indications and messages with methods we do not serve: dropped. */
  ignored: number;
  /** Packets relayed client → peer, by kind. */
  channelDataFromClients: number;
  sendIndications: number;
  /** Packets relayed peer → client, by kind. */
  channelDataToClients: number;
  dataIndications: number;
  bytesToPeers: number;
  bytesToClients: number;
  /** Client packets dropped: no allocation, unbound channel, no permission, bad Send indication. */
  clientPacketsDropped: number;
  /** Peer packets dropped: no permission for their address. */
  peerPacketsDropped: number;
  /** Peers refused by the policy (403 or a dropped Send indication). */
  forbiddenPeers: number;
  /** Allocations refused by a quota (486), per user or in total. */
  userQuotaHits: number;
  totalQuotaHits: number;
  /** Packets dropped because their user's or the server's bandwidth quota was spent. */
  bandwidthQuotaDrops: number;
  /** TCP/TLS connections open now, and those closed for bad framing or too many connections. */
  streamConnections: number;
  streamFramingErrors: number;
  streamConnectionsRefused: number;
  /** Send callbacks or socket writes that threw. */
  sendErrors: number;
}

export function newTurnServerStats(): TurnServerStats {
  return {
    allocations: 0,
    allocationsCreated: 0,
    allocationsExpired: 0,
    allocationsDeleted: 0,
    permissions: 0,
    channels: 0,
    requests: 0,
    bindingRequests: 0,
    successResponses: 0,
    errorResponses: {},
    malformed: 0,
    ignored: 0,
    channelDataFromClients: 0,
    sendIndications: 0,
    channelDataToClients: 0,
    dataIndications: 0,
    bytesToPeers: 0,
    bytesToClients: 0,
    clientPacketsDropped: 0,
    peerPacketsDropped: 0,
    forbiddenPeers: 0,
    userQuotaHits: 0,
    totalQuotaHits: 0,
    bandwidthQuotaDrops: 0,
    streamConnections: 0,
    streamFramingErrors: 0,
    streamConnectionsRefused: 0,
    sendErrors: 0,
  };
}
