/**
 * Every Machines API endpoint the emulator serves, checked against the shapes
 * in fixtures/machines-api-shapes.ts, plus the error cases.
 */
import { createHash } from "node:crypto";
import { RFC3339_MS, RFC3339_S, SHAPES, sortedKeys } from "./fixtures/machines-api-shapes";
import {
  buildTestImage,
  Client,
  describePodman,
  startTestEmulator,
  TEST_IMAGE,
  type TestEmulator,
} from "./helpers";

jest.setTimeout(120_000);

type Obj = Record<string, unknown>;
type Machine = Obj & { id: string; state: string; instance_id: string; config: Obj };
type Volume = Obj & { id: string; zone: string };

describePodman("Machines API emulator: endpoints", () => {
  let t: TestEmulator;
  let api: Client;

  beforeAll(async () => {
    buildTestImage();
    // Many calls in a row per machine: Fly's rate limits (on by default) are
    // switched off here and tested in limits-faults.test.ts; 4 zones per
    // region keep the zone-exhaustion tests small.
    t = await startTestEmulator({ settings: { rateLimit: false, zonesPerRegion: 4 } });
    api = t.api;
  });
  afterAll(async () => {
    await t?.destroy();
  });

  describe("auth and request errors", () => {
    it("serves under /v1 with the given bearer token", () => {
      expect(t.emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(t.emu.token).toBe("test-token");
    });

    it.each([
      ["no token", {}],
      ["a wrong token", { Authorization: "Bearer nope" }],
      ["a non-bearer scheme", { Authorization: "Basic dGVzdC10b2tlbg==" }],
    ])("answers 401 to %s, on every path", async (_n, headers) => {
      for (const path of ["/apps?org_slug=x", "/apps/x/machines", "/no/such/route"]) {
        const res = await fetch(t.emu.url + path, { headers });
        expect(res.status).toBe(SHAPES.status.unauthorized);
        expect(sortedKeys(await res.json())).toEqual(SHAPES.error.keys);
      }
    });

    it("answers 400 to malformed JSON", async () => {
      const r = await api.post("/apps", '{"app_name": ');
      expect(r.status).toBe(SHAPES.status.malformed);
      expect(r.body.error).toMatch(/malformed JSON/);
    });

    it("answers 404 with an error body to unknown routes and apps", async () => {
      expect(await api.get("/nope")).toMatchObject({
        status: 404,
        body: { error: expect.any(String) },
      });
      for (const p of [
        "/apps/ghost",
        "/apps/ghost/machines",
        "/apps/ghost/volumes",
        "/apps/ghost/secrets",
      ]) {
        const r = await api.get(p);
        expect([p, r.status, sortedKeys(r.body)]).toEqual([p, 404, SHAPES.error.keys]);
      }
    });
  });

  describe("apps", () => {
    it("POST /apps → 201 {id, created_at}; GET, list, delete", async () => {
      const c = await api.post("/apps", { app_name: "api-apps", org_slug: "org-a" });
      expect(c.status).toBe(SHAPES.appCreate.status);
      expect(sortedKeys(c.body)).toEqual(SHAPES.appCreate.keys);
      expect(typeof c.body.created_at).toBe("number");

      const g = await api.get("/apps/api-apps");
      expect(g.status).toBe(200);
      expect(sortedKeys(g.body)).toEqual(expect.arrayContaining(SHAPES.app.keys));
      expect(g.body).toMatchObject({
        id: c.body.id,
        name: "api-apps",
        network: "default",
        organization: { slug: "org-a", name: "org-a" },
      });

      await api.post("/apps", { app_name: "api-apps-2", org_slug: "org-b", network: "custom" });
      const l = await api.get<{ total_apps: number; apps: Obj[] }>("/apps?org_slug=org-a");
      expect(sortedKeys(l.body)).toEqual(SHAPES.appsList.keys);
      expect(l.body.apps.map((a) => a.name)).toEqual(["api-apps"]);
      expect(l.body.total_apps).toBe(1);
      const all = await api.get<{ apps: Obj[] }>("/apps");
      expect(all.body.apps.map((a) => a.name)).toEqual(
        expect.arrayContaining(["api-apps", "api-apps-2"]),
      );
      expect((await api.get("/apps/api-apps-2")).body.network).toBe("custom");

      const d = await api.del("/apps/api-apps-2");
      expect(d.status).toBe(SHAPES.appDelete.status);
      expect((await api.get("/apps/api-apps-2")).status).toBe(404);
      expect((await api.del("/apps/api-apps-2")).status).toBe(404);
    });

    it("creates apps of a new org side by side (one network for the org)", async () => {
      const made = await Promise.all(
        ["api-par-1", "api-par-2", "api-par-3"].map((name) =>
          api.post("/apps", { app_name: name, org_slug: "org-par" }),
        ),
      );
      expect(made.map((r) => r.status)).toEqual([201, 201, 201]);
    });

    it("refuses a taken name (422) and a bad one (400)", async () => {
      await api.post("/apps", { app_name: "api-dupe", org_slug: "org-a" });
      const r = await api.post("/apps", { app_name: "api-dupe", org_slug: "org-a" });
      expect(r).toMatchObject({ status: 422, body: { status: "name_taken" } });
      expect((await api.post("/apps", { app_name: "Bad_Name", org_slug: "org-a" })).status).toBe(
        400,
      );
      expect((await api.post("/apps", { app_name: "no-org" })).status).toBe(400);
    });
  });

  describe("volumes", () => {
    beforeAll(async () => {
      await api.post("/apps", { app_name: "api-vols", org_slug: "org-a" });
    });

    it("creates with Fly's defaults (auto_backup_enabled true although never sent)", async () => {
      // Exactly what the provider sends: no auto_backup_enabled, encrypted true.
      const r = await api.post<Volume>("/apps/api-vols/volumes", {
        name: "data",
        region: "iad",
        size_gb: 1,
        encrypted: true,
      });
      expect(r.status).toBe(200);
      expect(sortedKeys(r.body)).toEqual(SHAPES.volume.keys);
      expect(r.body).toMatchObject({
        ...SHAPES.volume.defaults,
        name: "data",
        region: "iad",
        size_gb: 1,
        attached_machine_id: null,
      });
      expect(r.body.id).toMatch(SHAPES.volume.id);
      expect(r.body.zone).toMatch(SHAPES.volume.zone);
      expect(r.body.created_at).toMatch(RFC3339_MS);

      const g = await api.get<Volume>(`/apps/api-vols/volumes/${r.body.id}`);
      expect(g.body).toEqual(r.body);
      const l = await api.get<Volume[]>("/apps/api-vols/volumes");
      expect(Array.isArray(l.body)).toBe(true);
      expect(l.body.map((v) => v.id)).toContain(r.body.id);
    });

    it("echoes encrypted=false and a given snapshot_retention", async () => {
      const r = await api.post("/apps/api-vols/volumes", {
        name: "plain",
        region: "ams",
        size_gb: 2,
        encrypted: false,
        snapshot_retention: 10,
      });
      expect(r.body).toMatchObject({
        encrypted: false,
        snapshot_retention: 10,
        auto_backup_enabled: true,
      });
    });

    it("updates retention/backup, extends, refuses to shrink, deletes", async () => {
      const v = (
        await api.post<Volume>("/apps/api-vols/volumes", { name: "upd", region: "iad", size_gb: 1 })
      ).body;
      const u = await api.put(`/apps/api-vols/volumes/${v.id}`, {
        snapshot_retention: 7,
        auto_backup_enabled: false,
      });
      expect(u.body).toMatchObject({ id: v.id, snapshot_retention: 7, auto_backup_enabled: false });

      const e = await api.put<{ volume: Volume; needs_restart: boolean }>(
        `/apps/api-vols/volumes/${v.id}/extend`,
        { size_gb: 5 },
      );
      expect(sortedKeys(e.body)).toEqual(SHAPES.volumeExtend.keys);
      expect(e.body.volume.size_gb).toBe(5);
      expect(typeof e.body.needs_restart).toBe("boolean");
      expect((await api.put(`/apps/api-vols/volumes/${v.id}/extend`, { size_gb: 2 })).status).toBe(
        400,
      );

      // Soft delete: pending_destroy for 24 h (volumes-soft-delete.test.ts).
      const d = await api.del(`/apps/api-vols/volumes/${v.id}`);
      expect(d).toMatchObject({ status: 200, body: { id: v.id, state: "pending_destroy" } });
      expect(await api.get(`/apps/api-vols/volumes/${v.id}`)).toMatchObject({
        status: 200,
        body: { state: "pending_destroy" },
      });
      expect((await api.del(`/apps/api-vols/volumes/${v.id}`)).status).toBe(200);
    });

    it("puts same-named volumes in distinct zones and refuses when none is left", async () => {
      const zones: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await api.post<Volume>("/apps/api-vols/volumes", {
          name: "pg",
          region: "ord",
          size_gb: 1,
        });
        expect(r.status).toBe(200);
        zones.push(r.body.zone);
      }
      expect(new Set(zones).size).toBe(4);
      const full = await api.post("/apps/api-vols/volumes", {
        name: "pg",
        region: "ord",
        size_gb: 1,
      });
      expect(full.status).toBe(SHAPES.status.zoneExhausted);
      expect(full.body).toMatchObject({ status: "insufficient_capacity" });
      expect(full.body.error).toMatch(/require_unique_zone/);

      const relaxed = await api.post<Volume>("/apps/api-vols/volumes", {
        name: "pg",
        region: "ord",
        size_gb: 1,
        require_unique_zone: false,
      });
      expect(relaxed.status).toBe(200);
      expect(zones).toContain(relaxed.body.zone);
      expect(
        (await api.post("/apps/api-vols/volumes", { name: "other", region: "ord" })).status,
      ).toBe(200);
    });

    it("keeps zones distinct when same-named volumes are created in parallel", async () => {
      // Terraform creates count = N volumes concurrently.
      const made = await Promise.all(
        [0, 1, 2, 3].map(() =>
          api.post<Volume>("/apps/api-vols/volumes", { name: "par", region: "ams", size_gb: 1 }),
        ),
      );
      expect(made.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(new Set(made.map((r) => r.body.zone)).size).toBe(4);
      const fifth = await Promise.all(
        [0, 1].map(() =>
          api.post("/apps/api-vols/volumes", { name: "par", region: "ams", size_gb: 1 }),
        ),
      );
      expect(fifth.map((r) => r.status)).toEqual([
        SHAPES.status.zoneExhausted,
        SHAPES.status.zoneExhausted,
      ]);
    });

    it("validates name, region and numbers; 404s unknown ids", async () => {
      expect(
        (await api.post("/apps/api-vols/volumes", { name: "Bad-Name", region: "iad" })).status,
      ).toBe(400);
      expect(
        (await api.post("/apps/api-vols/volumes", { name: "ok", region: "mars" })).status,
      ).toBe(400);
      expect(
        (await api.post("/apps/api-vols/volumes", { name: "ok", region: "iad", size_gb: "1" }))
          .status,
      ).toBe(400);
      expect((await api.get("/apps/api-vols/volumes/vol_nope")).status).toBe(404);
    });
  });

  describe("secrets", () => {
    beforeAll(async () => {
      await api.post("/apps", { app_name: "api-secrets", org_slug: "org-a" });
    });

    it("sets, lists, updates and deletes", async () => {
      const s = await api.post("/apps/api-secrets/secrets/K3S_TOKEN", {
        value: "s3cret",
        type: "opaque",
      });
      expect(s.status).toBe(200);
      expect(sortedKeys(s.body)).toEqual(SHAPES.secretSet.keys);
      expect(s.body.digest).not.toBe(createHash("sha256").update("s3cret").digest("hex"));

      const l = await api.get<{ secrets: Obj[] }>("/apps/api-secrets/secrets");
      expect(sortedKeys(l.body)).toEqual(SHAPES.secretsList.keys);
      expect(l.body.secrets).toHaveLength(1);
      expect(sortedKeys(l.body.secrets[0])).toEqual(SHAPES.secretsList.secret);
      expect(l.body.secrets[0]).toMatchObject({ name: "K3S_TOKEN", digest: s.body.digest });
      expect(l.body.secrets[0].created_at).toMatch(RFC3339_S);
      expect(JSON.stringify(l.body)).not.toContain("s3cret");

      const again = await api.post("/apps/api-secrets/secrets/K3S_TOKEN", {
        value: "other",
        type: "opaque",
      });
      expect(again.body.digest).not.toBe(s.body.digest);
      expect(again.body.created_at).toBe(s.body.created_at);

      const d = await api.del("/apps/api-secrets/secrets/K3S_TOKEN");
      expect(sortedKeys(d.body)).toEqual(SHAPES.secretDelete.keys);
      expect((await api.get<{ secrets: Obj[] }>("/apps/api-secrets/secrets")).body.secrets).toEqual(
        [],
      );
      expect((await api.del("/apps/api-secrets/secrets/K3S_TOKEN")).status).toBe(404);
      expect((await api.post("/apps/api-secrets/secrets/K3S_TOKEN", {})).status).toBe(400);
    });
  });

  describe("machines", () => {
    const app = "api-machines";
    const base = `/apps/${app}/machines`;
    const config = {
      image: TEST_IMAGE,
      env: { ROLE: "server" },
      metadata: { fly_process_group: "app" },
      services: [{ protocol: "tcp", internal_port: 6443, ports: [{ port: 6443 }] }],
      restart: { policy: "always" },
      checks: { k3s: { type: "tcp", port: 6443, interval: "15s", timeout: "2s" } },
    };

    beforeAll(async () => {
      await api.post("/apps", { app_name: app, org_slug: "org-a" });
    });

    it("creates (skip_launch), echoes the config exactly and fills guest", async () => {
      const r = await api.post<Machine>(base, { region: "iad", config, skip_launch: true });
      expect(r.status).toBe(200);
      const m = r.body;
      expect(sortedKeys(m)).toEqual(expect.arrayContaining(SHAPES.machine.keys));
      expect(m.id).toMatch(SHAPES.machine.id);
      expect(m.instance_id).toMatch(SHAPES.machine.instanceId);
      expect(m.private_ip).toMatch(SHAPES.machine.privateIp);
      expect(m.created_at).toMatch(RFC3339_S);
      expect(m.updated_at).toMatch(RFC3339_S);
      expect(m.name).toMatch(/^[a-z]+-[a-z]+-\d{4}$/);
      expect(m).toMatchObject({ state: "created", region: "iad" });
      expect(m.config).toEqual({ ...config, guest: SHAPES.machine.defaultGuest });
      expect(sortedKeys(m.image_ref)).toEqual(SHAPES.machine.imageRef);
      expect(Array.isArray(m.events)).toBe(true);

      const g = await api.get<Machine>(`${base}/${m.id}`);
      expect(g.body).toMatchObject({ id: m.id, name: m.name, state: "created", config: m.config });
      const l = await api.get<Machine[]>(base);
      expect(l.body.map((x) => x.id)).toContain(m.id);
    });

    it("keeps a given name and refuses a duplicate", async () => {
      const r = await api.post<Machine>(base, {
        name: "ctrl-0",
        region: "ams",
        config,
        skip_launch: true,
      });
      expect(r.body.name).toBe("ctrl-0");
      expect(
        (await api.post(base, { name: "ctrl-0", region: "ams", config, skip_launch: true })).status,
      ).toBe(409);
    });

    it("starts, waits, execs, updates (new instance_id), stops, deletes", async () => {
      const m = (await api.post<Machine>(base, { region: "iad", config: { image: TEST_IMAGE } }))
        .body;
      const w = await api.get(`${base}/${m.id}/wait?state=started&timeout=60`);
      expect(w).toEqual({ status: 200, body: SHAPES.ok });
      expect((await api.get<Machine>(`${base}/${m.id}`)).body.state).toBe("started");

      const ex = await api.post(`${base}/${m.id}/exec`, {
        cmd: `sh -c 'echo "$FLY_MACHINE_ID"; echo err >&2; exit 3'`,
      });
      expect(sortedKeys(ex.body)).toEqual(SHAPES.exec.keys);
      expect(ex.body).toEqual({ exit_code: 3, stdout: `${m.id}\n`, stderr: "err\n" });
      const ex2 = await api.post(`${base}/${m.id}/exec`, { command: ["echo", "a b"], timeout: 10 });
      expect(ex2.body).toEqual({ exit_code: 0, stdout: "a b\n", stderr: "" });
      // `command` reaches the process as sent: one argv element per argument,
      // whatever spaces and quotes it holds; it wins over a `cmd` beside it.
      const argv = await api.post(`${base}/${m.id}/exec`, {
        command: ["sh", "-c", `printf '<%s>' "$@"`, "sh", "a b", `it's "q"`, ""],
        cmd: "echo ignored",
      });
      expect(argv.body).toEqual({ exit_code: 0, stdout: `<a b><it's "q"><>`, stderr: "" });
      expect((await api.post(`${base}/${m.id}/exec`, { timeout: 5 })).status).toBe(400);
      const stdin = await api.post(`${base}/${m.id}/exec`, {
        cmd: "sh -c 'cat > /tmp/in; wc -c < /tmp/in'",
        stdin: "secret\n",
      });
      expect(stdin.body).toEqual({ exit_code: 0, stdout: "7\n", stderr: "" });
      const slow = await api.post(`${base}/${m.id}/exec`, { cmd: "sleep 5", timeout: 1 });
      expect(slow.status).toBe(408);

      const u = await api.post<Machine>(`${base}/${m.id}`, {
        config: { image: TEST_IMAGE, env: { V: "2" } },
      });
      expect(u.status).toBe(200);
      expect(u.body.instance_id).not.toBe(m.instance_id);
      expect(u.body.private_ip).toBe(m.private_ip);
      expect((await api.get(`${base}/${m.id}/wait?state=started&timeout=60`)).status).toBe(200);
      const q = (state: string, instance: string) =>
        api.get(`${base}/${m.id}/wait?state=${state}&timeout=5&instance_id=${instance}`);
      expect((await q("started", u.body.instance_id)).status).toBe(200);
      // The replaced version: stopped already, and never to start again.
      expect((await q("stopped", m.instance_id)).status).toBe(200);
      expect((await q("started", m.instance_id)).status).toBe(400);
      const env = await api.post(`${base}/${m.id}/exec`, { cmd: "sh -c 'echo $V'" });
      expect(env.body.stdout).toBe("2\n");

      const tooLong = await api.get(`${base}/${m.id}/wait?state=started&timeout=61`);
      expect(tooLong.status).toBe(400);
      expect((await api.get(`${base}/${m.id}/wait?state=bogus`)).status).toBe(400);
      const timeout = await api.get(`${base}/${m.id}/wait?state=stopped&timeout=1`);
      expect(timeout.status).toBe(SHAPES.status.waitTimeout);
      expect(sortedKeys(timeout.body)).toEqual(SHAPES.error.keys);

      const refused = await api.del(`${base}/${m.id}`);
      expect(refused.status).toBe(SHAPES.status.deleteStarted);
      expect(refused.body.error).toMatch(/not currently stopped/);

      expect(await api.post(`${base}/${m.id}/stop`)).toEqual({ status: 200, body: SHAPES.ok });
      expect((await api.get(`${base}/${m.id}/wait?state=stopped&timeout=60`)).status).toBe(200);
      expect((await api.post(`${base}/${m.id}/exec`, { cmd: "true" })).status).toBe(412);

      const st = await api.post(`${base}/${m.id}/start`);
      expect(sortedKeys(st.body)).toEqual(SHAPES.start.keys);
      expect(st.body.previous_state).toBe("stopped");
      expect((await api.get(`${base}/${m.id}/wait?state=started&timeout=60`)).status).toBe(200);

      expect(await api.post(`${base}/${m.id}/suspend`)).toEqual({ status: 200, body: SHAPES.ok });
      expect((await api.get(`${base}/${m.id}/wait?state=suspended&timeout=30`)).status).toBe(200);
      await api.post(`${base}/${m.id}/start`);
      expect((await api.get(`${base}/${m.id}/wait?state=started&timeout=30`)).status).toBe(200);

      expect(await api.del(`${base}/${m.id}?force=true`)).toEqual({ status: 200, body: SHAPES.ok });
      expect((await api.get(`${base}/${m.id}/wait?state=destroyed&timeout=5`)).status).toBe(200);
      expect((await api.get<Machine>(`${base}/${m.id}`)).body.state).toBe("destroyed");
      expect((await api.get<Machine[]>(base)).body.map((x) => x.id)).not.toContain(m.id);
    });

    it("leases: 409 for a mutation without the nonce, OK with it; release needs it", async () => {
      const m = (await api.post<Machine>(base, { region: "iad", config, skip_launch: true })).body;
      const l = await api.post<{ status: string; data: Obj }>(`${base}/${m.id}/lease`, { ttl: 60 });
      expect(sortedKeys(l.body)).toEqual(SHAPES.lease.keys);
      expect(sortedKeys(l.body.data)).toEqual(SHAPES.lease.data);
      const nonce = String(l.body.data.nonce);
      expect(typeof l.body.data.expires_at).toBe("number");

      const g = await api.get<{ data: Obj }>(`${base}/${m.id}/lease`);
      expect(g.body.data.owner).toBe(l.body.data.owner);

      // The provider's update: no fly-machine-lease-nonce header.
      const upd = await api.post(`${base}/${m.id}`, { config });
      expect(upd.status).toBe(SHAPES.status.leaseConflict);
      expect(upd.body.error).toMatch(SHAPES.leaseConflict);
      expect(upd.body.error).toContain(m.id);
      expect((await api.post(`${base}/${m.id}/stop`)).status).toBe(409);
      expect((await api.del(`${base}/${m.id}`)).status).toBe(409);
      expect((await api.post(`${base}/${m.id}/lease`, { ttl: 60 })).status).toBe(409);

      const h = { "fly-machine-lease-nonce": nonce };
      const ok = await api.post(`${base}/${m.id}`, { config, skip_launch: true }, h);
      expect(ok.status).toBe(200);

      expect((await api.del(`${base}/${m.id}/lease`)).status).toBe(400);
      expect((await api.del(`${base}/${m.id}/lease`, h)).status).toBe(200);
      expect((await api.get(`${base}/${m.id}/lease`)).status).toBe(404);
      expect((await api.post(`${base}/${m.id}/stop`)).status).toBe(200);
    });

    it("restart, cordon and uncordon", async () => {
      const m = (await api.post<Machine>(base, { region: "iad", config: { image: TEST_IMAGE } }))
        .body;
      expect((await api.get(`${base}/${m.id}/wait?state=started&timeout=60`)).status).toBe(200);
      await api.post(`${base}/${m.id}/exec`, { cmd: "touch /root/before-restart" });
      expect(await api.post(`${base}/${m.id}/restart`)).toEqual({ status: 200, body: SHAPES.ok });
      expect((await api.get(`${base}/${m.id}/wait?state=started&timeout=60`)).status).toBe(200);
      expect(
        (
          await api.post<{ exit_code: number }>(`${base}/${m.id}/exec`, {
            cmd: "ls /root/before-restart",
          })
        ).body.exit_code,
      ).not.toBe(0);
      expect(await api.post(`${base}/${m.id}/cordon`)).toEqual({ status: 200, body: SHAPES.ok });
      expect(await api.post(`${base}/${m.id}/uncordon`)).toEqual({ status: 200, body: SHAPES.ok });
      expect((await api.del(`${base}/${m.id}?force=true`)).status).toBe(200);
    });

    it("reports a machine whose container cannot start as failed, with podman's reason", async () => {
      const m = (
        await api.post<Machine>(base, {
          region: "iad",
          config: { image: TEST_IMAGE, init: { exec: ["/no/such/binary"] } },
        })
      ).body;
      const w = await api.get(`${base}/${m.id}/wait?state=started&timeout=30`);
      expect(w.status).toBe(412);
      expect(w.body.error).toMatch(/failed to launch: .*no\/such\/binary/);
      expect((await api.get<Machine>(`${base}/${m.id}`)).body.state).toBe("failed");
      expect((await api.del(`${base}/${m.id}`)).status).toBe(200);
    });

    it("metadata GET/POST/DELETE", async () => {
      const m = (await api.post<Machine>(base, { region: "iad", config, skip_launch: true })).body;
      expect((await api.get(`${base}/${m.id}/metadata`)).body).toEqual(config.metadata);
      expect((await api.post(`${base}/${m.id}/metadata/role`, { value: "server" })).status).toBe(
        204,
      );
      expect((await api.get(`${base}/${m.id}/metadata`)).body).toEqual({
        ...config.metadata,
        role: "server",
      });
      const after = (await api.get<Machine>(`${base}/${m.id}`)).body;
      expect(after.config.metadata).toEqual({ ...config.metadata, role: "server" });
      expect(after.instance_id).toBe(m.instance_id);
      expect((await api.del(`${base}/${m.id}/metadata/role`)).status).toBe(204);
      expect((await api.del(`${base}/${m.id}/metadata/role`)).status).toBe(404);
    });

    it("validates input and 404s unknown things", async () => {
      expect((await api.get(`${base}/00000000000000`)).status).toBe(404);
      expect((await api.post(`${base}/00000000000000/stop`)).status).toBe(404);
      expect((await api.post(base, { region: "iad" })).status).toBe(400);
      expect((await api.post(base, { region: "iad", config: { image: "" } })).status).toBe(400);
      expect((await api.post(base, { region: "mars", config })).status).toBe(400);
      const noImage = await api.post(base, {
        region: "iad",
        config: { image: "localhost/nope:never" },
      });
      expect(noImage.status).toBe(422);
      expect(noImage.body.error).toContain("localhost/nope:never");
      const noVol = await api.post(base, {
        region: "iad",
        config: { image: TEST_IMAGE, mounts: [{ volume: "vol_nope", path: "/data" }] },
      });
      expect(noVol.status).toBe(404);
      const badGuest = await api.post(base, {
        region: "iad",
        config: { image: TEST_IMAGE, guest: { memory_mb: 100 } },
      });
      expect(badGuest.status).toBe(400);
    });

    it("attaches a volume in its zone and refuses to delete it while attached", async () => {
      const v = (
        await api.post<Volume>(`/apps/${app}/volumes`, { name: "vdata", region: "iad", size_gb: 1 })
      ).body;
      const m = (
        await api.post<Machine>(base, {
          region: "iad",
          config: { image: TEST_IMAGE, mounts: [{ volume: v.id, path: "/data" }] },
          skip_launch: true,
        })
      ).body;
      expect(String(m.private_ip).split(":")[4]).toBe(v.zone.replace(/^0+(?=.)/, ""));
      expect((await api.get(`/apps/${app}/volumes/${v.id}`)).body.attached_machine_id).toBe(m.id);
      expect((await api.del(`/apps/${app}/volumes/${v.id}`)).status).toBe(412);
      const other = await api.post(base, {
        region: "iad",
        config: { image: TEST_IMAGE, mounts: [{ volume: v.id, path: "/data" }] },
        skip_launch: true,
      });
      expect(other.status).toBe(412);
      const wrongRegion = await api.post(base, {
        region: "ams",
        config: { image: TEST_IMAGE, mounts: [{ volume: v.id, path: "/data" }] },
        skip_launch: true,
      });
      expect(wrongRegion.status).toBe(400);

      // Machine delete answers at once; the volume stays attached until the
      // machine is destroyed (destroyDelayMs), so an immediate volume delete
      // meets 412, as on Fly.
      expect((await api.del(`${base}/${m.id}`)).status).toBe(200);
      expect((await api.get<Machine>(`${base}/${m.id}`)).body.state).toBe("destroying");
      expect((await api.del(`/apps/${app}/volumes/${v.id}`)).status).toBe(412);
      expect((await api.get(`${base}/${m.id}/wait?state=destroyed&timeout=10`)).status).toBe(200);
      expect((await api.get(`/apps/${app}/volumes/${v.id}`)).body.attached_machine_id).toBeNull();
      expect((await api.del(`/apps/${app}/volumes/${v.id}`)).status).toBe(200);
    });
  });
});

// Rate limits, latency and faults: limits-faults.test.ts.
