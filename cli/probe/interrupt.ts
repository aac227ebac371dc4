/**
 * How a probe stops early: on SIGINT, SIGTERM or an aborted AbortSignal it
 * stops waiting (requests that create something are always awaited, so
 * nothing is made behind the cleanup's back), and the caller removes what it
 * made. The handlers stay until `dispose`, so a second Ctrl-C during the
 * cleanup does not kill the process halfway through it.
 */

/** Thrown when the probe was stopped by a signal or `signal`; nothing is left behind. */
export class ProbeInterrupted extends Error {
  constructor(why: string) {
    super(`probe interrupted (${why}); its machine and app were removed`);
    this.name = "ProbeInterrupted";
  }
}

export interface Interruptible {
  /** Throws ProbeInterrupted when the probe was stopped. */
  checkpoint(): void;
  /** `p`, or ProbeInterrupted as soon as the probe is stopped (`p` is left to settle). */
  orStop<T>(p: Promise<T>): Promise<T>;
  /** Stops listening for the signals. */
  dispose(): void;
}

export function interruptible(
  signal: AbortSignal | undefined,
  log: (line: string) => void,
): Interruptible {
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason ?? "aborted");
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) return log(`${sig}: still removing the probe's machine and app`);
    log(`${sig}: stopping the probe; removing its machine and app`);
    stop.abort(sig);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const why = () => String(stop.signal.reason ?? "aborted");
  const stopped = new Promise<never>((_, reject) => {
    const fail = () => reject(new ProbeInterrupted(why()));
    if (stop.signal.aborted) fail();
    else stop.signal.addEventListener("abort", fail, { once: true });
  });
  stopped.catch(() => {});
  return {
    checkpoint() {
      if (stop.signal.aborted) throw new ProbeInterrupted(why());
    },
    orStop<T>(p: Promise<T>): Promise<T> {
      p.catch(() => {});
      return Promise.race([p, stopped]);
    },
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}
