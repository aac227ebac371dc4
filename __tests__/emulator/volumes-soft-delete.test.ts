/**
 * Volumes: soft delete (pending_destroy for pendingDestroyMs, then gone),
 * the zone a pending_destroy volume holds, and a volume lost with its host.
 */
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { emulatorAdmin, type EmulatorAdmin } from "../../emulator";
import type { VolumeRecord } from "../../emulator/types";
import { volumeMountError, volumeState, volumeUsable } from "../../emulator/volumes";
import {
  buildTestImage,
  describePodman,
  startTestEmulator,
  TEST_IMAGE,
  type TestEmulator,
} from "./helpers";

jest.setTimeout(120_000);

type Volume = { id: string; zone: string; state: string; attached_machine_id: string | null };
type Machine = { id: string; state: string };

const VOL: VolumeRecord = {
  id: "vol_1",
  app: "a",
  name: "data",
  region: "iad",
  zone: "0a0b",
  sizeGb: 1,
  encrypted: true,
  snapshotRetention: 5,
  autoBackupEnabled: true,
  createdAt: 0,
  attachedMachineId: null,
  podmanVolume: "x",
};

describe("volume states (pure)", () => {
  it("is created and usable until deleted or lost, then pending_destroy and unusable", () => {
    expect(volumeState(VOL)).toBe("created");
    expect(volumeUsable(VOL)).toBe(true);
    expect(volumeMountError(VOL)).toBeUndefined();
    const gone = { ...VOL, destroyedAt: 1 };
    expect(volumeState(gone)).toBe("pending_destroy");
    expect(volumeUsable(gone)).toBe(false);
    expect(volumeMountError(gone)).toMatchObject({ statusCode: 412 });
    expect(volumeMountError({ ...gone, lost: true })?.message).toMatch(/lost with its host/);
  });
});

/** The podman volume's bind device: a tombstone's points nowhere. */
function podmanDevice(name: string): string | undefined {
  const out = execFileSync("podman", ["volume", "inspect", name, "--format", "json"], {
    encoding: "utf8",
  });
  const [info] = JSON.parse(out) as { Options?: Record<string, string> }[];
  return info?.Options?.device;
}

const podmanVolumeExists = (name: string): boolean => {
  try {
    execFileSync("podman", ["volume", "exists", name]);
    return true;
  } catch {
    return false;
  }
};

describePodman("volumes: soft delete and loss", () => {
  let t: TestEmulator;
  let admin: EmulatorAdmin;
  const app = "softdel";
  const vols = `/apps/${app}/volumes`;
  const podmanName = (id: string) => `flyemu-${t.emu.instance}-${id}`;

  beforeAll(async () => {
    buildTestImage();
    // Several calls per volume in a row: Fly's rate limits (on by default) are
    // switched off here; limits-faults.test.ts tests them.
    t = await startTestEmulator({ settings: { rateLimit: false } });
    admin = emulatorAdmin(t.emu.url, t.emu.token);
    expect((await t.api.post("/apps", { app_name: app, org_slug: "org-sd" })).status).toBe(201);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it("DELETE answers 200 pending_destroy; the volume stays listed and unusable, then is gone", async () => {
    const v = (await t.api.post<Volume>(vols, { name: "data", region: "iad", size_gb: 1 })).body;
    expect(podmanDevice(podmanName(v.id))).toBeUndefined(); // a plain local volume
    const d = await t.api.del<Volume>(`${vols}/${v.id}`);
    expect(d).toMatchObject({ status: 200, body: { id: v.id, state: "pending_destroy" } });
    expect(await t.api.get(`${vols}/${v.id}`)).toMatchObject({
      status: 200,
      body: { id: v.id, state: "pending_destroy" },
    });
    const list = (await t.api.get<Volume[]>(vols)).body;
    expect(list.find((x) => x.id === v.id)?.state).toBe("pending_destroy");
    expect((await t.api.put(`${vols}/${v.id}`, { snapshot_retention: 7 })).status).toBe(412);
    expect((await t.api.put(`${vols}/${v.id}/extend`, { size_gb: 2 })).status).toBe(412);
    expect(await t.api.del(`${vols}/${v.id}`)).toMatchObject({
      status: 200,
      body: { state: "pending_destroy" },
    });
    expect(podmanVolumeExists(podmanName(v.id))).toBe(false); // the data is gone at once

    await admin.set({ pendingDestroyMs: 0 });
    try {
      expect((await t.api.get(`${vols}/${v.id}`)).status).toBe(404);
      expect((await t.api.get<Volume[]>(vols)).body.map((x) => x.id)).not.toContain(v.id);
      expect((await t.api.del(`${vols}/${v.id}`)).status).toBe(404);
    } finally {
      await admin.set({ pendingDestroyMs: 24 * 3600 * 1000 });
    }
  });

  it("keeps a pending_destroy volume's zone taken unless pendingDestroyHoldsZone is false", async () => {
    await admin.set({ zonesPerRegion: 2 });
    try {
      const mk = () => t.api.post<Volume>(vols, { name: "zoned", region: "ams", size_gb: 1 });
      const a = (await mk()).body;
      const b = (await mk()).body;
      expect(a.zone).not.toBe(b.zone);
      expect((await t.api.del(`${vols}/${a.id}`)).status).toBe(200);
      const full = await mk();
      expect(full.status).toBe(422);
      await admin.set({ pendingDestroyHoldsZone: false });
      const c = await mk();
      expect(c.status).toBe(200);
      expect(c.body.zone).toBe(a.zone);
    } finally {
      await admin.set({ zonesPerRegion: 64, pendingDestroyHoldsZone: true });
    }
  });

  it("refuses to mount a pending_destroy volume on a new machine (4xx)", async () => {
    const v = (await t.api.post<Volume>(vols, { name: "gone", region: "iad", size_gb: 1 })).body;
    expect((await t.api.del(`${vols}/${v.id}`)).status).toBe(200);
    const r = await t.api.post(`/apps/${app}/machines`, {
      region: "iad",
      config: { image: TEST_IMAGE, mounts: [{ volume: v.id, path: "/data" }] },
      skip_launch: true,
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
  });

  it("a lost volume goes pending_destroy while attached; its machine stops and then fails to start", async () => {
    const v = (await t.api.post<Volume>(vols, { name: "lost", region: "iad", size_gb: 1 })).body;
    const base = `/apps/${app}/machines`;
    const m = (
      await t.api.post<Machine>(base, {
        region: "iad",
        config: { image: TEST_IMAGE, mounts: [{ volume: v.id, path: "/data" }] },
      })
    ).body;
    expect((await t.api.get(`${base}/${m.id}/wait?state=started&timeout=60`)).status).toBe(200);

    const lost = (await admin.loseVolume(app, v.id)) as unknown as Volume;
    expect(lost).toMatchObject({ id: v.id, state: "pending_destroy", attached_machine_id: m.id });
    expect((await t.api.get<Volume>(`${vols}/${v.id}`)).body.state).toBe("pending_destroy");
    expect(podmanDevice(podmanName(v.id))).toMatch(/^\/nonexistent\//); // data gone

    // The machine's container went with the volume: the machine stops ...
    expect((await t.api.get(`${base}/${m.id}/wait?state=stopped&timeout=30`)).status).toBe(200);
    // ... and every later start fails.
    await t.api.post(`${base}/${m.id}/start`);
    let state = "";
    for (let i = 0; i < 60 && state !== "failed"; i++) {
      await sleep(500);
      state = (await t.api.get<Machine>(`${base}/${m.id}`)).body.state;
    }
    expect(state).toBe("failed");
    expect((await t.api.del(`${base}/${m.id}?force=true`)).status).toBe(200);
    // No live machine mounts it any more: the unmountable stand-in goes too.
    expect((await t.api.get<Volume>(`${vols}/${v.id}`)).body.state).toBe("pending_destroy");
    for (let i = 0; i < 100 && podmanVolumeExists(podmanName(v.id)); i++) {
      await sleep(200);
      await t.api.get(vols); // sweeps
    }
    expect(podmanVolumeExists(podmanName(v.id))).toBe(false);
  });

  it("forgets an app's volumes with the app: an app made again under the name starts empty", async () => {
    const other = "softdel-app";
    await t.api.post("/apps", { app_name: other, org_slug: "org-sd" });
    const v = (
      await t.api.post<Volume>(`/apps/${other}/volumes`, { name: "d", region: "iad", size_gb: 1 })
    ).body;
    expect((await t.api.del(`/apps/${other}`)).status).toBe(202);
    await t.api.post("/apps", { app_name: other, org_slug: "org-sd" });
    expect((await t.api.get<Volume[]>(`/apps/${other}/volumes`)).body).toEqual([]);
    expect((await t.api.get(`/apps/${other}/volumes/${v.id}`)).status).toBe(404);
    expect(podmanVolumeExists(podmanName(v.id))).toBe(false);
  });

  it("404s losing an unknown volume", async () => {
    await expect(admin.loseVolume(app, "vol_nope")).rejects.toThrow(/404/);
  });
});
