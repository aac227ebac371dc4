/**
 * The deploy's pacer: a local HTTP proxy in front of the Fly Machines API.
 * OpenTofu's provider and bin/fly-machines reach Fly through it (their
 * FLY_API_URL is `http://127.0.0.1:<port>/v1`); it forwards each request to
 * the real API URL with the caller's headers (the Authorization header passes
 * through and is never logged) and
 *
 * - keeps Fly's documented per-action, per-subject token buckets
 *   (config/fly-limits.ts, the one owner of the table): a request waits for a
 *   token instead of earning a 429;
 * - retries a 429 or 5xx (or a failed connection; or a volume delete or a
 *   machine create refused while a machine is still being destroyed, see
 *   `retryable`) with backoff, honouring
 *   `Retry-After`, up to a bound, before the provider's own two retries (1 s
 *   and 2 s apart) ever see it; after the bound the last answer goes back.
 *
 * The scheduling (`TokenBuckets`) and the retry delays (`retryDelayMs`) are
 * pure and take the time as an argument.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { Bucket, FlyLimit, bucketKey, flyAction, refilled } from "../config/fly-limits";

/**
 * Token buckets that hand out reservations: `reserve` answers how long the
 * caller must wait before its request may go. A bucket may go below zero
 * (tokens promised to callers already waiting), so callers queue in order.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  /** Milliseconds to wait before sending a request counted under `key`. Pure given `nowMs`. */
  reserve(key: string, limit: FlyLimit, nowMs: number): number {
    const b = refilled(this.buckets.get(key), limit, nowMs);
    b.tokens -= 1;
    this.buckets.set(key, b);
    return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens / limit.perSecond) * 1000);
  }
}

export interface RetryPolicy {
  /** Attempts in all (the first included) for a 429, a 5xx or a failed connection. */
  readonly attempts: number;
  /** Delay before the first retry without Retry-After, doubled each time. */
  readonly baseDelayMs: number;
  /** Upper bound of one delay (Retry-After included). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 15_000 };

/**
 * Delay before retry number `retry` (1 for the first retry): `Retry-After`
 * (seconds or an HTTP date) when given, else exponential backoff; at most
 * `maxDelayMs`. Pure.
 */
export function retryDelayMs(
  retry: number,
  retryAfter: string | null | undefined,
  policy: RetryPolicy,
  nowMs: number,
): number {
  const after = retryAfter?.trim();
  let ms: number | undefined;
  if (after) {
    if (/^\d+(\.\d+)?$/.test(after)) ms = Number(after) * 1000;
    else {
      const at = Date.parse(after);
      if (!Number.isNaN(at)) ms = Math.max(0, at - nowMs);
    }
  }
  ms ??= policy.baseDelayMs * 2 ** (retry - 1);
  return Math.min(policy.maxDelayMs, Math.max(0, Math.round(ms)));
}

/**
 * True for answers the pacer retries: 429, 5xx, and two refusals that last
 * only while a machine is being destroyed (Fly answers a machine's DELETE
 * while it is still `destroying`): a volume delete refused because the volume
 * is still attached (412), and a machine create refused because the old
 * machine still holds the name (409; Terraform replaces by destroy, then
 * create). Pure.
 */
export function retryable(status: number, action = "", body = ""): boolean {
  if (status === 429 || status >= 500) return true;
  if (status === 412 && action === "volume.delete") return /attached to machine/.test(body);
  return status === 409 && action === "machine.create" && /already (used|taken)/.test(body);
}

export interface PacerOptions {
  /** The Machines API URL to forward to, e.g. https://api.machines.dev/v1. */
  readonly target: string;
  readonly retry?: RetryPolicy;
  /** Progress lines (waits and retries; never a header). @default none */
  readonly log?: (line: string) => void;
  /** Injected for tests. @default Date.now / setTimeout */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PacerStats {
  /** Requests forwarded (retries not counted). */
  requests: number;
  /** Requests that waited for a token, and the time they waited in all. */
  paced: number;
  pacedMs: number;
  /** Retries after a 429, a 5xx or a failed connection. */
  retries: number;
  /** Requests whose last answer, after every retry, was still a 429 or 5xx. */
  gaveUp: number;
}

export interface FlyPacer {
  /** The URL to give the provider as FLY_API_URL (ends in /v1). */
  readonly url: string;
  readonly stats: PacerStats;
  close(): Promise<void>;
}

/** Request headers not forwarded (hop-by-hop, or recomputed by fetch). */
const DROP_REQUEST = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
]);
/** Response headers not copied back (the body is sent decoded, whole). */
const DROP_RESPONSE = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "content-encoding",
  "keep-alive",
]);

const PREFIX = "/v1";

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Starts the pacer on a free loopback port. */
export async function startFlyPacer(opts: PacerOptions): Promise<FlyPacer> {
  const policy = opts.retry ?? DEFAULT_RETRY;
  const log = opts.log ?? (() => {});
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const target = opts.target.replace(/\/+$/, "");
  const buckets = new TokenBuckets();
  const stats: PacerStats = { requests: 0, paced: 0, pacedMs: 0, retries: 0, gaveUp: 0 };

  async function paced(method: string, path: string): Promise<void> {
    const action = flyAction(method, path);
    const wait = buckets.reserve(bucketKey(action), action.limit, now());
    if (wait > 0) {
      stats.paced++;
      stats.pacedMs += wait;
      await sleep(wait);
    }
  }

  async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = req.url ?? "/";
    const path = raw.startsWith(PREFIX) ? raw.slice(PREFIX.length) || "/" : raw;
    const method = (req.method ?? "GET").toUpperCase();
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || DROP_REQUEST.has(k)) continue;
      headers[k] = Array.isArray(v) ? v.join(", ") : v;
    }
    stats.requests++;
    const what = `${method} ${path.split("?")[0]}`;
    const action = flyAction(method, path).action;
    for (let attempt = 1; ; attempt++) {
      await paced(method, path);
      let answer: { status: number; headers: Headers; body: Buffer } | undefined;
      let failure: string | undefined;
      try {
        const r = await fetch(target + path, {
          method,
          headers,
          body: body.length > 0 && method !== "GET" && method !== "HEAD" ? body : undefined,
          redirect: "manual",
        });
        answer = { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
      } catch (e) {
        failure = (e as Error).message;
      }
      const again =
        failure !== undefined ||
        (answer !== undefined &&
          retryable(answer.status, action, answer.status < 500 ? answer.body.toString() : ""));
      if (again && attempt < policy.attempts) {
        const delay = retryDelayMs(attempt, answer?.headers.get("retry-after"), policy, now());
        stats.retries++;
        log(
          `fly pacer: ${what} answered ${failure ? `no connection (${failure})` : answer?.status}; ` +
            `retry ${attempt}/${policy.attempts - 1} in ${(delay / 1000).toFixed(1)}s`,
        );
        await sleep(delay);
        continue;
      }
      if (again) {
        stats.gaveUp++;
        log(`fly pacer: ${what} still failing after ${policy.attempts} attempts; passing it on`);
      }
      if (!answer) {
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `fly pacer: cannot reach the Machines API: ${failure}` }));
        return;
      }
      const out: Record<string, string> = {};
      answer.headers.forEach((v, k) => {
        if (!DROP_RESPONSE.has(k)) out[k] = v;
      });
      res.writeHead(answer.status, out);
      res.end(answer.body);
      return;
    }
  }

  const server = http.createServer((req, res) => {
    forward(req, res).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `fly pacer: ${e.message}` }));
    });
  });
  // Long server-side waits (GET .../wait, exec) must not be cut short here.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PREFIX}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One line about what the pacer did, for the end of a run. Pure. */
export function pacerSummary(s: PacerStats): string {
  return (
    `fly pacer: ${s.requests} requests, ${s.paced} waited for a rate-limit token ` +
    `(${(s.pacedMs / 1000).toFixed(1)}s in all), ${s.retries} retried` +
    (s.gaveUp > 0 ? `, ${s.gaveUp} still failing after every retry` : "")
  );
}
