/**
 * Long-term credentials (RFC 8489 §9.2) from a user table and/or the "TURN
 * REST API" ephemeral scheme (draft-uberti-behave-turn-rest, coturn's
 * `use-auth-secret`): username `expiry:user` (expiry in Unix seconds),
 * password base64(HMAC-SHA1(secret, username)).
 */
import { createHmac } from 'node:crypto';
import { longTermKey } from '@tsfu/ice-lite';

export interface TurnAuthOptions {
  /** REALM sent in 401/438 answers and mixed into the long-term key. */
  realm: string;
  /** Static users: username → password, or a lookup (undefined: no such user). */
  users?: Readonly<Record<string, string>> | ((username: string) => string | undefined);
  /**
   * TURN REST API shared secret(s). Several verify (rotation); the first one
   * signs what {@link turnRestCredentials} hands out.
   */
  secret?: string | readonly string[];
  /** Separator between expiry and user in REST usernames (default ':', as coturn). */
  restSeparator?: string;
  /** NONCE validity in seconds before 438 Stale Nonce (default 600, coturn's). */
  nonceLifetimeSeconds?: number;
}

/** Ephemeral `iceServers` credentials for `user`, valid `ttlSeconds` from `nowMs`. */
export function turnRestCredentials(
  secret: string,
  user: string,
  ttlSeconds = 86400,
  nowMs = Date.now(),
  separator = ':',
): { username: string; credential: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}${separator}${user}`;
  return { username, credential: restPassword(secret, username) };
}

function restPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username, 'utf8').digest('base64');
}

/** Keys cached per username, so a busy allocation does not rehash MD5 per request. */
const MAX_CACHED_KEYS = 4096;

export class TurnCredentials {
  readonly realm: string;
  private readonly users: TurnAuthOptions['users'];
  private readonly secrets: readonly string[];
  private readonly separator: string;
  private readonly cache = new Map<string, Buffer[]>();

  constructor(options: TurnAuthOptions) {
    if (typeof options.realm !== 'string' || options.realm.length === 0) {
      throw new TypeError('auth.realm must be a non-empty string');
    }
    this.realm = options.realm;
    this.users = options.users;
    this.secrets =
      options.secret === undefined
        ? []
        : typeof options.secret === 'string'
          ? [options.secret]
          : options.secret;
    this.separator = options.restSeparator ?? ':';
    if (this.users === undefined && this.secrets.length === 0) {
      throw new TypeError(
        'auth needs users and/or a secret: a TURN server without credentials is an open relay',
      );
    }
  }

  /**
   * Long-term keys (MD5(username:realm:password)) the request may be signed
   * with: one per matching credential source; empty when the user is unknown
   * or its REST username has expired.
   */
  keysFor(username: string, nowMs = Date.now()): Buffer[] {
    const rest = this.restExpiry(username);
    if (rest !== undefined && rest * 1000 <= nowMs) return []; // expired ephemeral credentials
    const cached = this.cache.get(username);
    if (cached !== undefined) return cached;
    const keys: Buffer[] = [];
    const users = this.users;
    const password = typeof users === 'function' ? users(username) : users?.[username];
    if (password !== undefined) keys.push(longTermKey(username, this.realm, password));
    if (rest !== undefined) {
      for (const s of this.secrets) keys.push(longTermKey(username, this.realm, restPassword(s, username)));
    }
    // A lookup function may change its answer (a password reset): only table and REST keys are cached.
    if (keys.length > 0 && typeof users !== 'function') {
      if (this.cache.size >= MAX_CACHED_KEYS) this.cache.clear();
      this.cache.set(username, keys);
    }
    return keys;
  }

  /** The expiry (Unix seconds) of a REST username, or undefined when it is not one. */
  private restExpiry(username: string): number | undefined {
    if (this.secrets.length === 0) return undefined;
    const at = username.indexOf(this.separator);
    const digits = at < 0 ? username : username.substring(0, at);
    if (!/^\d{1,12}$/.test(digits)) return undefined;
    return Number(digits);
  }
}
