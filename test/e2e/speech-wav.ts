/**
 * A speech-like WAV for the active-speaker test: 200 ms "syllables" (a
 * voiced tone with harmonics, varying loudness) separated by short pauses
 * that carry a faint noise floor, as a real microphone does. RFC 6464 levels
 * of it rise and fall like speech; a steady tone would look like background.
 */

/** 16-bit mono PCM WAV of `seconds` at `sampleRate`. */
export function speechLikeWav(seconds = 4, sampleRate = 48000): Buffer {
  const n = Math.round(seconds * sampleRate);
  const pcm = Buffer.alloc(n * 2);
  const syllableMs = [200, 180, 220, 160, 240];
  const pauseMs = [70, 110, 60, 90, 80];
  const loudness = [0.5, 0.35, 0.6, 0.4, 0.55];
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff - 0.5;
  };
  let i = 0;
  for (let k = 0; i < n; k++) {
    const on = Math.round((syllableMs[k % 5] * sampleRate) / 1000);
    const off = Math.round((pauseMs[k % 5] * sampleRate) / 1000);
    const amp = loudness[k % 5];
    const f0 = 150 + 30 * (k % 4);
    for (let j = 0; j < on + off && i < n; j++, i++) {
      let v = 0.002 * noise();
      if (j < on) {
        // 10 ms attack and release, so the syllables do not click.
        const ramp = Math.min(1, j / (0.01 * sampleRate), (on - j) / (0.01 * sampleRate));
        const t = j / sampleRate;
        const voiced =
          Math.sin(2 * Math.PI * f0 * t) +
          0.5 * Math.sin(4 * Math.PI * f0 * t) +
          0.25 * Math.sin(6 * Math.PI * f0 * t);
        v += (amp * ramp * voiced) / 1.75;
      }
      pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), i * 2);
    }
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
