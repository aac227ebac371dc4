/**
 * Fly's per-action rate limits as token buckets, and the request counters
 * tests read from `GET /__emulator/stats`. The table itself has one owner:
 * config/fly-limits.ts (`flyAction`, `bucketKey`).
 */
import {
  bucketKey,
  flyAction,
  refilled,
  type Bucket,
  type FlyAction,
  type FlyLimit,
} from "../config/fly-limits";

/** The outcome of one `RateLimiter.check`. */
export interface RateDecision {
  action: FlyAction;
  allowed: boolean;
  /** When refused: ms until the bucket holds a whole token again (0 when allowed). */
  retryAfterMs: number;
}

/** Token buckets, one per `bucketKey` (action + subject). */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Take a token from `key`'s bucket; true when the call may proceed. */
  take(key: string, limit: FlyLimit, now = Date.now()): boolean {
    const b = this.refill(key, limit, now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Ms until `key`'s bucket holds a whole token (0 when it does now). */
  retryAfterMs(key: string, limit: FlyLimit, now = Date.now()): number {
    const b = this.refill(key, limit, now);
    return b.tokens >= 1 ? 0 : Math.ceil(((1 - b.tokens) / limit.perSecond) * 1000);
  }

  /**
   * Classify one Machines API request (`path` without the `/v1` prefix) and
   * take a token for it.
   */
  check(method: string, path: string, now = Date.now()): RateDecision {
    const action = flyAction(method, path);
    const key = bucketKey(action);
    if (this.take(key, action.limit, now)) return { action, allowed: true, retryAfterMs: 0 };
    return { action, allowed: false, retryAfterMs: this.retryAfterMs(key, action.limit, now) };
  }

  /** Forget every bucket (all full again). */
  clear(): void {
    this.buckets.clear();
  }

  private refill(key: string, limit: FlyLimit, now: number): Bucket {
    const b = refilled(this.buckets.get(key), limit, now);
    this.buckets.set(key, b);
    return b;
  }
}

/** Counters for one action (or for all of them). */
export interface Counters {
  /** Authenticated Machines API requests seen (admin calls are not counted). */
  requests: number;
  /** Answered 429 by the token buckets. */
  rateLimited: number;
  /** Answered 429 by a 429 burst window (periodic or one-shot). */
  burst429: number;
  /** Answered an injected 500/502/503. */
  faults5xx: number;
}

export interface Stats {
  /** Every Machines API request. */
  totals: Counters;
  /** The same counters per action (`machine.get`, `volume.create`, ...). */
  byAction: Record<string, Counters>;
}

export type Outcome = "ok" | "rateLimited" | "burst429" | "faults5xx";

const zero = (): Counters => ({ requests: 0, rateLimited: 0, burst429: 0, faults5xx: 0 });

/** Request counters, by action. */
export class StatsRecorder {
  private total = zero();
  private byAction = new Map<string, Counters>();

  record(action: string, outcome: Outcome): void {
    const a = this.byAction.get(action) ?? zero();
    this.byAction.set(action, a);
    for (const c of [this.total, a]) {
      c.requests += 1;
      if (outcome !== "ok") c[outcome] += 1;
    }
  }

  snapshot(): Stats {
    const byAction = Object.fromEntries(
      [...this.byAction.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, { ...v }]),
    );
    return { totals: { ...this.total }, byAction };
  }

  reset(): void {
    this.total = zero();
    this.byAction.clear();
  }
}
