/**
 * Page side of the signalling link: opens the WebSocket of the server that
 * served the page and wraps it in a `SignalChannel`. Bundled into pages.
 */
import type { SignalSchema } from '../protocol.js';
import { SignalChannel, type SignalChannelOptions } from '../signal-channel.js';

/** The path the test server accepts WebSocket upgrades on. */
export const SIGNAL_PATH = '/signal';

/** The page's end of the link for schema `S`. */
export type PageSignal<S extends SignalSchema> = SignalChannel<
  S['pageRequests'],
  S['serverRequests'],
  S['pageNotifications'],
  S['serverNotifications']
>;

/**
 * Resolves once the socket is open. The page's query string goes along, so
 * `?peer=A` names this page to the server.
 */
export function connectSignal<S extends SignalSchema>(
  options: SignalChannelOptions = {},
): Promise<PageSignal<S>> {
  const ws = new WebSocket(`ws://${location.host}${SIGNAL_PATH}${location.search}`);
  const channel: PageSignal<S> = new SignalChannel((text) => ws.send(text), options);
  ws.addEventListener('message', (ev) => {
    if (typeof ev.data === 'string') channel.receive(ev.data);
  });
  ws.addEventListener('close', () => channel.close('signal socket closed'));
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(channel), { once: true });
    ws.addEventListener('error', () => reject(new Error('signal socket failed to open')), { once: true });
  });
}
