/**
 * DTLS 1.2 flights (RFC 6347 §4.2.4), numbered as pion/dtls numbers them:
 *
 *   client                                          server
 *   1  ClientHello                          ──▶     0  waiting, stateless
 *                                           ◀──     2  HelloVerifyRequest (stateless, never resent)
 *   3  ClientHello with cookie              ──▶
 *                                           ◀──     4  ServerHello, Certificate, ServerKeyExchange,
 *                                                      [CertificateRequest], ServerHelloDone
 *   5  [Certificate], ClientKeyExchange,
 *      [CertificateVerify], CCS, Finished   ──▶
 *                                           ◀──     6  CCS, Finished
 *
 * Flight 2 is not a state: the server answers a cookie-less ClientHello
 * without keeping anything (see `flights/flight2-handler.ts`), so it stays
 * in flight 0 until a ClientHello brings a valid cookie back.
 */
export type FlightVal = 0 | 1 | 3 | 4 | 5 | 6;

/** Where reading the peer's answer leads: the flight we send next, or the end of the handshake. */
export type FlightOutcome = FlightVal | 'finished';

export interface FlightRule {
  /** The side that is in this flight. */
  readonly role: 'client' | 'server';
  /** Resent by the back-off timer while we wait for the answer. */
  readonly retransmits: boolean;
  /** What the peer's answer may lead to; empty: the handshake is finished once this flight is sent. */
  readonly next: readonly FlightOutcome[];
}

export const FLIGHTS: Readonly<Record<FlightVal, FlightRule>> = {
  0: { role: 'server', retransmits: false, next: [4] },
  // A server that skips the cookie exchange answers flight 1 with flight 4 directly.
  1: { role: 'client', retransmits: true, next: [3, 5] },
  // Another HelloVerifyRequest (a new cookie) gets another flight 3.
  3: { role: 'client', retransmits: true, next: [3, 5] },
  4: { role: 'server', retransmits: true, next: [6] },
  5: { role: 'client', retransmits: true, next: ['finished'] },
  // The last flight: resent only when the client resends flight 5 (RFC 6347 §4.2.4).
  6: { role: 'server', retransmits: false, next: [] },
};

/** The flight each side starts in. */
export function firstFlight(role: 'client' | 'server'): FlightVal {
  return role === 'client' ? 1 : 0;
}

/** Whether the table allows `to` after `from`. */
export function canFollow(from: FlightVal, to: FlightOutcome): boolean {
  return FLIGHTS[from].next.includes(to);
}

/** Whether sending `flight` ends the handshake (we then keep it to resend on the peer's retransmission). */
export function isLastSendFlight(flight: FlightVal): boolean {
  return FLIGHTS[flight].next.length === 0;
}
