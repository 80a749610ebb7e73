/**
 * vitest global setup (main process, before any test worker): unpack the
 * browser once and hand its path to every worker through `TSFU_CHROMIUM`
 * (workers inherit the environment), so parallel files never race to unpack it.
 */
import { resolveChromiumPath } from './chromium-binary.js';

export default async function setup(): Promise<void> {
  process.env.TSFU_CHROMIUM = await resolveChromiumPath();
}
