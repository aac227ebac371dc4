/**
 * The emulator's own switches, beside the Machines API: `/__emulator/...`
 * (not under /v1). Same bearer token; never rate limited, delayed or faulted.
 *
 *   GET    /__emulator/settings                       current settings
 *   PATCH  /__emulator/settings                       partial update (zod-checked), answers the new settings
 *   GET    /__emulator/stats                          request counters, total and per action
 *   DELETE /__emulator/stats                          zero the counters
 *   POST   /__emulator/faults/429                     {durationMs}: 429 to everything for that long
 *   POST   /__emulator/apps/:app/machines/:id/lose-host   {renumber}: the machine's host is lost
 *   POST   /__emulator/apps/:app/volumes/:id/lose          the volume is lost with its host
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Context, Settings } from "../context";
import { badRequest } from "../errors";
import type { Burst429, Faults, Latency } from "../faults";
import type { RateLimiter, Stats, StatsRecorder } from "../limits";
import { machineView, volumeView } from "../views";
import { body, type AppParams, type Services } from "./common";

export const ADMIN_PATH = "/__emulator";

const ms = z
  .number()
  .int()
  .min(0)
  .max(30 * 24 * 3600 * 1000);

const latencySchema = z
  .strictObject({ medianMs: ms, p99Ms: ms })
  .refine((l) => l.p99Ms === 0 || l.p99Ms >= l.medianMs, {
    message: "p99Ms must be 0 or at least medianMs",
  });

const burstSchema = z
  .strictObject({ everyMs: ms, durationMs: ms })
  .refine((b) => b.everyMs === 0 || b.durationMs <= b.everyMs, {
    message: "durationMs must not exceed everyMs",
  });

/** What `PATCH /__emulator/settings` accepts: any subset of the run-time settings. */
export const settingsPatchSchema = z
  .strictObject({
    zonesPerRegion: z.number().int().min(1).max(4096),
    rateLimit: z.boolean(),
    retryAfter: z.boolean(),
    faultRate: z.number().min(0).max(1),
    latency: latencySchema,
    burst429: burstSchema,
    pendingDestroyMs: ms,
    pendingDestroyHoldsZone: z.boolean(),
    destroyedTtlMs: ms,
    destroyDelayMs: ms,
    firstBootDelayMs: ms,
    firstBootDelayImages: z.array(z.string().min(1)),
    fullZones: z.array(z.string().regex(/^[0-9a-f]{4}$/, "a zone is 4 hex characters")),
    uniqueMachineNames: z.boolean(),
  })
  .partial();

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

const burstTriggerSchema = z.strictObject({ durationMs: ms });
const loseHostSchema = z.strictObject({ renumber: z.boolean() });

/** The limiter, fault state and counters the server keeps (one set per emulator). */
export interface Limits {
  limiter: RateLimiter;
  faults: Faults;
  stats: StatsRecorder;
}

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const msg = r.error.issues
    .map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`)
    .join("; ");
  throw badRequest(`invalid body: ${msg}`);
}

/** Apply a validated patch to the live settings, in place. */
export function applySettings(settings: Settings, patch: SettingsPatch): Settings {
  const copy = Object.fromEntries(
    Object.entries(patch).filter(([, v]) => v !== undefined),
  ) as Partial<Settings>;
  if (copy.latency) copy.latency = { ...copy.latency };
  if (copy.burst429) copy.burst429 = { ...copy.burst429 };
  return Object.assign(settings, copy);
}

export function adminRoutes(f: FastifyInstance, ctx: Context, s: Services, limits: Limits): void {
  f.get("/settings", async () => ctx.settings);

  f.patch("/settings", async (req) => {
    const patch = parse(settingsPatchSchema, body(req.body));
    const wasLimited = ctx.settings.rateLimit;
    applySettings(ctx.settings, patch);
    if (patch.burst429) limits.faults.restartPeriod();
    if (patch.rateLimit && !wasLimited) limits.limiter.clear(); // start with full buckets
    return ctx.settings;
  });

  f.get("/stats", async () => limits.stats.snapshot());

  f.delete("/stats", async () => {
    limits.stats.reset();
    return limits.stats.snapshot();
  });

  f.post("/faults/429", async (req) => {
    const { durationMs } = parse(burstTriggerSchema, body(req.body));
    const until = limits.faults.trigger429(durationMs);
    return { durationMs, until: new Date(until).toISOString() };
  });

  f.post<{ Params: AppParams & { id: string } }>(
    "/apps/:app/machines/:id/lose-host",
    async (req) => {
      const { renumber } = parse(loseHostSchema, body(req.body));
      const m = s.machines.get(s.apps.get(req.params.app), req.params.id);
      await s.machines.loseHost(m, { renumber });
      return machineView(m);
    },
  );

  f.post<{ Params: AppParams & { id: string } }>("/apps/:app/volumes/:id/lose", async (req) => {
    const vol = s.volumes.get(s.apps.get(req.params.app), req.params.id);
    await s.volumes.lose(vol);
    return volumeView(vol, s.volumes.stateOf(vol));
  });
}

/** The API URL's origin plus the admin prefix: admin paths sit beside /v1, not under it. */
export function adminBase(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "").replace(/\/v1$/, "") + ADMIN_PATH;
}

/** A typed client for the admin endpoints, for tests and benchmarks. */
export interface EmulatorAdmin {
  settings(): Promise<Settings>;
  set(partial: SettingsPatch): Promise<Settings>;
  stats(): Promise<Stats>;
  resetStats(): Promise<Stats>;
  burst429(durationMs: number): Promise<{ durationMs: number; until: string }>;
  loseHost(app: string, machineId: string, renumber: boolean): Promise<Record<string, unknown>>;
  loseVolume(app: string, volumeId: string): Promise<Record<string, unknown>>;
}

/**
 * `url` is the API URL (ending in /v1, as `startEmulator` returns it); `token`
 * the bearer token. Every call throws on a non-2xx answer, with its error.
 */
export function emulatorAdmin(url: string, token: string): EmulatorAdmin {
  const base = adminBase(url);
  const call = async <T>(method: string, path: string, payload?: unknown): Promise<T> => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(base + path, {
      method,
      headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : undefined) as unknown;
    if (!res.ok) {
      const err = (parsed as { error?: string } | undefined)?.error ?? text;
      throw new Error(`${method} ${ADMIN_PATH}${path}: ${res.status} ${err}`);
    }
    return parsed as T;
  };
  const enc = encodeURIComponent;
  return {
    settings: () => call<Settings>("GET", "/settings"),
    set: (partial) => call<Settings>("PATCH", "/settings", partial),
    stats: () => call<Stats>("GET", "/stats"),
    resetStats: () => call<Stats>("DELETE", "/stats"),
    burst429: (durationMs) => call("POST", "/faults/429", { durationMs }),
    loseHost: (app, id, renumber) =>
      call("POST", `/apps/${enc(app)}/machines/${enc(id)}/lose-host`, { renumber }),
    loseVolume: (app, id) => call("POST", `/apps/${enc(app)}/volumes/${enc(id)}/lose`),
  };
}

export type { Burst429, Latency };
