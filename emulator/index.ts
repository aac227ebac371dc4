/**
 * Local Fly Machines API emulator: programmatic entry points.
 *
 *   const emu = await startEmulator({ stateDir, port: 0 });
 *   // emu.url = "http://127.0.0.1:<port>/v1", emu.token = bearer token
 *   await emu.close();            // containers keep running; a restart re-adopts them
 *   await resetEmulator(stateDir); // removes every container/network/volume it made
 */
import { existsSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { EMULATOR_PORT } from "../contract/emulator-endpoint";
import { LABEL, LABEL_INSTANCE } from "../contract/podman-labels";
import { Apps } from "./apps";
import { FLY_REGIONS, type Context, type Settings } from "./context";
import type { DnsServer } from "./dns";
import { FLY_LIKE_LATENCY, NO_LATENCY } from "./faults";
import { Machines } from "./machines";
import { Networks } from "./network";
import { Podman } from "./podman";
import { buildServer } from "./server";
import { defaultStateDir, STATE_FILE, Store } from "./store";
import { Volumes } from "./volumes";

export interface EmulatorOptions {
  /** TCP port for the API (0 = pick a free one). Default 4280, Fly's internal API port. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Bearer token. Default: the one saved in the state dir, else a new random one. */
  token?: string;
  /** Where state.json lives. Default ~/.local/share/fly-k3s/emulator. */
  stateDir?: string;
  /** Remove everything a previous run in this state dir made before starting. */
  reset?: boolean;
  settings?: Partial<Settings>;
}

export interface RunningEmulator {
  /** API base URL, ending in /v1 (give it to the provider as api_url). */
  url: string;
  token: string;
  stateDir: string;
  /** The random id labelling this instance's podman objects. */
  instance: string;
  close(): Promise<void>;
}

export const DEFAULT_SETTINGS: Settings = {
  // ASSUMPTION: Fly regions have many hosts (count UNCONFIRMED); 64 zones lets a
  // 30-volume node group with require_unique_zone fit in one region.
  zonesPerRegion: 64,
  regions: FLY_REGIONS,
  rateLimit: true, // Fly always limits; suites that must not be limited switch it off
  retryAfter: false,
  faultRate: 0,
  latency: NO_LATENCY,
  burst429: { everyMs: 0, durationMs: 0 },
  pendingDestroyMs: 24 * 60 * 60 * 1000,
  pendingDestroyHoldsZone: true,
  destroyedTtlMs: 5 * 60 * 1000,
  destroyDelayMs: 1500,
  firstBootDelayMs: 0,
  fullZones: [],
  uniqueMachineNames: true,
  podmanArgs: [],
};

/**
 * Settings that behave like real Fly for benchmarks and reliability runs:
 * Fly's documented rate limits plus FLY_LIKE_LATENCY (median 60 ms, p99
 * 400 ms), which is an ASSUMPTION: Fly's API latency is UNCONFIRMED.
 */
export const FLY_LIKE_SETTINGS: Partial<Settings> = {
  rateLimit: true,
  latency: FLY_LIKE_LATENCY,
};

export { emulatorAdmin, ADMIN_PATH, type EmulatorAdmin, type SettingsPatch } from "./routes/admin";
export { FLY_LIKE_LATENCY, NO_LATENCY, type Burst429, type Latency } from "./faults";
export type { Counters, Stats } from "./limits";
export type { Settings } from "./context";

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function podmanAvailable(podman = new Podman()): Promise<boolean> {
  return podman.available();
}

/** Remove every container, network, volume, host address and rule a state dir's instance made, then the state. */
export async function resetEmulator(
  stateDir: string = defaultStateDir(),
  podman = new Podman(),
): Promise<void> {
  const state = Store.read(join(stateDir, STATE_FILE));
  if (!state) return;
  const label = `${LABEL_INSTANCE}=${state.instance}`;
  if (await podman.available()) {
    for (const c of await podman.containers(label).catch(() => []))
      await podman.removeContainer(c.name);
    const networks = new Networks(podman, state.instance);
    for (const org of Object.values(state.orgs)) await networks.teardown(org);
    for (const n of await podman.listByLabel("network", label)) await podman.remove("network", n);
    for (const v of await podman.listByLabel("volume", label)) await podman.remove("volume", v);
  }
  rmSync(join(stateDir, STATE_FILE), { force: true });
}

/**
 * Remove what every emulator instance on this host made, whatever its state
 * dir (orphans included); their state files then describe nothing.
 */
export async function resetAllEmulators(podman = new Podman()): Promise<void> {
  if (!(await podman.available())) return;
  for (const c of await podman.containers(LABEL).catch(() => []))
    await podman.removeContainer(c.name);
  for (const n of await podman.networksByLabel(LABEL)) {
    const v6 = n.subnets.map((s) => /^fdaa:0:([0-9a-f]{1,4}):1::\/64$/.exec(s)).find(Boolean);
    const v4 = n.subnets.map((s) => /^172\.19\.(\d+)\.0\/24$/.exec(s)).find(Boolean);
    if (v6 && v4) {
      const org = {
        slug: n.name,
        prefix: parseInt(v6[1], 16),
        v4Octet: Number(v4[1]),
        podmanNetwork: n.name,
      };
      await new Networks(podman, "").teardown(org);
    }
    await podman.remove("network", n.name);
  }
  for (const v of await podman.listByLabel("volume", LABEL)) await podman.remove("volume", v);
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const stateDir = opts.stateDir ?? defaultStateDir();
  const podman = new Podman();
  if (!(await podman.available())) {
    throw new Error(
      "podman is not available: the local Fly needs rootful podman; as root, run npm run setup -- --local (it prints each change before making it)",
    );
  }
  if (opts.reset && existsSync(join(stateDir, STATE_FILE))) await resetEmulator(stateDir, podman);
  const store = new Store(stateDir, opts.token);
  const dns = new Map<string, DnsServer>();
  const ctx: Context = {
    store,
    podman,
    networks: new Networks(podman, store.state.instance),
    settings: { ...DEFAULT_SETTINGS, ...definedOnly(opts.settings ?? {}) },
    dns,
    relays: new Map(),
  };
  const apps = new Apps(ctx);
  const volumes = new Volumes(ctx);
  const machines = new Machines(ctx, apps);

  for (const slug of Object.keys(store.state.orgs)) await apps.ensureOrg(slug);
  await machines.refresh(true);

  const server = buildServer(ctx, { apps, volumes, machines });
  await server.listen({ port: opts.port ?? EMULATOR_PORT, host: opts.host ?? "127.0.0.1" });
  const addr = server.server.address() as AddressInfo;
  ctx.apiPort = addr.port;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;

  const timer = setInterval(() => void machines.refresh().catch(() => undefined), 2000);
  timer.unref();

  let closed = false;
  return {
    url: `http://${host}:${addr.port}/v1`,
    token: store.state.token,
    stateDir,
    instance: store.state.instance,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await server.close();
      let timer30: NodeJS.Timeout | undefined;
      await Promise.race([
        machines.idle(),
        new Promise((r) => (timer30 = setTimeout(r, 30_000))),
      ]).finally(() => clearTimeout(timer30));
      for (const d of dns.values()) await d.close();
      dns.clear();
      for (const r of ctx.relays.values()) await r.close();
      ctx.relays.clear();
      store.save();
    },
  };
}
