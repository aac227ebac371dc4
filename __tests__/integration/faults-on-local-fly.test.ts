/**
 * The deploy (cli/stack.ts → ops/deploy.ts, through the pacer) converging
 * without a human on the local Fly, with the real OpenTofu and providers,
 * under what real Fly does to it: rate limits (on by default in the
 * emulator), injected 5xx and a 429 burst, a tofu SIGKILLed mid-apply, a
 * lease left by a killed roll, a volume lost with its host, a machine back
 * with a new 6PN address, a machine gone for good, and a destroy that meets
 * machines still `destroying`.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { setTimeout as sleep } from "node:timers/promises";
import { emulatorAdmin, type EmulatorAdmin } from "../../emulator";
import { loadCluster } from "../../config/load";
import { Stack } from "../../cli/stack";
import { Target } from "../../cli/target";
import { toolchain } from "../../cli/toolchain";
import { NODE_STOP_CONFIG } from "../../contract/machine-config";
import { rollMachine } from "../../ops/roll";
import { lostVolumeMessage } from "../../ops/deploy";
import { Machine } from "../../contract/machines-api-types";
import { MachinesApi } from "../../ops/machines-api";
import { DECISION_FILE, ETCD_WAL_DIR, K3S_DATA_DIR } from "../../contract/node-paths";
import { copyClusters } from "../scratch-clusters";
import { requireToolchain } from "../toolchain";
import { LocalFly, TEST_IMAGE, startLocalFly } from "./local-fly";

jest.setTimeout(900_000);

const CP = "local-cp";
const NG = "local-ng-0";

describe("the deploy converges under Fly's faults on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let admin: EmulatorAdmin;
  let work: string;
  let target: Target;
  let lines: string[];
  const timings: string[] = [];

  const log = (l: string) => {
    lines.push(l);
  };
  const newStack = () => {
    const dir = path.join(work, "clusters/local");
    const { config } = loadCluster(dir, "clusters/local");
    const tools = toolchain({ ...process.env, FLY_K3S_USE_REGISTRY: "" });
    return new Stack(config, tools, target, log, work);
  };
  /** Runs f on a fresh Stack (its pacer closed after), keeping its log lines. */
  async function withStack<T>(what: string, f: (s: Stack) => Promise<T>): Promise<T> {
    lines = [];
    const s = newStack();
    const t0 = Date.now();
    try {
      await s.prepare();
      return await f(s);
    } finally {
      await s.close();
      timings.push(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  const live = async (app: string) => ({
    machines: (await api.listMachines(app)).filter((m) => m.state !== "destroyed"),
    volumes: (await api.listVolumes(app)).filter((v) => v.state !== "pending_destroy"),
  });
  const byName = (ms: Machine[], name: string) => ms.find((m) => m.name === name) as Machine;

  beforeAll(async () => {
    requireToolchain();
    fly = await startLocalFly();
    api = fly.api();
    admin = emulatorAdmin(fly.emu.url, fly.emu.token);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-faults-"));
    copyClusters(work);
    expect(fs.readFileSync(path.join(work, "clusters/local/config"), "utf8")).toContain(
      `NODE_IMAGE=${TEST_IMAGE}\n`,
    );
    fs.writeFileSync(path.join(work, "clusters/local/node-groups"), "");
    target = {
      kind: "local",
      apiUrl: fly.emu.url,
      token: fly.emu.token,
      env: {
        FLY_API_URL: fly.emu.url,
        FLY_API_TOKEN: fly.emu.token,
        FLY_K3S_TARGET: "local",
        FLY_K3S_STATE_DIR: path.join(work, "state"),
      },
    };
  });

  afterAll(async () => {
    await fly?.stop();
    if (timings.length > 0) console.log(`faults on the local Fly:\n  ${timings.join("\n  ")}`);
  });

  it("creates the control plane under rate limits, injected 5xx and a 429 burst", async () => {
    expect((await admin.settings()).rateLimit).toBe(true);
    await admin.set({ faultRate: 0.1, retryAfter: true });
    await admin.resetStats();
    // A 2 s window of 429 to everything, once the apply is creating volumes.
    let deploying = true;
    const burst = (async () => {
      while (deploying) {
        const vols = await api.listVolumes(CP).catch(() => []);
        if (vols.length > 0) return admin.burst429(2000);
        await sleep(1100); // within Fly's 1/s for listing an app's volumes
      }
      return undefined;
    })();
    const r = await withStack("deploy (3 servers, 10% 5xx, a 2 s 429 burst)", (s) =>
      s.deploy(),
    ).finally(() => (deploying = false));
    await burst;
    await admin.set({ faultRate: 0 });
    const stats = await admin.stats();
    console.log(
      `emulator counters: ${JSON.stringify(stats.totals)}\n${lines
        .filter((l) => l.startsWith("fly pacer:"))
        .slice(-3)
        .join("\n")}`,
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(stats.totals.faults5xx).toBeGreaterThan(0);
    expect(stats.totals.burst429).toBeGreaterThan(0);
    const { machines, volumes } = await live(CP);
    expect(machines.map((m) => m.state)).toEqual(["started", "started", "started"]);
    expect(volumes).toHaveLength(3);
    const summary = lines.find((l) => /^fly pacer: \d+ requests/.test(l));
    expect(summary).toBeDefined();
    expect(lines.some((l) => /^fly pacer: .* answered (50\d|429); retry/.test(l))).toBe(true);
    // Paced, the deploy earns (almost) no 429 from the buckets.
    expect(stats.totals.rateLimited).toBeLessThanOrEqual(Math.ceil(stats.totals.requests * 0.02));
  });

  it("resumes after tofu was SIGKILLed mid-apply: adopts what it created, creates nothing twice", async () => {
    fs.writeFileSync(path.join(work, "clusters/local/node-groups"), "0\n");
    const s = newStack();
    await s.prepare();
    await s.close();
    const tools = toolchain({ ...process.env, FLY_K3S_USE_REGISTRY: "" });
    const child = spawn(
      tools.binary,
      [`-chdir=${s.dir}`, "apply", "-input=false", "-auto-approve", "-no-color"],
      {
        env: { ...process.env, ...tools.env, ...target.env },
        detached: true,
        stdio: "ignore",
      },
    );
    const pid = child.pid as number;
    const exited = new Promise((r) => child.on("exit", r));
    // Kill the whole run (tofu and its providers) once Fly has a worker machine.
    for (let i = 0; i < 600; i++) {
      const ms = await api.listMachines(NG).catch(() => [] as Machine[]);
      if (ms.length > 0) break;
      await sleep(250);
    }
    process.kill(-pid, "SIGKILL");
    await exited;
    const before = await live(NG);
    console.log(
      `after SIGKILL: ${before.machines.length} machine(s), ${before.volumes.length} volume(s) in ${NG}`,
    );
    expect(before.machines.length).toBeGreaterThan(0);

    const r = await withStack("deploy after SIGKILL", (st) => st.deploy());
    console.log(lines.filter((l) => /^(importing|destroying|forgetting)/.test(l)).join("\n"));
    expect(r.status).toBe(0);
    expect(lines.some((l) => l.startsWith(`importing fly_machine.node-group-0_worker-`))).toBe(
      true,
    );
    const after = await live(NG);
    expect(after.machines.map((m) => m.name).sort()).toEqual(["worker-ng-0-0", "worker-ng-0-1"]);
    expect(after.machines.every((m) => m.state === "started")).toBe(true);
    expect(after.volumes).toHaveLength(2);
    expect(await withStack("drift after", (st) => st.drift())).toEqual([]);
    const p = await withStack("plan after", (st) => st.plan());
    expect(p).toEqual({ changes: [], repairs: [] });
  });

  it("rolls a machine whose lease a killed roll left, once the lease expires", async () => {
    const m = byName((await live(CP)).machines, "ctrl-0");
    await api.acquireLease(CP, m.id, 8, "a roll step that was killed");
    const t0 = Date.now();
    const rolled: string[] = [];
    const result = await rollMachine(
      api,
      CP,
      m.id,
      { ...m.config, stop_config: NODE_STOP_CONFIG, guest: { ...m.config.guest, memory_mb: 1024 } },
      (l) => rolled.push(l),
    );
    expect(result).toBe("updated");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(6000);
    expect(rolled[0]).toMatch(
      /^machine local-cp\/ctrl-0: leased by someone else until .*; waiting \d+s for the lease to expire$/,
    );
    // The deploy puts the declared memory back.
    const r = await withStack("deploy (roll back)", (s) => s.deploy());
    expect(r.status).toBe(0);
    expect((await api.getMachine(CP, m.id)).config.guest?.memory_mb).toBe(2048);
  });

  it("replaces a volume lost with its host, and says its data is lost", async () => {
    const { machines } = await live(CP);
    const m = byName(machines, "ctrl-1");
    const vol = m.config.mounts?.[0]?.volume as string;
    await admin.loseVolume(CP, vol);
    // ctrl-1 is a server: the message goes on to say what happens to its etcd member.
    const message = lostVolumeMessage("local_k3s_data", "ctrl-1", m.config.env);
    expect(message).toContain(
      "volume local_k3s_data of ctrl-1 was destroyed on Fly: its data is lost; a new empty volume is created. ctrl-1 is a server",
    );
    const drift = await withStack("drift (lost volume)", (s) => s.drift());
    expect(drift.some((l) => l.endsWith(message))).toBe(true);
    const r = await withStack("deploy (lost volume)", (s) => s.deploy());
    expect(r.status).toBe(0);
    expect(r.repairs.map((x) => x.reason)).toContain(message);
    expect(lines.some((l) => l.includes(message))).toBe(true);
    const after = await live(CP);
    const back = byName(after.machines, "ctrl-1");
    expect(back.state).toBe("started");
    expect(back.config.mounts?.[0]?.volume).not.toBe(vol);
    expect(after.volumes).toHaveLength(3);
    expect(await withStack("drift after", (s) => s.drift())).toEqual([]);
  });

  it("never lets the bootstrap server found a second cluster on a new empty volume", async () => {
    // A cluster that formed: etcd WALs on ctrl-1 and ctrl-2 (the test image
    // runs no k3s, so no server can answer /readyz/etcd healthy).
    const { machines } = await live(CP);
    const others = ["ctrl-1", "ctrl-2"].map((n) => byName(machines, n));
    for (const m of others) {
      expect((await api.exec(CP, m.id, ["mkdir", "-p", ETCD_WAL_DIR])).exit_code).toBe(0);
    }
    const ctrl0 = byName(machines, "ctrl-0");
    await admin.loseVolume(CP, ctrl0.config.mounts?.[0]?.volume as string);

    const refused = await withStack("deploy (bootstrap volume lost, cluster formed)", (s) =>
      s.deploy(),
    ).finally(async () => {
      // Whatever happened above, the cluster "never formed" again for the next tests.
      for (const m of others) await api.exec(CP, m.id, ["rm", "-rf", K3S_DATA_DIR]);
    });
    const said = [...lines, refused.stdout, refused.stderr].join("\n");
    console.log(
      `bootstrap volume lost, cluster formed: exit ${refused.status}\n` +
        lines.filter((l) => /repairing|bootstrap/.test(l)).join("\n") +
        "\n" +
        (refused.stderr.match(/bootstrap of .*/g) ?? []).slice(0, 1).join("\n"),
    );
    expect(refused.status).not.toBe(0);
    expect(said).toContain("ctrl-0 is the bootstrap server, and its etcd member is lost");
    expect(said).toContain(
      "ctrl-1, ctrl-2 hold(s) etcd data, so this cluster formed before, but none answers healthy",
    );
    const replaced = byName((await live(CP)).machines, "ctrl-0");
    expect(replaced.id).not.toBe(ctrl0.id);
    const told = await api.exec(CP, replaced.id, ["cat", DECISION_FILE]);
    expect(told.exit_code).not.toBe(0); // told nothing: it keeps waiting

    // Without etcd data anywhere (the cluster never formed), it is told to found.
    const r = await withStack("deploy (bootstrap told to found)", (s) => s.deploy());
    expect(r.status).toBe(0);
    const decision = await api.exec(CP, replaced.id, ["cat", DECISION_FILE]);
    expect(decision).toMatchObject({ exit_code: 0, stdout: "found\n" });
    console.log(`then with no etcd data anywhere: exit ${r.status}; ${DECISION_FILE}: found`);
    expect(await withStack("drift after", (s) => s.drift())).toEqual([]);
  });

  it("reports a machine back with a new 6PN address, and what the operator must do", async () => {
    const m = byName((await live(CP)).machines, "ctrl-2");
    const moved = (await admin.loseHost(CP, m.id, true)) as { private_ip: string };
    expect(moved.private_ip).not.toBe(m.private_ip);
    const drift = await withStack("drift (renumbered)", (s) => s.drift());
    expect(
      drift.some((l) => l.includes(`private_ip: ${m.private_ip} -> ${moved.private_ip}`)),
    ).toBe(true);
    const r = await withStack("deploy (renumbered)", (s) => s.deploy());
    expect(r.status).toBe(0);
    const line = lines.find((l) => l.includes("has a new 6PN address"));
    expect(line).toContain(
      `machine ctrl-2 of ${CP} has a new 6PN address: private_ip: ${m.private_ip} -> ${moved.private_ip}`,
    );
    expect(line).toContain("etcdctl member update");
    expect(await withStack("drift after", (s) => s.drift())).toEqual([]);
  });

  it("recreates a machine gone for good (404) on its volume", async () => {
    const m = byName((await live(NG)).machines, "worker-ng-0-1");
    const vol = m.config.mounts?.[0]?.volume;
    await admin.loseHost(NG, m.id, false);
    const r = await withStack("deploy (machine gone)", (s) => s.deploy());
    expect(r.status).toBe(0);
    const back = byName((await live(NG)).machines, "worker-ng-0-1");
    expect(back.id).not.toBe(m.id);
    expect(back.state).toBe("started");
    expect(back.config.mounts?.[0]?.volume).toBe(vol);
    expect(await withStack("drift after", (s) => s.drift())).toEqual([]);
  });

  it("destroys everything although Fly answers machine deletes while still destroying", async () => {
    const r = await withStack("destroy", (s) => s.destroy());
    console.log(lines.filter((l) => l.startsWith("destroy stopped")).join("\n"));
    expect(r.status).toBe(0);
    // Deleted volumes stay pending_destroy on Fly for a while: not left over.
    const left = await fly.leftovers();
    expect(left.apps).toEqual([]);
    expect(left.containers).toEqual([]);
    const again = await withStack("destroy again", (s) => s.resources());
    expect(again).toEqual([]);
  });
});
