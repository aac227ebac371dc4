/**
 * Platform behaviours of machines, on real containers: delayed destroy, slow
 * first boot, full hosts, unique names, and the "host lost" fault.
 */
import { execFileSync } from "node:child_process";
import { emulatorAdmin, type EmulatorAdmin } from "../../emulator";
import { regionZones } from "../../emulator/ids";
import {
  buildTestImage,
  Client,
  describePodman,
  startTestEmulator,
  TEST_IMAGE,
  type TestEmulator,
} from "./helpers";

jest.setTimeout(180_000);

type Machine = { id: string; state: string; private_ip: string; name: string; error?: string };
type Volume = { id: string; zone: string; attached_machine_id: string | null };
type Exec = { exit_code: number; stdout: string; stderr: string };

/** Another name for the test image: only this one boots slowly. */
const SLOW_IMAGE = "localhost/fly-emulator-test:slow-first-boot";
const FIRST_BOOT_MS = 15_000;
const FULL_REGION = "ams";

const podman = (...args: string[]): string => execFileSync("podman", args, { encoding: "utf8" });
/** The zone (host) part of a 6PN address, as machineAddress writes it. */
const hostPart = (ip: string): string => ip.split(":")[4];
const zoneInAddress = (zone: string): string => zone.replace(/^0+(?=.)/, "");

describePodman("Machines: platform behaviours and faults", () => {
  const app = "faults-app";
  const base = `/apps/${app}/machines`;
  let t: TestEmulator;
  let api: Client;
  let admin: EmulatorAdmin;

  const waitFor = (m: { id: string }, state: string, timeout = 60) =>
    api.get(`${base}/${m.id}/wait?state=${state}&timeout=${timeout}`);
  const volume = async (name: string, region = "iad"): Promise<Volume> =>
    (await api.post<Volume>(`/apps/${app}/volumes`, { name, region, size_gb: 1 })).body;
  const exec = async (m: Machine, cmd: string): Promise<Exec> =>
    (await api.post<Exec>(`${base}/${m.id}/exec`, { cmd, timeout: 20 })).body;

  beforeAll(async () => {
    buildTestImage();
    podman("tag", TEST_IMAGE, SLOW_IMAGE);
    t = await startTestEmulator({
      settings: {
        rateLimit: false,
        zonesPerRegion: 4,
        destroyDelayMs: 1500,
        firstBootDelayMs: FIRST_BOOT_MS,
        firstBootDelayImages: [SLOW_IMAGE],
        fullZones: regionZones(FULL_REGION, 4),
        uniqueMachineNames: true,
      },
    });
    api = t.api;
    admin = emulatorAdmin(t.emu.url, t.emu.token);
    await api.post("/apps", { app_name: app, org_slug: "faults-org" });
  });

  afterAll(async () => {
    await t?.destroy();
    try {
      podman("untag", SLOW_IMAGE, SLOW_IMAGE);
    } catch {
      // already gone
    }
  });

  it("DELETE answers at once; the volume stays attached until the machine is destroyed", async () => {
    const v = await volume("del_data");
    const m = (
      await api.post<Machine>(base, {
        region: "iad",
        config: { image: TEST_IMAGE, mounts: [{ volume: v.id, path: "/data" }] },
        skip_launch: true,
      })
    ).body;
    const t0 = Date.now();
    expect(await api.del(`${base}/${m.id}`)).toEqual({ status: 200, body: { ok: true } });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await api.get<Machine>(`${base}/${m.id}`)).body.state).toBe("destroying");
    const early = await api.del(`/apps/${app}/volumes/${v.id}`);
    expect(early.status).toBe(412);
    expect(early.body.error).toContain(m.id);
    expect((await waitFor(m, "destroyed", 10)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect((await api.get<Volume>(`/apps/${app}/volumes/${v.id}`)).body.attached_machine_id).toBe(
      null,
    );
    expect((await api.del(`/apps/${app}/volumes/${v.id}`)).status).toBe(200);
  });

  it("a slow image's first boot outlasts a short wait (408); other images boot at once", async () => {
    const t0 = Date.now();
    const slow = (await api.post<Machine>(base, { region: "iad", config: { image: SLOW_IMAGE } }))
      .body;
    const fast = (await api.post<Machine>(base, { region: "iad", config: { image: TEST_IMAGE } }))
      .body;
    const w = await waitFor(slow, "started", 1);
    expect(w.status).toBe(408);
    expect(w.body.error).toMatch(/deadline_exceeded/);
    expect((await api.get<Machine>(`${base}/${slow.id}`)).body.state).toBe("starting");
    expect((await waitFor(fast, "started")).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(FIRST_BOOT_MS);
    expect((await waitFor(slow, "started")).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(FIRST_BOOT_MS);
    for (const m of [slow, fast]) await api.del(`${base}/${m.id}?force=true`);
  });

  it("a machine whose volume is on a full host gets 412 with Fly's text", async () => {
    const v = await volume("full_data", FULL_REGION);
    const r = await api.post(base, {
      region: FULL_REGION,
      config: { image: TEST_IMAGE, mounts: [{ volume: v.id, path: "/data" }] },
      skip_launch: true,
    });
    expect(r).toEqual({
      status: 412,
      body: {
        error: `insufficient resources to create new machine with existing volume '${v.id}'`,
      },
    });
    expect((await api.get<Volume>(`/apps/${app}/volumes/${v.id}`)).body.attached_machine_id).toBe(
      null,
    );
    expect((await api.del(`/apps/${app}/volumes/${v.id}`)).status).toBe(200);
  });

  it("refuses a name a live machine has, also for parallel creates", async () => {
    const body = {
      name: "ctrl-0",
      region: "iad",
      config: { image: TEST_IMAGE },
      skip_launch: true,
    };
    const rs = await Promise.all([0, 1, 2].map(() => api.post<Machine>(base, body)));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const won = rs.find((r) => r.status === 200)!.body;
    expect(rs.find((r) => r.status === 409)!.body.error).toMatch(/ctrl-0.*already used/);
    await api.del(`${base}/${won.id}`);
    expect((await api.post(base, body)).status).toBe(409); // still destroying
    expect((await waitFor(won, "destroyed", 10)).status).toBe(200);
    const again = await api.post<Machine>(base, body);
    expect(again.status).toBe(200);
    await api.del(`${base}/${again.body.id}`);
  });

  it("host lost with renumbering: stop, start on another host, new 6PN address in DNS", async () => {
    const v = await volume("moved_data");
    const m = (
      await api.post<Machine>(base, {
        region: "iad",
        config: { image: TEST_IMAGE, mounts: [{ volume: v.id, path: "/data" }] },
      })
    ).body;
    expect((await waitFor(m, "started")).status).toBe(200);
    await exec(m, "sh -c 'echo kept > /data/f'");

    await admin.loseHost(app, m.id, true);
    const after = (await api.get<Machine>(`${base}/${m.id}`)).body;
    expect(after.state).toBe("started");
    expect(after.private_ip).not.toBe(m.private_ip);
    expect(hostPart(after.private_ip)).not.toBe(hostPart(m.private_ip));
    const vol = (await api.get<Volume>(`/apps/${app}/volumes/${v.id}`)).body;
    expect(zoneInAddress(vol.zone)).toBe(hostPart(after.private_ip));
    expect(vol.attached_machine_id).toBe(m.id);

    expect((await exec(after, "sh -c 'echo $FLY_PRIVATE_IP'")).stdout.trim()).toBe(
      after.private_ip,
    );
    expect((await exec(after, "cat /data/f")).stdout).toBe("kept\n");
    const dns = await exec(after, `nslookup -type=AAAA ${m.id}.vm.${app}.internal`);
    expect(dns.stdout).toContain(after.private_ip);
    expect(dns.stdout).not.toContain(m.private_ip);
    await api.del(`${base}/${m.id}?force=true`);
  });

  it("host lost for good: the machine is gone (404), its volume stays, detached", async () => {
    const v = await volume("lost_data");
    const m = (
      await api.post<Machine>(base, {
        region: "iad",
        config: { image: TEST_IMAGE, mounts: [{ volume: v.id, path: "/data" }] },
      })
    ).body;
    expect((await waitFor(m, "started")).status).toBe(200);
    await admin.loseHost(app, m.id, false);
    expect((await api.get(`${base}/${m.id}`)).status).toBe(404);
    const vol = await api.get<Volume>(`/apps/${app}/volumes/${v.id}`);
    expect(vol.status).toBe(200);
    expect(vol.body.attached_machine_id).toBeNull();
    const name = `flyemu-${t.emu.instance}-${m.id}`;
    expect(podman("ps", "-a", "-q", "--filter", `name=^${name}$`).trim()).toBe("");
  });
});
