/**
 * The provisioner operations (bin/fly-machines) against the local Fly
 * emulator, whose machines are real containers: the calls the stack makes
 * after the provider has created apps, volumes and machines.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { joinNode } from "../../ops/join";
import { fetchKubeconfig } from "../../ops/kubeconfig";
import { rollMachine } from "../../ops/roll";
import { disableScheduledSnapshots } from "../../ops/snapshots";
import { Machine, Volume } from "../../contract/machines-api-types";
import { MachinesApi } from "../../ops/machines-api";
import { LocalFly, TEST_IMAGE, startLocalFly } from "./local-fly";

const IMAGE = TEST_IMAGE;
const quiet = () => {};

jest.setTimeout(240_000);

describe("provisioner operations on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let kubeDir: string;
  const app = "opstest-cp";
  let a: Machine;
  let b: Machine;
  let volA: Volume;

  beforeAll(async () => {
    fly = await startLocalFly("ops-test-token");
    api = new MachinesApi({ baseUrl: fly.emu.url, token: fly.emu.token, retryDelayMs: 200 });
    kubeDir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-kube-"));

    // What the provider does for fly_app, fly_volume and fly_machine.
    await api.request("POST", "/apps", { app_name: app, org_slug: "personal" });
    const vols: Volume[] = [];
    for (let i = 0; i < 2; i++) {
      vols.push(
        await api.request("POST", `/apps/${app}/volumes`, {
          name: "ops_data",
          region: "sjc",
          size_gb: 1,
          encrypted: true,
          require_unique_zone: true,
        }),
      );
    }
    volA = vols[0];
    const machines: Machine[] = [];
    for (let i = 0; i < 2; i++) {
      const created = await api.request<Machine>("POST", `/apps/${app}/machines`, {
        name: `ctrl-${i}`,
        region: "sjc",
        config: {
          image: IMAGE,
          env: { K3S_ROLE: "server" },
          guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256 },
          mounts: [{ volume: vols[i].id, path: "/data" }],
        },
      });
      await api.waitForState(app, created.id, "started", 60);
      machines.push(await api.getMachine(app, created.id));
    }
    [a, b] = machines;
  });

  afterAll(async () => {
    await fly?.stop();
  });

  it("is reachable as bin/fly-machines with the provider's settings", async () => {
    // Asynchronous: the emulator runs in this process and must keep answering.
    const run = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          path.join(__dirname, "../../bin/fly-machines"),
          args,
          { env: { ...process.env, FLY_API_URL: fly.emu.url, FLY_API_TOKEN: fly.emu.token } },
          (err, stdout, stderr) =>
            resolve({
              code: err ? Number((err as { code?: number }).code ?? 1) : 0,
              stdout,
              stderr,
            }),
        );
      });
    const list = await run("list", "--app", app);
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^NAME\s+ID\s+STATE\s+REGION\s+PRIVATE IP\s+ZONE$/);
    expect(
      rows
        .slice(1)
        .map((r) => r.split(/\s+/)[0])
        .sort(),
    ).toEqual(["ctrl-0", "ctrl-1"]);
    const bad = await run(
      "wait-ready",
      "--cp-app",
      app,
      "--bootstrap",
      "ctrl-0",
      "--app",
      app,
      "--machine",
      "ctrl-1",
      "--timeout",
      "soon",
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--timeout must be a whole number of seconds (got "soon")');
  });

  it("switches scheduled snapshots off on a volume Fly created with them on", async () => {
    expect((await api.getVolume(app, volA.id)).auto_backup_enabled).toBe(true);
    const lines: string[] = [];
    await disableScheduledSnapshots(api, app, volA.id, (l) => lines.push(l));
    expect((await api.getVolume(app, volA.id)).auto_backup_enabled).toBe(false);
    await disableScheduledSnapshots(api, app, volA.id, (l) => lines.push(l));
    expect(lines[1]).toMatch(/already off/);
  });

  it("rolls a memory change under a lease (where the provider's update gets 409)", async () => {
    const before = await api.getMachine(app, a.id);
    const desired = { ...before.config, guest: { cpu_kind: "shared", cpus: 1, memory_mb: 512 } };
    await expect(rollMachine(api, app, "ctrl-0", desired, quiet)).resolves.toBe("updated");
    const after = await api.getMachine(app, a.id);
    expect(after.config.guest?.memory_mb).toBe(512);
    expect(after.instance_id).not.toBe(before.instance_id);
    expect(after.state).toBe("started");
    await expect(rollMachine(api, app, "ctrl-0", desired, quiet)).resolves.toBe("unchanged");
  });

  it("moves the join token from the bootstrap node's volume to the joiner's, mode 0600", async () => {
    const token = "K10" + "0f".repeat(32) + "::server:opstestsecret";
    const seed = await api.exec(
      app,
      a.id,
      ["sh", "-c", "mkdir -p /data/k3s/server && cat > /data/k3s/server/token"],
      {
        stdin: token,
      },
    );
    expect(seed.exit_code).toBe(0);
    await joinNode(api, app, "ctrl-0", app, "ctrl-1", quiet, 30);
    const r = await api.exec(app, b.id, [
      "sh",
      "-c",
      "stat -c %a /data/k3s-token && cat /data/k3s-token",
    ]);
    expect(r.stdout.trim().split("\n")).toEqual(["600", token]);
    // The token went through exec stdin/stdout only, never into the machine config.
    expect(JSON.stringify(await api.getMachine(app, b.id))).not.toContain("opstestsecret");
  });

  it("fetches the admin kubeconfig into a 0600 file: the cluster's .internal name (current) and fly proxy", async () => {
    const kubeconfig = [
      "apiVersion: v1",
      "clusters:",
      "- cluster: {certificate-authority-data: Q0E=, server: 'https://127.0.0.1:6443'}",
      "  name: default",
      "users:",
      "- name: default",
      "  user: {client-key-data: S0VZ}",
      "",
    ].join("\n");
    const w = await api.exec(
      app,
      a.id,
      ["sh", "-c", "mkdir -p /etc/rancher/k3s && cat > /etc/rancher/k3s/k3s.yaml"],
      {
        stdin: kubeconfig,
      },
    );
    expect(w.exit_code).toBe(0);
    const out = path.join(kubeDir, "opstest");
    await fetchKubeconfig(
      api,
      app,
      "ctrl-0",
      "opstest",
      "https://opstest-cp.internal:6443",
      out,
      quiet,
    );
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const cfg = parse(fs.readFileSync(out, "utf8"));
    expect(cfg.clusters[0]).toEqual({
      name: "opstest",
      cluster: { "certificate-authority-data": "Q0E=", server: "https://opstest-cp.internal:6443" },
    });
    expect(cfg["current-context"]).toBe("opstest");
    expect(cfg.contexts.map((c: { name: string }) => c.name)).toEqual(["opstest", "opstest-proxy"]);
  });
});
