/**
 * A DtlsTransport server as it sits on a shared port: fed datagrams by peers
 * that never returned a cookie. Beyond the package's own fuzz test (noise and
 * mutated handshakes into pairs): the server must stay stateless until a
 * ClientHello returns a valid cookie — nothing buffered, no handshake timer,
 * nothing sent but HelloVerifyRequests — and count every datagram.
 */
import { DtlsCertificate, DtlsTransport } from '@tsfu/dtls';
import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mutate, mutation } from './mutate.js';

const HANDSHAKE = 22;
const HELLO_VERIFY_REQUEST = 3;

let serverCert: DtlsCertificate;
let clientCert: DtlsCertificate;
/** A real client's first ClientHello, the server's HelloVerifyRequest and the cookie-bearing ClientHello. */
let hello1: Buffer;
let hvr: Buffer;
let hello2: Buffer;
let cookie: Buffer;

beforeAll(async () => {
  [serverCert, clientCert] = await Promise.all([DtlsCertificate.generate(), DtlsCertificate.generate()]);
  const fromClient: Buffer[] = [];
  const fromServer: Buffer[] = [];
  const client = new DtlsTransport({
    role: 'client',
    certificate: clientCert,
    send: (d) => fromClient.push(d),
  });
  const server = new DtlsTransport({
    role: 'server',
    certificate: serverCert,
    cookieContext: 'peer-a',
    send: (d) => fromServer.push(d),
  });
  server.start();
  client.start();
  hello1 = fromClient[0];
  server.handle(hello1);
  hvr = fromServer[0];
  client.handle(hvr);
  hello2 = fromClient[1];
  client.close();
  server.close();
  cookie = hvr.subarray(28, 28 + hvr[27]);
});
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function isHelloVerifyRequest(d: Buffer): boolean {
  return d.length > 25 && d[0] === HANDSHAKE && d[13] === HELLO_VERIFY_REQUEST;
}

function server(context: string, sent: Buffer[]): DtlsTransport {
  const s = new DtlsTransport({
    role: 'server',
    certificate: serverCert,
    cookieContext: context,
    send: (d) => sent.push(d),
  });
  s.start();
  return s;
}

describe('DTLS server facing unvalidated peers', () => {
  it('the recorded exchange is what the properties assume', () => {
    expect(isHelloVerifyRequest(hvr)).toBe(true);
    expect(cookie.length).toBeGreaterThan(0);
    expect(hello2.indexOf(cookie)).toBeGreaterThan(0);
    // The genuine cookie-bearing hello creates state for the peer it was bound to, not for another.
    const sentA: Buffer[] = [];
    const a = server('peer-a', sentA);
    a.handle(hello2);
    expect(sentA.some((d) => !isHelloVerifyRequest(d))).toBe(true);
    const sentB: Buffer[] = [];
    const b = server('peer-b', sentB);
    b.handle(hello2);
    expect(sentB.every(isHelloVerifyRequest)).toBe(true);
    a.close();
    b.close();
  });

  it('noise, mutated ClientHellos and replayed cookies of another peer leave no state; all counted', () => {
    const sent: Buffer[] = [];
    const s = server('peer-b', sent); // hello2's cookie was made for peer-a
    let fed = 0;
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      mutation(hello1).map((m) => mutate(hello1, m)),
      mutation(hello2).map((m) => mutate(hello2, m)),
      fc.constant(hello2),
    );
    fc.assert(
      fc.property(input, (d) => {
        const before = s.stats.helloVerifyRequestsSent + s.stats.droppedRecords + s.stats.badRecords;
        s.handle(d);
        fed++;
        expect(s.bufferedBytes).toBe(0);
        // A non-empty datagram is either answered with a HelloVerifyRequest or counted as dropped.
        if (d.length > 0)
          expect(
            s.stats.helloVerifyRequestsSent + s.stats.droppedRecords + s.stats.badRecords,
          ).toBeGreaterThan(before);
      }),
      { seed: 0xd715, numRuns: 1500 },
    );
    expect(s.stats.datagramsReceived).toBe(fed);
    expect(sent.every(isHelloVerifyRequest)).toBe(true);
    expect(sent.length).toBe(s.stats.helloVerifyRequestsSent);
    // No handshake clock was started: a minute later the server is still waiting, not failed.
    vi.advanceTimersByTime(60_000);
    expect(s.state).toBe('connecting');
    s.close();
  });

  it('a mutated cookie-bearing ClientHello creates state only if it still carries the valid cookie', () => {
    const outcomes = { created: 0, refused: 0 };
    fc.assert(
      fc.property(mutation(hello2), (m) => {
        const d = mutate(hello2, m);
        const sent: Buffer[] = [];
        const s = server('peer-a', sent);
        expect(() => s.handle(d)).not.toThrow();
        vi.advanceTimersByTime(40_000); // past the handshake deadline, if one was armed
        const stateCreated = s.state !== 'connecting' || sent.some((x) => !isHelloVerifyRequest(x));
        if (stateCreated) expect(d.indexOf(cookie)).toBeGreaterThan(0);
        else expect(s.bufferedBytes).toBe(0);
        outcomes[stateCreated ? 'created' : 'refused']++;
        s.close();
      }),
      { seed: 0xc00c, numRuns: 400 },
    );
    // Both branches were exercised (mutants that keep the cookie reach the handshake proper).
    expect(outcomes.created).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
