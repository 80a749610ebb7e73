/**
 * Page for the harness's own tests: signalling both ways, and the ICE
 * candidates Chromium gathers under the harness's flags.
 */
import { connectSignal, type PageSignal } from '../harness/page/connect-signal.js';
import { exposePageApi } from '../harness/page/expose-api.js';
import type { SelftestPageApi, SelftestSchema } from './harness-selftest-schema.js';

let signal: PageSignal<SelftestSchema>;
const pings: number[] = [];

/** Resolves with the local SDP once ICE gathering is complete (at most 5 s). */
function gathered(pc: RTCPeerConnection): Promise<string> {
  return new Promise((resolve) => {
    const done = () => resolve(pc.localDescription?.sdp ?? '');
    if (pc.iceGatheringState === 'complete') return done();
    const t = setTimeout(done, 5000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(t);
      done();
    });
  });
}

const api: SelftestPageApi = {
  async echo(text) {
    return signal.request('echo', { text });
  },
  async fail() {
    try {
      await signal.request('fail', null);
      return 'no error';
    } catch (err) {
      return (err as Error).message;
    }
  },
  async hello() {
    signal.notify('hello', { from: 'page' });
  },
  async pings() {
    return [...pings];
  },
  async gatherHostCandidates() {
    // Media permission first: without it Chromium gathers on the default interface only.
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio');
    await pc.setLocalDescription(await pc.createOffer());
    const sdp = await gathered(pc);
    // No remote description: nothing is ever sent.
    pc.close();
    for (const t of stream.getTracks()) t.stop();
    return sdp
      .split('\r\n')
      .filter((l) => l.startsWith('a=candidate:'))
      .map((l) => l.slice(2));
  },
};

connectSignal<SelftestSchema>().then(
  (s) => {
    signal = s;
    s.onNotification('ping', ({ n }) => pings.push(n));
    s.handle('add', ({ a, b }) => a + b);
    exposePageApi(api);
  },
  (err) => console.error('signalling failed', err),
);
