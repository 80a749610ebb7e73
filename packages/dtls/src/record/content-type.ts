/** TLS record content types (RFC 5246 §6.2.1). */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

export function isKnownContentType(t: number): t is ContentType {
  return t >= 20 && t <= 23;
}
