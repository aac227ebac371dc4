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
 * - runs the project's one retry policy (ops/retry.ts) on what it forwards,
 *   and marks every answer it passes back with `PACED_HEADER`, so that
 *   MachinesApi does not retry it again; after the policy's bounds the last
 *   answer goes back;
 * - remembers for `GAVE_UP_MEMORY_MS` a call it gave up on, and sends the same
 *   call once, without retries, in that time: a caller that retries on its
 *   own (the provider tries 3 times, 1 s and 2 s apart) adds one try each,
 *   not another round of the policy.
 *
 * The scheduling (`TokenBuckets`) is pure and takes the time as an argument.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { setTimeout as sleepMs } from "node:timers/promises";
import { Bucket, FlyLimit, bucketKey, flyAction, refilled } from "../config/fly-limits";
import { FLY_RETRY, PACED_HEADER, RetryPolicy, retryable, withRetry } from "./retry";

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

/** How long a call the pacer gave up on is sent once, without retries. */
export const GAVE_UP_MEMORY_MS = 10_000;

export interface PacerOptions {
  /** The Machines API URL to forward to, e.g. https://api.machines.dev/v1. */
  readonly target: string;
  /** @default FLY_RETRY (tests shorten the delays) */
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
  /** Retries (see ops/retry.ts for what is retried). */
  retries: number;
  /** Requests whose last answer, after every retry, was still one worth retrying. */
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
  const policy = opts.retry ?? FLY_RETRY;
  const log = opts.log ?? (() => {});
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => sleepMs(ms));
  const target = opts.target.replace(/\/+$/, "");
  const buckets = new TokenBuckets();
  const stats: PacerStats = { requests: 0, paced: 0, pacedMs: 0, retries: 0, gaveUp: 0 };
  /** Calls (method and URL) given up on, and when. */
  const gaveUpAt = new Map<string, number>();

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
    const call = `${method} ${path}`;
    const recent = now() - (gaveUpAt.get(call) ?? -Infinity) < GAVE_UP_MEMORY_MS;
    type Forwarded = { status: number; retryAfter: string | null; headers: Headers; body: Buffer };
    const again = (a: Forwarded) =>
      retryable(a.status, action, a.status < 500 ? a.body.toString() : "");
    let attempts = 0;
    let answer: Forwarded | undefined;
    let failure: string | undefined;
    // The first token wait comes before the policy's clock starts: a busy
    // bucket is not a failure. A retry waits for a token too.
    await paced(method, path);
    try {
      answer = await withRetry(
        async (): Promise<Forwarded> => {
          if (attempts++ > 0) await paced(method, path);
          const r = await fetch(target + path, {
            method,
            headers,
            body: body.length > 0 && method !== "GET" && method !== "HEAD" ? body : undefined,
            redirect: "manual",
          });
          const b = Buffer.from(await r.arrayBuffer());
          return {
            status: r.status,
            retryAfter: r.headers.get("retry-after"),
            headers: r.headers,
            body: b,
          };
        },
        {
          policy: recent ? { ...policy, attempts: 1 } : policy,
          again,
          now,
          onRetry: ({ attempt, delayMs, answer: a, error }) => {
            stats.retries++;
            const said = error ? `no connection (${error.message})` : a?.status;
            log(
              `fly pacer: ${what} answered ${said}; ` +
                `retry ${attempt}/${policy.attempts - 1} in ${(delayMs / 1000).toFixed(1)}s`,
            );
          },
        },
      );
    } catch (e) {
      failure = (e as Error).message;
    }
    if (failure !== undefined || (answer && again(answer))) {
      for (const [c, at] of gaveUpAt) if (now() - at >= GAVE_UP_MEMORY_MS) gaveUpAt.delete(c);
      gaveUpAt.set(call, now());
      stats.gaveUp++;
      log(
        `fly pacer: ${what} still failing after ${attempts} attempt${attempts === 1 ? "" : "s"}; passing it on`,
      );
    } else gaveUpAt.delete(call);
    const mark = { [PACED_HEADER]: String(attempts) };
    if (!answer) {
      res.writeHead(502, { "content-type": "application/json", ...mark });
      res.end(JSON.stringify({ error: `fly pacer: cannot reach the Machines API: ${failure}` }));
      return;
    }
    const out: Record<string, string> = {};
    answer.headers.forEach((v, k) => {
      if (!DROP_RESPONSE.has(k)) out[k] = v;
    });
    res.writeHead(answer.status, { ...out, ...mark });
    res.end(answer.body);
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
