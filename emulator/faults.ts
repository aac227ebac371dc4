/**
 * Fault decisions, pure: latency drawn from a log-normal distribution,
 * injected 5xx, and 429 burst windows (periodic and one-shot). Clock and
 * random source are injectable so tests can drive them.
 */

/** Per-request latency: a log-normal distribution given by its median and 99th percentile. */
export interface Latency {
  medianMs: number;
  p99Ms: number;
}

/** Periodic windows in which every (non-admin) request gets 429. */
export interface Burst429 {
  /** Period, ms (0 = off). */
  everyMs: number;
  /** Length of the window at the end of each period, ms (0 = off). */
  durationMs: number;
}

export const NO_LATENCY: Latency = { medianMs: 0, p99Ms: 0 };

/**
 * An ASSUMPTION, not a measurement: Fly's real Machines API latency is not
 * published (UNCONFIRMED). Median 60 ms, p99 400 ms looks like a remote API
 * called across a continent; use it to exercise timeouts and pacing, not as
 * a benchmark of Fly.
 */
export const FLY_LIKE_LATENCY: Latency = { medianMs: 60, p99Ms: 400 };

/** The standard normal's 99th percentile. */
export const Z99 = 2.3263478740408408;

/** A standard normal variate from two uniform draws (Box-Muller). */
export function standardNormal(random: () => number = Math.random): number {
  const u = 1 - random(); // (0, 1]: log(0) never happens
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * One latency sample, ms. Log-normal with mu = ln(median) and
 * sigma = ln(p99 / median) / z99, so the median and the 99th percentile are
 * the given ones. median <= 0 means no latency; p99 <= median means a
 * constant median. Pure given `random`.
 */
export function sampleLatencyMs(l: Latency, random: () => number = Math.random): number {
  if (!(l.medianMs > 0)) return 0;
  if (!(l.p99Ms > l.medianMs)) return l.medianMs;
  const sigma = Math.log(l.p99Ms / l.medianMs) / Z99;
  return Math.exp(Math.log(l.medianMs) + sigma * standardNormal(random));
}

/** The latency the CLI's `--latency-ms MS` means: median MS, p99 4 x MS (unless given). */
export function latencyFromMedian(medianMs: number, p99Ms?: number): Latency {
  return { medianMs, p99Ms: p99Ms ?? medianMs * 4 };
}

export const FAULT_STATUSES = [500, 502, 503] as const;

/** The status to fail a request with (500, 502 or 503), or undefined to let it through. */
export function injectedFault(
  rate: number,
  random: () => number = Math.random,
): number | undefined {
  if (!(rate > 0) || random() >= rate) return undefined;
  return FAULT_STATUSES[Math.min(2, Math.floor(random() * FAULT_STATUSES.length))];
}

/**
 * Ms left in the periodic 429 window at `now`, 0 outside one. Periods start at
 * `epoch` (when the setting was last changed); the window is the LAST
 * `durationMs` of each period, so right after switching it on there is
 * `everyMs - durationMs` of calm first. Pure.
 */
export function periodicBurstLeftMs(b: Burst429, epoch: number, now: number): number {
  if (!(b.everyMs > 0) || !(b.durationMs > 0)) return 0;
  if (b.durationMs >= b.everyMs) return b.everyMs; // always on
  const phase = (((now - epoch) % b.everyMs) + b.everyMs) % b.everyMs;
  const start = b.everyMs - b.durationMs;
  return phase >= start ? b.everyMs - phase : 0;
}

/** What to do with one request before it reaches a route. */
export type FaultDecision =
  { kind: "burst429"; retryAfterMs: number } | { kind: "fault"; status: number } | undefined;

export interface FaultSettings {
  faultRate: number;
  burst429: Burst429;
}

/**
 * The mutable part: the one-shot 429 window and the epoch of the periodic
 * one. Decisions are pure functions of settings, clock and random.
 */
export class Faults {
  private oneShotUntil = 0;
  private epoch: number;

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.epoch = clock();
  }

  /** Restart the periodic 429 windows' clock (called when `burst429` is set). */
  restartPeriod(): void {
    this.epoch = this.clock();
  }

  /** Answer 429 to everything for the next `durationMs`. Returns when that ends (epoch ms). */
  trigger429(durationMs: number): number {
    this.oneShotUntil = Math.max(this.oneShotUntil, this.clock() + durationMs);
    return this.oneShotUntil;
  }

  /** Ms left in any 429 window (one-shot or periodic), 0 outside. */
  burstLeftMs(b: Burst429): number {
    const now = this.clock();
    return Math.max(this.oneShotUntil - now, periodicBurstLeftMs(b, this.epoch, now), 0);
  }

  /** 429 windows first, then the injected 5xx share. */
  decide(s: FaultSettings): FaultDecision {
    const left = this.burstLeftMs(s.burst429);
    if (left > 0) return { kind: "burst429", retryAfterMs: left };
    const status = injectedFault(s.faultRate, this.random);
    return status === undefined ? undefined : { kind: "fault", status };
  }

  /** A latency sample for one request. */
  latencyMs(l: Latency): number {
    return sampleLatencyMs(l, this.random);
  }
}
