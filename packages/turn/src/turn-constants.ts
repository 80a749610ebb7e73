/**
 * Numbers of TURN (RFC 8656 §17, §18) on top of STUN's (RFC 8489), and the
 * error codes with their reason phrases.
 */

/** TURN methods (RFC 8656 §17). Binding (0x001) is STUN's. */
export const TurnMethod = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;

/** TURN attributes (RFC 8656 §18) and the STUN ones a TURN server answers with. */
export const TurnAttr = {
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  ReservationToken: 0x0022,
  AdditionalAddressFamily: 0x8000,
  AddressErrorCode: 0x8001,
  Icmp: 0x8004,
  AlternateServer: 0x8023,
} as const;

/** Protocol number carried by REQUESTED-TRANSPORT: UDP (the only one relayed). */
export const IPPROTO_UDP = 17;

/** Channel numbers a client may bind (RFC 8656 §12: 0x4000–0x4FFF). */
export const MIN_CHANNEL_NUMBER = 0x4000;
export const MAX_CHANNEL_NUMBER = 0x4fff;
/** RFC 5766's wider range, which coturn and older clients still pick from. */
export const MAX_CHANNEL_NUMBER_RFC5766 = 0x7fff;

/** Lifetimes in seconds (RFC 8656 §3.2, §9, §12). */
export const DEFAULT_ALLOCATION_LIFETIME = 600;
export const MAX_ALLOCATION_LIFETIME = 3600;
export const PERMISSION_LIFETIME = 300;
export const CHANNEL_LIFETIME = 600;
/** A reserved relay port is held this long for the RESERVATION-TOKEN (RFC 8656 §7.2: about 30 s). */
export const RESERVATION_LIFETIME = 30;

/** Error codes (RFC 8489 §14.8, RFC 8656 §19) and their reason phrases. */
export const TurnError = {
  TryAlternate: 300,
  BadRequest: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  UnknownAttribute: 420,
  AllocationMismatch: 437,
  StaleNonce: 438,
  AddressFamilyNotSupported: 440,
  WrongCredentials: 441,
  UnsupportedTransportProtocol: 442,
  PeerAddressFamilyMismatch: 443,
  AllocationQuotaReached: 486,
  ServerError: 500,
  InsufficientCapacity: 508,
} as const;
export type TurnError = (typeof TurnError)[keyof typeof TurnError];

export const TurnErrorReason: Readonly<Record<TurnError, string>> = Object.freeze({
  300: 'Try Alternate',
  400: 'Bad Request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  420: 'Unknown Attribute',
  437: 'Allocation Mismatch',
  438: 'Stale Nonce',
  440: 'Address Family not Supported',
  441: 'Wrong Credentials',
  442: 'Unsupported Transport Protocol',
  443: 'Peer Address Family Mismatch',
  486: 'Allocation Quota Reached',
  500: 'Server Error',
  508: 'Insufficient Capacity',
});
