/**
 * A small client for the Fly Machines REST API: the calls the project's own
 * provisioners need (exec, leases, machine update, wait, volume update).
 * The base URL is the same setting the Terraform provider reads
 * (FLY_API_URL, default https://api.machines.dev/v1), and so is the token.
 * The objects it sends and reads are the wire types of
 * contract/machines-api-types.ts. Retries are ops/retry.ts's policy, run here
 * only when no pacer already ran it (see there).
 */
import { flyAction } from "../config/fly-limits";
import { ExecResult, Lease, Machine, MachineConfig, Volume } from "../contract/machines-api-types";
import { FLY_RETRY, PACED_HEADER, RetryPolicy, retryable, withRetry } from "./retry";

export const DEFAULT_API_URL = "https://api.machines.dev/v1";

/** Fly machine ids: 14 lowercase hex characters, e.g. `4fbdc53295faf6`. */
const MACHINE_ID = /^[0-9a-f]{14}$/;

export interface MachinesApiOptions {
  readonly baseUrl: string;
  readonly token: string;
  /** Injected for unit tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Overrides the retry policy's attempts (FLY_RETRY of ops/retry.ts). */
  readonly attempts?: number;
  /** Overrides the retry policy's first delay (tests shorten it). */
  readonly retryDelayMs?: number;
}

export class MachinesApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`${method} ${path}: HTTP ${status}: ${errorText(body)}`);
    this.name = "MachinesApiError";
  }
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
  } catch {
    // not JSON
  }
  return body.trim() || "(no body)";
}

/**
 * An argv as one readable line for messages: words that a POSIX shell would
 * read as they are stay bare, others are single-quoted. For display only:
 * nothing is ever run through a shell by it. Pure.
 */
export function showArgv(argv: readonly string[]): string {
  return argv
    .map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(" ");
}

export class MachinesApi {
  private readonly fetchFn: typeof fetch;
  private readonly retry: RetryPolicy;

  constructor(private readonly opts: MachinesApiOptions) {
    this.fetchFn = opts.fetch ?? fetch;
    this.retry = {
      ...FLY_RETRY,
      ...(opts.attempts === undefined ? {} : { attempts: opts.attempts }),
      ...(opts.retryDelayMs === undefined ? {} : { baseDelayMs: opts.retryDelayMs }),
    };
  }

  /**
   * Sends one request, retried by ops/retry.ts's policy unless the answer
   * says a pacer already did (PACED_HEADER).
   */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const url = this.opts.baseUrl.replace(/\/+$/, "") + path;
    const action = flyAction(method, path).action;
    const res = await withRetry(
      async () => {
        const r = await this.fetchFn(url, {
          method,
          headers: {
            Authorization: `Bearer ${this.opts.token}`,
            ...(body === undefined ? {} : { "Content-Type": "application/json" }),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return {
          status: r.status,
          retryAfter: r.headers.get("retry-after"),
          paced: r.headers.has(PACED_HEADER),
          text: await r.text(),
        };
      },
      {
        policy: this.retry,
        again: (a) => !a.paced && retryable(a.status, action, a.text),
      },
    );
    if (res.status >= 400) throw new MachinesApiError(res.status, method, path, res.text);
    return (res.text ? JSON.parse(res.text) : undefined) as T;
  }

  /** The app's organization slug, or undefined when Fly has no such app (404). */
  async appOrg(app: string): Promise<string | undefined> {
    try {
      const a = await this.request<{ organization?: { slug?: string } }>(
        "GET",
        `/apps/${enc(app)}`,
      );
      return a.organization?.slug ?? "";
    } catch (e) {
      if (e instanceof MachinesApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  listMachines(app: string): Promise<Machine[]> {
    return this.request("GET", `/apps/${enc(app)}/machines`);
  }

  getMachine(app: string, id: string): Promise<Machine> {
    return this.request("GET", `/apps/${enc(app)}/machines/${enc(id)}`);
  }

  /**
   * Finds a machine by id or by name. An id is read directly (Get Machine:
   * 5/s per machine on Fly); only a name needs the app's list, whose bucket
   * (1/s per app) every step of the app would otherwise share.
   */
  async findMachine(app: string, idOrName: string): Promise<Machine> {
    if (MACHINE_ID.test(idOrName)) {
      try {
        return await this.getMachine(app, idOrName);
      } catch (e) {
        if (!(e instanceof MachinesApiError && e.status === 404)) throw e;
      }
    }
    const machines = await this.listMachines(app);
    const found = machines.find((m) => m.id === idOrName || m.name === idOrName);
    if (!found) {
      const names = machines.map((m) => m.name).join(", ") || "none";
      throw new Error(`app ${app} has no machine ${idOrName} (machines: ${names})`);
    }
    return found;
  }

  /**
   * Runs a command in a machine. `command` is the argv, sent as the API's
   * `command` array, one element per argument: never the deprecated `cmd`
   * string, whose splitting on Fly is unconfirmed (quoting inside a word must
   * not depend on it). `stdin` carries data (such as the join token) so that
   * it never appears in a command line, an environment or a log.
   */
  async exec(
    app: string,
    id: string,
    command: readonly string[],
    opts: { stdin?: string; timeoutSec?: number } = {},
  ): Promise<ExecResult> {
    if (command.length === 0) throw new Error(`exec on ${app}/${id}: empty command`);
    return this.request("POST", `/apps/${enc(app)}/machines/${enc(id)}/exec`, {
      command: [...command],
      timeout: opts.timeoutSec ?? 30,
      ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
    });
  }

  async acquireLease(app: string, id: string, ttlSec: number, description: string): Promise<Lease> {
    const res = await this.request<{ data?: Lease; nonce?: string }>(
      "POST",
      `/apps/${enc(app)}/machines/${enc(id)}/lease`,
      { ttl: ttlSec, description },
    );
    // Fly wraps the lease in {status, data}; its OpenAPI description shows it flat.
    const nonce = res.data?.nonce ?? res.nonce;
    if (!nonce) throw new Error(`lease on ${app}/${id}: no nonce in the answer`);
    return { nonce };
  }

  releaseLease(app: string, id: string, lease: Lease): Promise<void> {
    return this.request("DELETE", `/apps/${enc(app)}/machines/${enc(id)}/lease`, undefined, {
      "fly-machine-lease-nonce": lease.nonce,
    });
  }

  /**
   * Replaces a machine's config: a running machine restarts with it; a machine
   * that does not run starts, unless `skipLaunch` (then it stays as it is).
   */
  updateMachine(
    app: string,
    id: string,
    config: MachineConfig,
    lease: Lease,
    skipLaunch = false,
  ): Promise<Machine> {
    return this.request(
      "POST",
      `/apps/${enc(app)}/machines/${enc(id)}`,
      skipLaunch ? { config, skip_launch: true } : { config },
      { "fly-machine-lease-nonce": lease.nonce },
    );
  }

  startMachine(app: string, id: string, lease: Lease): Promise<unknown> {
    return this.request("POST", `/apps/${enc(app)}/machines/${enc(id)}/start`, undefined, {
      "fly-machine-lease-nonce": lease.nonce,
    });
  }

  /** Waits (server side, at most 60 s a call) for a machine to reach `state`. */
  async waitForState(
    app: string,
    id: string,
    state: "started" | "stopped",
    timeoutSec: number,
    instanceId?: string,
  ): Promise<void> {
    const deadline = Date.now() + timeoutSec * 1000;
    for (;;) {
      const left = Math.ceil((deadline - Date.now()) / 1000);
      if (left <= 0) throw new Error(`${app}/${id} did not reach ${state} in ${timeoutSec}s`);
      const q = new URLSearchParams({ state, timeout: String(Math.min(60, left)) });
      if (instanceId) q.set("instance_id", instanceId);
      try {
        await this.request("GET", `/apps/${enc(app)}/machines/${enc(id)}/wait?${q}`);
        return;
      } catch (e) {
        if (!(e instanceof MachinesApiError) || e.status !== 408) throw e;
      }
    }
  }

  listVolumes(app: string): Promise<Volume[]> {
    return this.request("GET", `/apps/${enc(app)}/volumes`);
  }

  /** Destroys a machine (`force`: even a running one). */
  destroyMachine(app: string, id: string, force: boolean): Promise<unknown> {
    return this.request(
      "DELETE",
      `/apps/${enc(app)}/machines/${enc(id)}${force ? "?force=true" : ""}`,
    );
  }

  destroyVolume(app: string, id: string): Promise<unknown> {
    return this.request("DELETE", `/apps/${enc(app)}/volumes/${enc(id)}`);
  }

  getVolume(app: string, id: string): Promise<Volume> {
    return this.request("GET", `/apps/${enc(app)}/volumes/${enc(id)}`);
  }

  updateVolume(
    app: string,
    id: string,
    update: { auto_backup_enabled?: boolean; snapshot_retention?: number },
  ): Promise<Volume> {
    return this.request("PUT", `/apps/${enc(app)}/volumes/${enc(id)}`, update);
  }
}

const enc = encodeURIComponent;

/**
 * When `e` is Fly's 409 for a machine leased by someone else (`aborted:
 * machine ID … lease currently held by …, expires at <RFC3339>`), the time the
 * lease expires (ms since the epoch); otherwise undefined. Pure.
 */
export function leaseHeldUntil(e: unknown): number | undefined {
  if (!(e instanceof MachinesApiError) || e.status !== 409) return undefined;
  return leaseExpiriesIn(errorText(e.body))[0];
}

/**
 * Every lease expiry named in a text holding Fly's lease-held refusals (an
 * API error body, or OpenTofu's output, whose wrapped lines are joined
 * first), in ms since the epoch. The one reader of that message. Pure.
 */
export function leaseExpiriesIn(text: string): number[] {
  const flat = text.replace(/[│╵╷]/g, " ").replace(/\s+/g, " ");
  return [...flat.matchAll(/lease currently held by .*?expires at (\d{4}-\d\d-\d\dT[\d:.]+Z)/g)]
    .map((m) => Date.parse(m[1]))
    .filter((t) => !Number.isNaN(t));
}

/** Client options from the same environment the Terraform provider reads. */
export function apiOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): MachinesApiOptions {
  const token = env.FLY_API_TOKEN;
  if (!token) throw new Error("FLY_API_TOKEN is not set");
  return { baseUrl: env.FLY_API_URL || DEFAULT_API_URL, token };
}
