/** The e2e harness (Node side). Pages import from `./page/` and `./protocol.js` instead. */
export {
  browserCommandLine,
  browserProcessIds,
  CHROMIUM_ARGS,
  chromiumPath,
  type LaunchBrowserOptions,
  launchBrowser,
  PLAYWRIGHT_DISABLED_FEATURES,
} from './browser.js';
export { BUNDLE_DIR, type BundledPage, bundlePage, E2E_DIR } from './bundle-page.js';
export { resolveChromiumPath } from './chromium-binary.js';
export { callPage, type E2ePage, E2eSession, type E2eSessionOptions } from './e2e-session.js';
export type { PageApi } from './page/expose-api.js';
export type { MethodTable, NotificationTable, SignalSchema } from './protocol.js';
export * from './rtc-stats.js';
export { SignalChannel, type SignalChannelOptions } from './signal-channel.js';
export { type ServerSignal, type SignalPeer, TestServer } from './test-server.js';
export {
  type ReceivedRtpStream,
  WebRtcTestEndpoint,
  type WebRtcTestEndpointCounters,
} from './webrtc-test-endpoint.js';
