/**
 * Fly's documented Machines API rate limits: the one owner of the table the
 * local Fly emulator enforces and the deploy's pacer (ops/) keeps under.
 *
 * Source: Fly docs, "Working with the Machines API" (superfly/docs
 * machines/api/working-with-machines-api.html.markerb): limits apply per
 * action, per machine (or per app for app-scoped calls): 1 request per second
 * with short bursts up to 3; Get Machine 5 per second, bursts up to 10; app
 * deletions at most 100 per minute. Whether lists, waits and leases count as
 * their own actions is not documented (UNCONFIRMED): they are treated as
 * actions of their own at the default rate.
 */

export interface FlyLimit {
  /** Requests per second refilled. */
  readonly perSecond: number;
  /** Bucket size: requests that may go at once after a quiet spell. */
  readonly burst: number;
}

export interface FlyAction {
  /** Name of the action, e.g. `machine.create`, `machine.get`, `volume.delete`. */
  readonly action: string;
  /** What the limit is counted per: `machine:<id>`, `volume:<id>` or `app:<name>`. */
  readonly subject: string;
  readonly limit: FlyLimit;
}

export const DEFAULT_LIMIT: FlyLimit = { perSecond: 1, burst: 3 };
export const GET_MACHINE_LIMIT: FlyLimit = { perSecond: 5, burst: 10 };
export const APP_DELETE_LIMIT: FlyLimit = { perSecond: 100 / 60, burst: 100 };

/** Where the table comes from (for docs and error messages). */
export const FLY_LIMITS_SOURCE =
  "Fly docs, Working with the Machines API (machines/api/working-with-machines-api)";

/** The documented table, one row per distinct limit, for docs and tests. */
export const FLY_LIMIT_TABLE: readonly { actions: string; per: string; limit: FlyLimit }[] = [
  {
    actions: "machine.get (GET /apps/{app}/machines/{id})",
    per: "machine",
    limit: GET_MACHINE_LIMIT,
  },
  { actions: "app.delete (DELETE /apps/{app})", per: "org", limit: APP_DELETE_LIMIT },
  {
    actions: "every other action (create, update, start, stop, wait, lease, exec, list, ...)",
    per: "machine, volume or app",
    limit: DEFAULT_LIMIT,
  },
];

const VERB: Record<string, string> = {
  GET: "get",
  POST: "update",
  PUT: "update",
  DELETE: "delete",
};

/**
 * The action and subject of one Machines API request. `path` is the request
 * path without the base URL's `/v1` (a query string is ignored). Pure.
 */
export function flyAction(method: string, path: string): FlyAction {
  const m = method.toUpperCase();
  const parts = path
    .split("?")[0]
    .split("/")
    .filter((p) => p !== "" && p !== "v1");
  if (parts[0] !== "apps") {
    return { action: `${m} /${parts.join("/")}`, subject: "-", limit: DEFAULT_LIMIT };
  }
  const app = parts[1];
  if (app === undefined) {
    return {
      action: m === "POST" ? "app.create" : "app.list",
      subject: "org",
      limit: DEFAULT_LIMIT,
    };
  }
  const kind = parts[2];
  if (kind === undefined) {
    if (m === "DELETE") return { action: "app.delete", subject: "org", limit: APP_DELETE_LIMIT };
    return { action: `app.${VERB[m] ?? m}`, subject: `app:${app}`, limit: DEFAULT_LIMIT };
  }
  const noun = kind === "machines" ? "machine" : kind === "volumes" ? "volume" : kind;
  const id = parts[3];
  if (id === undefined) {
    const action = `${noun}.${m === "POST" ? "create" : "list"}`;
    return { action, subject: `app:${app}`, limit: DEFAULT_LIMIT };
  }
  const sub = parts[4];
  const subject = noun === "machine" || noun === "volume" ? `${noun}:${id}` : `app:${app}`;
  if (sub === undefined) {
    const action = `${noun}.${VERB[m] ?? m}`;
    const limit = action === "machine.get" ? GET_MACHINE_LIMIT : DEFAULT_LIMIT;
    return { action, subject, limit };
  }
  // start, stop, wait, lease, exec, metadata, extend, snapshots, ...
  const verb = m === "GET" ? sub : m === "DELETE" ? `${sub}.delete` : sub;
  return { action: `${noun}.${verb}`, subject, limit: DEFAULT_LIMIT };
}

/** The key one token bucket is kept under. Pure. */
export function bucketKey(a: FlyAction): string {
  return `${a.action} ${a.subject}`;
}

/** One token bucket: tokens held (may be negative: promised to waiting callers) as of `at` (ms). */
export interface Bucket {
  tokens: number;
  at: number;
}

/**
 * The bucket refilled to `nowMs` at the limit's rate, capped at its burst; a
 * missing bucket starts full. The clock never runs back. Pure.
 */
export function refilled(b: Bucket | undefined, limit: FlyLimit, nowMs: number): Bucket {
  if (!b) return { tokens: limit.burst, at: nowMs };
  const elapsed = Math.max(0, nowMs - b.at);
  return {
    tokens: Math.min(limit.burst, b.tokens + (elapsed / 1000) * limit.perSecond),
    at: Math.max(b.at, nowMs),
  };
}
