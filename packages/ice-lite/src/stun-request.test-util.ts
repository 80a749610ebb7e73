/** Builds ICE connectivity checks as a controlling peer would, for tests. */
import { StunAttr, StunClass, StunMethod } from './stun-constants.js';
import { StunMessageWriter } from './stun-message-writer.js';

export interface CheckOptions {
  username: string;
  password: string;
  priority?: number | null;
  useCandidate?: boolean;
  nomination?: number;
  controlled?: boolean;
  extra?: { type: number; value: Uint8Array }[];
  integrity?: boolean;
  fingerprint?: boolean;
  method?: number;
  txId?: Uint8Array;
}

export function bindingRequest(o: CheckOptions): Buffer {
  const w = new StunMessageWriter(new Uint8Array(1024));
  w.begin(o.method ?? StunMethod.Binding, StunClass.Request, o.txId);
  w.addString(StunAttr.Username, o.username);
  if (o.priority !== null) w.addUint32(StunAttr.Priority, o.priority ?? 0x6e7f1eff);
  if (o.controlled) w.addUint64(StunAttr.IceControlled, 0x0102030405060708n);
  else w.addUint64(StunAttr.IceControlling, 0x1112131415161718n);
  if (o.useCandidate) w.addFlag(StunAttr.UseCandidate);
  if (o.nomination !== undefined) w.addUint32(StunAttr.Nomination, o.nomination);
  for (const e of o.extra ?? []) w.addBytes(e.type, e.value);
  if (o.integrity !== false) w.addIntegrity(Buffer.from(o.password, 'utf8'));
  if (o.fingerprint !== false) w.addFingerprint();
  return w.toBuffer();
}
