/**
 * The project's one retry policy for Machines API calls, and the one function
 * that runs it (`withRetry`: cockatiel's retry, with our classifier and
 * backoff; cockatiel 3, as 4 is ESM-only and needs Node 22).
 *
 * What is retried: 429 (waiting what `Retry-After` asks), 5xx, a failed
 * connection, and two refusals that last only while a machine is being
 * destroyed (see `retryable`). Nothing else. At most `attempts` tries in all,
 * no retry starts once `maxElapsedMs` has passed since the first, and the
 * delays are exponential with decorrelated jitter, each at most `maxDelayMs`.
 *
 * Every call is retried by exactly one layer. The pacer (ops/fly-pacer.ts)
 * runs the policy for everything that goes through it (OpenTofu's provider,
 * bin/fly-machines in a provisioner step, the CLI's own calls during a run)
 * and marks each answer it passes back with `PACED_HEADER`; MachinesApi
 * (ops/machines-api.ts) runs the same policy only for answers without that
 * mark, i.e. when it talks to Fly (or the emulator) directly.
 */
import {
  ExponentialBackoff,
  IBackoff,
  IBackoffFactory,
  IRetryBackoffContext,
  handleWhen,
  retry,
} from "cockatiel";

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** The typical first delay (jittered), roughly doubled for each retry after it. */
  readonly baseDelayMs: number;
  /** Upper bound of one delay, `Retry-After` included. */
  readonly maxDelayMs: number;
  /** No retry starts once this long has passed since the first try. */
  readonly maxElapsedMs: number;
}

export const FLY_RETRY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 1000,
  maxDelayMs: 20_000,
  maxElapsedMs: 60_000,
};

/**
 * Set by the pacer on every answer it passes back (the value: the tries it
 * made): that answer has had the policy, so no client retries it again.
 */
export const PACED_HEADER = "fly-k3s-attempts";

/**
 * True for answers the policy retries: 429, 5xx, and two refusals that last
 * only while a machine is being destroyed (Fly answers a machine's DELETE
 * while it is still `destroying`): a volume delete refused because the volume
 * is still attached (412), and a machine create refused because the old
 * machine still holds the name (409; Terraform replaces by destroy, then
 * create). `action` is config/fly-limits.ts's name for the call. Pure.
 */
export function retryable(status: number, action = "", body = ""): boolean {
  if (status === 429 || status >= 500) return true;
  if (status === 412 && action === "volume.delete") return /attached to machine/.test(body);
  return status === 409 && action === "machine.create" && /already (used|taken)/.test(body);
}

/** `Retry-After` (seconds or an HTTP date) in ms from `nowMs`; undefined when absent or unreadable. Pure. */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  const after = header?.trim();
  if (!after) return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Math.round(Number(after) * 1000);
  const at = Date.parse(after);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** What the policy needs to know of an answer. */
export interface Answer {
  readonly status: number;
  /** The `Retry-After` header, when any. */
  readonly retryAfter?: string | null;
}

type Context = IRetryBackoffContext<unknown>;

/**
 * The delays: what `Retry-After` asks when an answer gave one, else the next
 * jittered exponential delay; at most `maxDelayMs` either way.
 */
function backoff(
  policy: RetryPolicy,
  now: () => number,
  jitter?: IBackoff<unknown>,
): IBackoffFactory<Context> {
  return {
    next(context: Context): IBackoff<Context> {
      const nextJitter: IBackoff<unknown> = jitter
        ? jitter.next(context)
        : new ExponentialBackoff({
            initialDelay: policy.baseDelayMs,
            maxDelay: policy.maxDelayMs,
          }).next();
      const r = context.result;
      const asked = "value" in r ? retryAfterMs((r.value as Answer).retryAfter, now()) : undefined;
      return {
        duration: Math.min(policy.maxDelayMs, Math.round(asked ?? nextJitter.duration)),
        next: (c: Context) => backoff(policy, now, nextJitter).next(c),
      };
    },
  };
}

export interface RetryOptions<A extends Answer> {
  readonly policy?: RetryPolicy;
  /** Whether this answer is worth another try (usually `retryable` of it). */
  readonly again: (answer: A) => boolean;
  /** Called before each delay: the try that failed (1 for the first), the delay, and what failed. */
  readonly onRetry?: (r: { attempt: number; delayMs: number; answer?: A; error?: Error }) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Sends (`send` makes one try: it throws only when no answer came) until an
 * answer is not worth another try or the policy's bounds are reached, and
 * returns the last answer; throws the last error when no answer ever came.
 */
export async function withRetry<A extends Answer>(
  send: () => Promise<A>,
  opts: RetryOptions<A>,
): Promise<A> {
  const policy = opts.policy ?? FLY_RETRY;
  const now = opts.now ?? Date.now;
  const start = now();
  const inTime = () => now() - start < policy.maxElapsedMs;
  const p = retry(
    handleWhen(() => inTime()).orWhenResult((a) => opts.again(a as A) && inTime()),
    { maxAttempts: Math.max(0, policy.attempts - 1), backoff: backoff(policy, now) },
  );
  if (opts.onRetry) {
    const onRetry = opts.onRetry;
    p.onRetry((e) =>
      onRetry({
        attempt: e.attempt,
        delayMs: e.delay,
        ...("value" in e ? { answer: e.value as A } : { error: e.error }),
      }),
    );
  }
  return p.execute(() => send());
}
