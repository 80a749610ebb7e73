/** Steps of the speaker page (sfu-active-speaker.test.ts); its signalling is the SFU page's (`SfuSchema`). */
import type { RtpCapabilities } from 'mediasoup-client/types';

export interface SpeakerPageApi {
  [step: string]: (arg: never) => unknown;
  load(arg: null): Promise<RtpCapabilities>;
  /**
   * Produces, instead of the microphone, a WAV (base64) looped through Web Audio at `gain`
   * (0 = silent); returns the producer id.
   */
  produceWav(arg: { wavBase64: string; gain: number }): Promise<{ id: string }>;
  /** Changes the loop's gain: the page starts or stops "talking". */
  setGain(gain: number): Promise<void>;
  close(arg: null): Promise<void>;
}
