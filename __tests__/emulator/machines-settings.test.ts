/**
 * The machine settings are read live (another part changes ctx.settings at run
 * time): Machines on a fake podman, no containers.
 */
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Apps } from "../../emulator/apps";
import type { Context, Settings } from "../../emulator/context";
import { ApiError } from "../../emulator/errors";
import { DEFAULT_SETTINGS } from "../../emulator/index";
import { machineCreateSchema } from "../../emulator/machine-schemas";
import { Machines } from "../../emulator/machines";
import type { ContainerSpec } from "../../emulator/podman";
import type { EmulatorState, MachineRecord, VolumeRecord } from "../../emulator/types";

const IMAGE = "localhost/fake:latest";

function world(settings: Partial<Settings> = {}) {
  const state: EmulatorState = {
    version: 1,
    instance: "unit",
    token: "t",
    orgs: { o: { slug: "o", prefix: 0x10, v4Octet: 1, podmanNetwork: "net" } },
    apps: {
      a: {
        id: "1",
        name: "a",
        org: "o",
        network: "default",
        createdAt: 0,
        secrets: {},
        secretsVersion: 0,
      },
    },
    volumes: {},
    machines: {},
  };
  const podmanCalls: string[] = [];
  // A fake podman that remembers its containers, so reconcile sees them.
  const containers = new Map<string, { state: string; labels: Record<string, string> }>();
  const op =
    (what: string, next?: string) =>
    async (name: string): Promise<void> => {
      podmanCalls.push(`${what} ${name}`);
      const c = containers.get(name);
      if (what === "rm") containers.delete(name);
      else if (c && next) c.state = next;
    };
  const podman = {
    imageDigest: async () => ({ digest: "sha256:x", labels: {} }),
    removeContainer: op("rm"),
    containerCreate: async (spec: ContainerSpec) => {
      podmanCalls.push(`create ${spec.name}`);
      containers.set(spec.name, { state: "created", labels: spec.labels });
    },
    copyInto: op("cp"),
    start: op("start", "running"),
    stop: op("stop", "exited"),
    pause: op("pause", "paused"),
    unpause: op("unpause", "running"),
    containers: async () =>
      [...containers].map(([name, c]) => ({ name, state: c.state, exitCode: 0, labels: c.labels })),
  };
  const ctx = {
    store: { state, dir: tmpdir(), save: () => undefined },
    podman,
    settings: { ...DEFAULT_SETTINGS, rateLimit: false, ...settings },
    dns: new Map(),
    relays: new Map(),
  } as unknown as Context;
  const apps = {
    get: (n: string) => state.apps[n],
    org: (s: string) => state.orgs[s],
    ensureOrg: async (s: string) => state.orgs[s],
    secretEnv: () => ({}),
  } as unknown as Apps;
  const machines = new Machines(ctx, apps);
  const app = state.apps.a;
  const create = (body: Record<string, unknown>) =>
    machines.create(app, machineCreateSchema(ctx.settings.regions).parse(body));
  const volume = (zone: string): VolumeRecord => {
    const v: VolumeRecord = {
      id: `vol_${Object.keys(state.volumes).length}`,
      app: "a",
      name: "data",
      region: "iad",
      zone,
      sizeGb: 1,
      encrypted: true,
      snapshotRetention: 5,
      autoBackupEnabled: true,
      createdAt: 0,
      attachedMachineId: null,
      podmanVolume: "pv",
    };
    state.volumes[v.id] = v;
    return v;
  };
  return { ctx, state, machines, create, volume, podmanCalls };
}

async function status(p: Promise<unknown> | (() => unknown)): Promise<number> {
  try {
    await (typeof p === "function" ? p() : p);
    return 200;
  } catch (e) {
    if (e instanceof ApiError) return e.statusCode;
    throw e;
  }
}

describe("machine settings, read live", () => {
  it("fullZones: create/start/update with a volume on a full host get 412", async () => {
    const w = world({ fullZones: ["aaaa"] });
    const vol = w.volume("aaaa");
    const mounts = [{ volume: vol.id, path: "/data" }];
    const refused = w.create({
      region: "iad",
      config: { image: IMAGE, mounts },
      skip_launch: true,
    });
    await expect(refused).rejects.toThrow(
      `insufficient resources to create new machine with existing volume '${vol.id}'`,
    );
    expect(await status(refused)).toBe(412);

    w.ctx.settings.fullZones = [];
    const m = await w.create({
      region: "iad",
      config: { image: IMAGE, mounts },
      skip_launch: true,
    });
    const rec = w.state.machines[m.id];
    w.ctx.settings.fullZones = ["aaaa"];
    expect(await status(() => w.machines.start(rec))).toBe(412);
    expect(rec.state).toBe("created");
    const upd = { config: { image: IMAGE, mounts }, skip_launch: true };
    expect(await status(w.machines.update(rec, upd))).toBe(412);
    w.ctx.settings.fullZones = [];
    expect(await status(() => w.machines.start(rec))).toBe(200);
    await w.machines.idle();
    expect(rec.state).toBe("started");
  });

  it("fullZones: a machine without a volume is placed on a free zone", async () => {
    const w = world({ zonesPerRegion: 2 });
    const probe = await w.create({ region: "iad", config: { image: IMAGE }, skip_launch: true });
    const zones = new Set<string>();
    for (let i = 0; i < 20; i++) {
      zones.add(
        (await w.create({ region: "iad", config: { image: IMAGE }, skip_launch: true })).zone,
      );
    }
    expect(zones.size).toBe(2);
    w.ctx.settings.fullZones = [probe.zone];
    for (let i = 0; i < 10; i++) {
      const m = await w.create({ region: "iad", config: { image: IMAGE }, skip_launch: true });
      expect(m.zone).not.toBe(probe.zone);
    }
  });

  it("uniqueMachineNames: parallel creates of one name, one wins; off allows duplicates", async () => {
    const w = world();
    const body = { name: "ctrl-0", region: "iad", config: { image: IMAGE }, skip_launch: true };
    const codes = await Promise.all(
      [w.create(body), w.create(body), w.create(body)].map((p) => status(p)),
    );
    expect(codes.sort()).toEqual([200, 409, 409]);
    w.ctx.settings.uniqueMachineNames = false;
    expect(await status(w.create(body))).toBe(200);
    expect(Object.values(w.state.machines).filter((m) => m.name === "ctrl-0")).toHaveLength(2);
  });

  it("destroyDelayMs: destroying at once, destroyed (volume detached) after the delay", async () => {
    const w = world({ destroyDelayMs: 300 });
    const vol = w.volume("aaaa");
    const m = await w.create({
      region: "iad",
      config: { image: IMAGE, mounts: [{ volume: vol.id, path: "/data" }] },
      skip_launch: true,
    });
    const rec: MachineRecord = w.state.machines[m.id];
    const t0 = Date.now();
    w.machines.destroy(rec, false);
    expect(rec.state).toBe("destroying");
    expect(vol.attachedMachineId).toBe(m.id);
    expect(w.podmanCalls.some((c) => c.startsWith("rm"))).toBe(false);
    expect(await w.machines.wait(rec, "destroyed", 5)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(vol.attachedMachineId).toBeNull();
    expect(w.podmanCalls).toContain(`rm flyemu-unit-${m.id}`);

    w.ctx.settings.destroyDelayMs = 0;
    const n = await w.create({ region: "iad", config: { image: IMAGE }, skip_launch: true });
    const t1 = Date.now();
    w.machines.destroy(w.state.machines[n.id], false);
    expect(await w.machines.wait(w.state.machines[n.id], "destroyed", 5)).toBe(true);
    expect(Date.now() - t1).toBeLessThan(290);
  });

  it("firstBootDelayMs: only the first boot, only listed images", async () => {
    const w = world({ firstBootDelayMs: 400, firstBootDelayImages: ["localhost/slow:1"] });
    const fast = await w.create({ region: "iad", config: { image: IMAGE } });
    const slow = await w.create({ region: "iad", config: { image: "localhost/slow:1" } });
    const t0 = Date.now();
    expect(await w.machines.wait(w.state.machines[fast.id], "started", 5)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(390);
    expect(w.state.machines[slow.id].state).toBe("starting");
    expect(await w.machines.wait(w.state.machines[slow.id], "started", 5)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);

    // The second boot is not delayed.
    const rec = w.state.machines[slow.id];
    w.machines.stop(rec);
    expect(await w.machines.wait(rec, "stopped", 5)).toBe(true);
    const t1 = Date.now();
    w.machines.start(rec);
    expect(await w.machines.wait(rec, "started", 5)).toBe(true);
    expect(Date.now() - t1).toBeLessThan(390);
  });

  it("firstBootDelayMs: a destroy cuts the boot short", async () => {
    const w = world({ firstBootDelayMs: 60_000, destroyDelayMs: 0 });
    const m = await w.create({ region: "iad", config: { image: IMAGE } });
    const rec = w.state.machines[m.id];
    await sleep(50);
    expect(rec.state).toBe("starting");
    w.machines.destroy(rec, true);
    expect(await w.machines.wait(rec, "destroyed", 5)).toBe(true);
    expect(w.podmanCalls.some((c) => c.startsWith("start"))).toBe(false);
  });
});
