/**
 * The emulator's limits and faults: Fly's rate limits (token buckets over
 * config/fly-limits.ts), log-normal latency, injected 5xx, 429 bursts, the
 * admin endpoints that switch them at run time, and the counters.
 */
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_LIMIT, GET_MACHINE_LIMIT } from "../../config/fly-limits";
import {
  DEFAULT_SETTINGS,
  emulatorAdmin,
  FLY_LIKE_LATENCY,
  FLY_LIKE_SETTINGS,
  type EmulatorAdmin,
} from "../../emulator";
import type { Context, Settings } from "../../emulator/context";
import {
  Faults,
  injectedFault,
  latencyFromMedian,
  periodicBurstLeftMs,
  sampleLatencyMs,
} from "../../emulator/faults";
import { RateLimiter, StatsRecorder } from "../../emulator/limits";
import { adminBase, applySettings, settingsPatchSchema } from "../../emulator/routes/admin";
import type { Services } from "../../emulator/routes/common";
import { buildServer, retryAfterSeconds } from "../../emulator/server";
import type { MachineRecord } from "../../emulator/types";
import { SHAPES, sortedKeys } from "./fixtures/machines-api-shapes";
import { describePodman, startTestEmulator, type TestEmulator } from "./helpers";

jest.setTimeout(60_000);

/** A seeded uniform random source (mulberry32), so distribution tests are repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

describe("RateLimiter (token buckets)", () => {
  it("allows a burst of 3 per action and subject, then 1/s", () => {
    const rl = new RateLimiter();
    const t = 1_000_000;
    const take = (key: string, at: number) => rl.take(key, DEFAULT_LIMIT, at);
    expect([1, 2, 3, 4].map(() => take("stop m1", t))).toEqual([true, true, true, false]);
    expect(take("stop m2", t)).toBe(true);
    expect(rl.retryAfterMs("stop m1", DEFAULT_LIMIT, t)).toBe(1000);
    expect(rl.retryAfterMs("stop m1", DEFAULT_LIMIT, t + 400)).toBe(600);
    expect(take("stop m1", t + 1000)).toBe(true);
    expect(take("stop m1", t + 1000)).toBe(false);
  });

  it("classifies requests with flyAction: Get Machine bursts to 10, per machine", () => {
    const rl = new RateLimiter();
    const t = 5_000;
    const codes = Array.from({ length: 11 }, () => rl.check("GET", "/apps/a/machines/m1", t));
    expect(codes.filter((d) => d.allowed)).toHaveLength(GET_MACHINE_LIMIT.burst);
    expect(codes[10]).toMatchObject({ allowed: false, retryAfterMs: 200 });
    expect(codes[10].action.action).toBe("machine.get");
    expect(rl.check("GET", "/apps/a/machines/m2", t).allowed).toBe(true);
    expect(rl.check("GET", "/apps/a/machines/m1/wait?state=started", t).allowed).toBe(true);
    rl.clear();
    expect(rl.check("GET", "/apps/a/machines/m1", t).allowed).toBe(true);
  });

  it("answers Retry-After in whole seconds, at least 1", () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(0)).toBe(1);
  });
});

describe("StatsRecorder", () => {
  it("counts requests and outcomes in total and per action", () => {
    const s = new StatsRecorder();
    s.record("machine.get", "ok");
    s.record("machine.get", "rateLimited");
    s.record("app.list", "faults5xx");
    s.record("app.list", "burst429");
    expect(s.snapshot()).toEqual({
      totals: { requests: 4, rateLimited: 1, burst429: 1, faults5xx: 1 },
      byAction: {
        "app.list": { requests: 2, rateLimited: 0, burst429: 1, faults5xx: 1 },
        "machine.get": { requests: 2, rateLimited: 1, burst429: 0, faults5xx: 0 },
      },
    });
    s.reset();
    expect(s.snapshot()).toEqual({
      totals: { requests: 0, rateLimited: 0, burst429: 0, faults5xx: 0 },
      byAction: {},
    });
  });
});

describe("latency sampling (log-normal by median and p99)", () => {
  it.each([
    [FLY_LIKE_LATENCY.medianMs, FLY_LIKE_LATENCY.p99Ms],
    [10, 40],
    [200, 250],
  ])("median %d ms, p99 %d ms within tolerance over 40000 samples", (medianMs, p99Ms) => {
    const random = seeded(medianMs * 7 + p99Ms);
    const xs = Array.from({ length: 40_000 }, () => sampleLatencyMs({ medianMs, p99Ms }, random));
    expect(Math.min(...xs)).toBeGreaterThan(0);
    expect(Math.abs(quantile(xs, 0.5) / medianMs - 1)).toBeLessThan(0.05);
    expect(Math.abs(quantile(xs, 0.99) / p99Ms - 1)).toBeLessThan(0.1);
  });

  it("is none at 0/0, constant when p99 is not above the median", () => {
    expect(sampleLatencyMs({ medianMs: 0, p99Ms: 0 }, () => 0.5)).toBe(0);
    expect(sampleLatencyMs({ medianMs: 0, p99Ms: 100 }, () => 0.5)).toBe(0);
    expect(sampleLatencyMs({ medianMs: 50, p99Ms: 50 }, () => 0.9)).toBe(50);
    expect(sampleLatencyMs({ medianMs: 50, p99Ms: 0 }, () => 0.9)).toBe(50);
  });

  it("reads --latency-ms as the median with p99 = 4 x median unless given", () => {
    expect(latencyFromMedian(50)).toEqual({ medianMs: 50, p99Ms: 200 });
    expect(latencyFromMedian(50, 120)).toEqual({ medianMs: 50, p99Ms: 120 });
    expect(FLY_LIKE_LATENCY).toEqual({ medianMs: 60, p99Ms: 400 });
    expect(FLY_LIKE_SETTINGS).toMatchObject({ rateLimit: true, latency: FLY_LIKE_LATENCY });
  });
});

describe("faults (pure decisions)", () => {
  it("inject 500/502/503 in the given share, nothing at 0", () => {
    expect(injectedFault(0, () => 0)).toBeUndefined();
    expect(injectedFault(0.5, () => 0.7)).toBeUndefined();
    const random = seeded(42);
    const got = Array.from({ length: 20_000 }, () => injectedFault(0.1, random));
    const hits = got.filter((c) => c !== undefined);
    expect(hits.length / got.length).toBeGreaterThan(0.09);
    expect(hits.length / got.length).toBeLessThan(0.11);
    expect(new Set(hits)).toEqual(new Set([500, 502, 503]));
  });

  it("open a periodic 429 window at the end of each period", () => {
    const b = { everyMs: 1000, durationMs: 300 };
    expect(periodicBurstLeftMs(b, 0, 0)).toBe(0);
    expect(periodicBurstLeftMs(b, 0, 699)).toBe(0);
    expect(periodicBurstLeftMs(b, 0, 700)).toBe(300);
    expect(periodicBurstLeftMs(b, 0, 950)).toBe(50);
    expect(periodicBurstLeftMs(b, 0, 1000)).toBe(0);
    expect(periodicBurstLeftMs(b, 0, 5800)).toBe(200);
    expect(periodicBurstLeftMs({ everyMs: 0, durationMs: 0 }, 0, 700)).toBe(0);
    expect(periodicBurstLeftMs({ everyMs: 100, durationMs: 100 }, 0, 7)).toBe(100);
  });

  it("decide: 429 windows (one-shot, periodic) first, then 5xx", () => {
    let now = 10_000;
    const f = new Faults(
      () => now,
      () => 0,
    );
    const off = { everyMs: 0, durationMs: 0 };
    expect(f.decide({ faultRate: 0, burst429: off })).toBeUndefined();
    expect(f.decide({ faultRate: 0.5, burst429: off })).toEqual({ kind: "fault", status: 500 });
    f.trigger429(500);
    expect(f.decide({ faultRate: 1, burst429: off })).toEqual({
      kind: "burst429",
      retryAfterMs: 500,
    });
    now += 500;
    expect(f.decide({ faultRate: 0, burst429: off })).toBeUndefined();
    f.restartPeriod();
    const b = { everyMs: 1000, durationMs: 200 };
    now += 799;
    expect(f.decide({ faultRate: 0, burst429: b })).toBeUndefined();
    now += 1;
    expect(f.decide({ faultRate: 0, burst429: b })).toEqual({
      kind: "burst429",
      retryAfterMs: 200,
    });
  });
});

describe("admin settings schema", () => {
  it("accepts a partial update and applies it in place", () => {
    const s: Settings = { ...DEFAULT_SETTINGS };
    const patch = settingsPatchSchema.parse({
      faultRate: 0.2,
      latency: { medianMs: 5, p99Ms: 20 },
    });
    const same = applySettings(s, patch);
    expect(same).toBe(s);
    expect(s).toMatchObject({ faultRate: 0.2, latency: { medianMs: 5, p99Ms: 20 } });
    expect(s.rateLimit).toBe(true);
  });

  it("switches the machine-side platform behaviours at run time too", () => {
    const s: Settings = { ...DEFAULT_SETTINGS };
    applySettings(
      s,
      settingsPatchSchema.parse({
        destroyDelayMs: 0,
        firstBootDelayMs: 65_000,
        firstBootDelayImages: ["registry.fly.io/big:1"],
        fullZones: ["0a1b"],
        uniqueMachineNames: false,
      }),
    );
    expect(s).toMatchObject({ destroyDelayMs: 0, fullZones: ["0a1b"], uniqueMachineNames: false });
  });

  it.each([
    [{ nope: 1 }],
    [{ faultRate: 2 }],
    [{ rateLimit: "yes" }],
    [{ latency: { medianMs: 100, p99Ms: 50 } }],
    [{ latency: { medianMs: 100 } }],
    [{ burst429: { everyMs: 100, durationMs: 200 } }],
    [{ regions: ["iad"] }],
    [{ zonesPerRegion: 0 }],
    [{ fullZones: ["not-a-zone"] }],
    [{ firstBootDelayMs: -1 }],
  ])("rejects %j", (body) => {
    expect(settingsPatchSchema.safeParse(body).success).toBe(false);
  });

  it("puts admin paths beside /v1", () => {
    expect(adminBase("http://127.0.0.1:4280/v1")).toBe("http://127.0.0.1:4280/__emulator");
    expect(adminBase("http://127.0.0.1:4280/v1/")).toBe("http://127.0.0.1:4280/__emulator");
  });
});

describe("defaults", () => {
  it("limit like Fly, inject nothing, keep pending_destroy volumes 24 h, 64 zones", () => {
    expect(DEFAULT_SETTINGS).toMatchObject({
      rateLimit: true,
      retryAfter: false,
      faultRate: 0,
      latency: { medianMs: 0, p99Ms: 0 },
      burst429: { everyMs: 0, durationMs: 0 },
      pendingDestroyMs: 24 * 3600 * 1000,
      pendingDestroyHoldsZone: true,
      zonesPerRegion: 64,
    });
  });
});

describe("lose-host admin route (no podman: fake services)", () => {
  it("validates the body and calls Machines.loseHost with renumber", async () => {
    const m = {
      id: "m1",
      app: "a",
      name: "n",
      region: "iad",
      zone: "0000",
      state: "started",
      instanceId: "i",
      privateIp: "fdaa::2",
      createdAt: 0,
      updatedAt: 0,
      config: { image: "x" },
      imageRef: { registry: "", repository: "", tag: "", digest: "", labels: {} },
      events: [],
      cordoned: false,
    } as MachineRecord;
    const loseHost = jest.fn(async () => undefined);
    const services = {
      apps: { get: (name: string) => ({ name }) },
      machines: {
        get: (_a: unknown, id: string) => {
          if (id !== "m1") throw Object.assign(new Error("machine not found"), { statusCode: 404 });
          return m;
        },
        loseHost,
      },
      volumes: {},
    } as unknown as Services;
    const ctx = {
      store: { state: { token: "tok" } },
      settings: { ...DEFAULT_SETTINGS },
    } as unknown as Context;
    const f = buildServer(ctx, services);
    await f.listen({ port: 0, host: "127.0.0.1" });
    const { port } = f.server.address() as AddressInfo;
    const post = (id: string, payload: unknown, token = "tok") =>
      fetch(`http://127.0.0.1:${port}/__emulator/apps/a/machines/${id}/lose-host`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(payload),
      });
    try {
      expect((await post("m1", { renumber: true }, "nope")).status).toBe(401);
      const bad = await post("m1", {});
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/renumber/);
      expect((await post("m2", { renumber: false })).status).toBe(404);
      expect(loseHost).not.toHaveBeenCalled();
      const ok = await post("m1", { renumber: true });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ id: "m1" });
      expect(loseHost).toHaveBeenCalledWith(m, { renumber: true });
    } finally {
      await f.close();
    }
  });
});

describePodman("limits and faults over HTTP", () => {
  let t: TestEmulator;
  let admin: EmulatorAdmin;
  const raw = (path: string, init: RequestInit = {}) =>
    fetch(t.emu.url + path, {
      ...init,
      headers: { Authorization: `Bearer ${t.emu.token}`, ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    t = await startTestEmulator(); // defaults: rate limits on
    admin = emulatorAdmin(t.emu.url, t.emu.token);
    expect((await t.api.post("/apps", { app_name: "rl", org_slug: "org-rl" })).status).toBe(201);
  });
  afterAll(async () => {
    await t?.destroy();
  });
  beforeEach(async () => {
    await admin.set({
      rateLimit: true,
      retryAfter: false,
      faultRate: 0,
      latency: { medianMs: 0, p99Ms: 0 },
      burst429: { everyMs: 0, durationMs: 0 },
    });
    await admin.resetStats();
  });

  it("serves the settings, with Fly's rate limits on by default", async () => {
    const s = await admin.settings();
    expect(s).toMatchObject({ rateLimit: true, zonesPerRegion: 64, pendingDestroyHoldsZone: true });
  });

  it("answers 429 past Fly's per-action limit, counts it, and never limits admin calls", async () => {
    await sleep(3100); // refill app.get rl after earlier calls
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await t.api.get("/apps/rl")).status);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    const r = await raw("/apps/rl");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBeNull(); // Fly: UNCONFIRMED, off by default
    expect(await r.json()).toEqual({ error: "rate limit exceeded" });
    expect((await t.api.get("/apps/rl/volumes")).status).toBe(200); // another action
    for (let i = 0; i < 20; i++) await admin.settings(); // admin: exempt
    const st = await admin.stats();
    expect(st.byAction["app.get"]).toEqual({
      requests: 6,
      rateLimited: 3,
      burst429: 0,
      faults5xx: 0,
    });
    expect(st.totals.requests).toBe(7);
    await sleep(1100);
    expect((await t.api.get("/apps/rl")).status).toBe(200);
  });

  it("adds Retry-After when switched on", async () => {
    await admin.set({ retryAfter: true });
    let r: Response | undefined;
    for (let i = 0; i < 12; i++) {
      r = await raw("/apps/rl/machines");
      if (r.status === 429) break;
    }
    expect(r?.status).toBe(429);
    expect(Number(r?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("switches the limits off at run time", async () => {
    await admin.set({ rateLimit: false });
    const codes = await Promise.all(
      Array.from({ length: 8 }, async () => (await t.api.get("/apps/rl/volumes")).status),
    );
    expect(codes.every((c) => c === 200)).toBe(true);
    expect((await admin.stats()).totals.rateLimited).toBe(0);
  });

  it("injects 5xx before any side effect", async () => {
    await admin.set({ faultRate: 1, rateLimit: false });
    const r = await t.api.post("/apps", { app_name: "never", org_slug: "org-rl" });
    expect([500, 502, 503]).toContain(r.status);
    expect(sortedKeys(r.body)).toEqual(SHAPES.error.keys);
    expect((await admin.stats()).byAction["app.create"]).toMatchObject({ faults5xx: 1 });
    await admin.set({ faultRate: 0 });
    expect((await t.api.get("/apps/never")).status).toBe(404);
  });

  it("delays requests by the latency setting, never admin calls", async () => {
    await admin.set({ latency: { medianMs: 300, p99Ms: 300 }, rateLimit: false });
    let t0 = Date.now();
    expect((await t.api.get("/apps/rl")).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    t0 = Date.now();
    await admin.stats();
    expect(Date.now() - t0).toBeLessThan(250);
  });

  it("answers 429 to everything for a one-shot burst", async () => {
    await admin.set({ rateLimit: false, retryAfter: true });
    const b = await admin.burst429(700);
    expect(b.durationMs).toBe(700);
    const r = await raw("/apps/rl/volumes");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("1");
    expect((await t.api.get("/apps/rl")).status).toBe(429);
    expect((await admin.settings()).rateLimit).toBe(false); // admin still answers
    await sleep(800);
    expect((await t.api.get("/apps/rl")).status).toBe(200);
    expect((await admin.stats()).totals).toMatchObject({ burst429: 2, rateLimited: 0 });
  });

  it("opens periodic 429 windows", async () => {
    await admin.set({ rateLimit: false, burst429: { everyMs: 2000, durationMs: 800 } });
    const t0 = Date.now();
    expect((await t.api.get("/apps/rl")).status).toBe(200); // calm first 1200 ms
    await sleep(1500 - (Date.now() - t0));
    expect((await t.api.get("/apps/rl")).status).toBe(429);
    await sleep(2250 - (Date.now() - t0));
    expect((await t.api.get("/apps/rl")).status).toBe(200);
  });

  it("validates PATCH bodies with a 400 and the reason", async () => {
    const r = await fetch(t.emu.url.replace(/\/v1$/, "/__emulator/settings"), {
      method: "PATCH",
      headers: { Authorization: `Bearer ${t.emu.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ faultRate: 3 }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/faultRate/);
    await expect(admin.set({ nope: true } as never)).rejects.toThrow(/400/);
    await expect(admin.burst429(-1)).rejects.toThrow(/durationMs/);
    const noAuth = await fetch(t.emu.url.replace(/\/v1$/, "/__emulator/stats"));
    expect(noAuth.status).toBe(401);
  });
});
