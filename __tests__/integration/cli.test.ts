/**
 * ./k3s.sh as a newcomer runs it, on clusters/local with no Fly token: it
 * starts the local Fly itself, creates everything Fly-side with the real
 * OpenTofu and providers, says plainly that no Kubernetes runs, and the
 * status, plan, drift and destroy verbs answer about what it made.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { setTimeout as sleep } from "node:timers/promises";
import { resetEmulator } from "../../emulator";
import { rollMachine } from "../../ops/roll";
import { MachineConfig } from "../../contract/machines-api-types";
import { MachinesApi } from "../../ops/machines-api";
import {
  EMULATOR_LOG_FILE,
  EMULATOR_PID_FILE,
  endpointFromLog,
} from "../../contract/emulator-endpoint";
import { ROOT, requireToolchain } from "../toolchain";

jest.setTimeout(600_000);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe("./k3s.sh on the local Fly", () => {
  let env: Record<string, string>;
  let emuDir: string;

  const k3s = (...args: string[]) =>
    new Promise<Run>((resolve) => {
      execFile(
        path.join(ROOT, "k3s.sh"),
        args,
        { cwd: ROOT, env, maxBuffer: 64 << 20 },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    requireToolchain();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-cli-"));
    emuDir = path.join(work, "emulator");
    env = { ...process.env } as Record<string, string>;
    delete env.FLY_API_TOKEN;
    delete env.FLY_API_URL;
    Object.assign(env, {
      FLY_K3S_EMULATOR_DIR: emuDir,
      FLY_K3S_EMULATOR_PORT: String(await freePort()),
      FLY_K3S_STATE_DIR: path.join(work, "state"),
    });
  });

  afterAll(async () => {
    const pidFile = path.join(emuDir, EMULATOR_PID_FILE);
    if (fs.existsSync(pidFile)) {
      try {
        process.kill(Number(fs.readFileSync(pidFile, "utf8")), "SIGTERM");
      } catch {
        // already gone
      }
      await sleep(1000);
    }
    await resetEmulator(emuDir);
  });

  it("-c creates everything Fly-side, exits 0 and says no Kubernetes is running", async () => {
    const r = await k3s("-c", "clusters/local");
    expect(r.stderr).toContain("starting the local Fly emulator");
    expect(r.stderr).toContain("cluster local: 3 of 3 machines started on the local Fly emulator");
    expect(r.stderr).toContain(
      "no Kubernetes is running: the node image localhost/fly-emulator-test:latest",
    );
    expect(r.code).toBe(0);
  });

  it("--status --json lists every machine with its zone, 6PN address and node name", async () => {
    const r = await k3s("--status", "--json", "clusters/local");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, string>[];
    expect(rows.map((m) => m.name)).toEqual(["ctrl-0", "ctrl-1", "ctrl-2"]);
    for (const m of rows) {
      expect(m).toMatchObject({ app: "local-cp", state: "started", size: "shared-cpu-2x 2048 MB" });
      expect(m.private_ip).toMatch(/^fdaa:/);
      expect(m.zone).toMatch(/^[0-9a-f]{4}$/);
      expect(m.node_name).toBe(`${m.id}.vm.local-cp.internal`);
    }
    expect(new Set(rows.map((m) => m.zone)).size).toBe(3);
  });

  it("plan and drift answer 0, then 2 after a change behind the tool's back, then 0 after -c", async () => {
    expect((await k3s("-p", "clusters/local")).code).toBe(0);
    expect((await k3s("--drift", "clusters/local")).code).toBe(0);
    const ep = endpointFromLog(fs.readFileSync(path.join(emuDir, EMULATOR_LOG_FILE), "utf8"));
    if (!ep) throw new Error("no endpoint in the emulator log");
    const api = new MachinesApi({ baseUrl: ep.url, token: ep.token });
    const m = (await api.listMachines("local-cp")).find((x) => x.name === "ctrl-1");
    if (!m) throw new Error("ctrl-1 is missing");
    const guest = { ...m.config.guest, memory_mb: 4096 };
    await rollMachine(api, "local-cp", m.id, { guest } as MachineConfig, () => {});
    const drift = await k3s("--drift", "clusters/local");
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(
      /fly_machine\.control-plane_ctrl-1_machine_\w+: guest\.memory_mb: 2048 -> 4096/,
    );
    const plan = await k3s("-p", "clusters/local");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("machine ctrl-1: guest differ from the declared config");
    const fix = await k3s("-c", "clusters/local");
    expect(fix.code).toBe(0);
    expect(fix.stderr).toMatch(/repaired null_resource\.control-plane_ctrl-1_roll_step_\w+/);
    expect((await k3s("--drift", "clusters/local")).code).toBe(0);
  });

  it("-d needs --yes without a terminal, removes everything, and a second run finds nothing left", async () => {
    const refused = await k3s("-d", "clusters/local");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("give --yes");
    const d = await k3s("-d", "--yes", "clusters/local");
    if (d.code !== 0) throw new Error(`-d --yes failed:\n${d.stderr}`);
    expect(d.stdout).toContain("destroyed cluster local: 1 apps, 3 machines, 3 volumes");
    const again = await k3s("-d", "--yes", "clusters/local");
    if (again.code !== 0) throw new Error(`second -d --yes failed:\n${again.stderr}`);
    expect(again.stdout).toContain("nothing is left of cluster local on this target");
    const status = await k3s("--status", "--json", "clusters/local");
    expect(JSON.parse(status.stdout)).toEqual([]);
  });

  it("npm run cdktf -- deploy, diff and destroy local run non-interactively (deploy and destroy as -c and -d do, diff through cdktf-cli)", async () => {
    const cdktf = (...args: string[]) =>
      new Promise<Run>((resolve) => {
        execFile(
          "npm",
          ["run", "-s", "cdktf", "--", ...args],
          { cwd: ROOT, env: { ...env, CI: "1" }, maxBuffer: 64 << 20 },
          (err, stdout, stderr) =>
            resolve({
              code: err ? Number((err as { code?: number }).code ?? 1) : 0,
              stdout,
              stderr,
            }),
        );
      });
    const deploy = await cdktf("deploy", "local", "--auto-approve");
    expect(deploy.code).toBe(0);
    // The deploy of ./k3s.sh -c (ops/deploy.ts), then the stack's outputs.
    expect(deploy.stderr).toContain("comparing Fly with the state");
    expect(deploy.stderr).toContain("recording what the roll steps changed");
    expect(deploy.stdout).toContain('control_plane_app = "local-cp"');
    const diff = await cdktf("diff", "local");
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("No changes.");
    const destroy = await cdktf("destroy", "local", "--auto-approve");
    expect(destroy.code).toBe(0);
    expect(destroy.stdout).toContain("Destroy complete! Resources: 14 destroyed.");
    const status = await k3s("--status", "--json", "clusters/local");
    expect(JSON.parse(status.stdout)).toEqual([]);
  });
});
