import { setTimeout } from "node:timers/promises";
import { Log } from "./log";

/** Polls `probe` every `intervalMs` until it returns a value, or fails after `timeoutSec`. */
export async function poll<T>(
  what: string,
  timeoutSec: number,
  probe: () => Promise<T | undefined>,
  log: Log,
  intervalMs = 3000,
): Promise<T> {
  const start = Date.now();
  let lastReport = start;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const elapsed = (Date.now() - start) / 1000;
    if (elapsed >= timeoutSec) {
      throw new Error(`timed out after ${timeoutSec}s waiting for ${what}`);
    }
    // A long wait says so now and then, so a CI log shows it is not stuck.
    if (Date.now() - lastReport >= 15000) {
      log(`still waiting for ${what} (${Math.round(elapsed)}s)`);
      lastReport = Date.now();
    }
    await setTimeout(intervalMs);
  }
}
