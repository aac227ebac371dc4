/** Switchable Fly-like rate limits and fault injection (both off by default). */

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets keyed by action + subject (machine id, or app for app-scoped calls). */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** True when the call may proceed. */
  take(key: string, perSecond: number, burst: number, now = Date.now()): boolean {
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/**
 * Fly's documented limits: 1 req/s per action per machine with bursts to 3;
 * Get Machine 5 req/s with bursts to 10.
 */
export function limitFor(method: string, route: string): { perSecond: number; burst: number } {
  if (method === "GET" && route.endsWith("/machines/:id")) return { perSecond: 5, burst: 10 };
  return { perSecond: 1, burst: 3 };
}

export interface Faults {
  rate: number;
  latencyMs: number;
}

/** The status to fail a request with, or undefined to let it through. */
export function injectedFault(f: Faults, random: () => number = Math.random): number | undefined {
  if (f.rate <= 0 || random() >= f.rate) return undefined;
  const codes = [500, 502, 503];
  return codes[Math.floor(random() * codes.length)];
}
