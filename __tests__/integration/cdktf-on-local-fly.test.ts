/**
 * `npm run cdktf` on the local Fly, run as CI runs it: in a copy of the
 * checkout (its node_modules linked), with FLY_API_TOKEN set (the Fly
 * target, pointed at the emulator; the Fly preflight skipped, as the local
 * test image is rightly refused for real Fly).
 *
 * 1. A stack synthesized in one copy (`npm run cdktf -- synth`) and applied
 *    from another copy at a different path, the first one deleted by then
 *    (`npm run cdktf -- deploy local --skip-synth`): the stack holds no path of
 *    the first, and its steps run the second's bin/fly-machines.
 * 2. `npm run cdktf -- deploy` SIGKILLed (its whole process group: npm, node,
 *    tofu, providers, steps) while Fly is creating machines, then run again:
 *    it converges, and Fly holds nothing outside the state, no name twice.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { setTimeout as sleep } from "node:timers/promises";
import { DECISION_FILE } from "../../contract/node-paths";
import { ShowState, stateResources } from "../../contract/tofu-state";
import { Machine } from "../../contract/machines-api-types";
import { MachinesApi } from "../../ops/machines-api";
import { ROOT, requireToolchain, tofuAsync } from "../toolchain";
import { FLY_LIKE_SETTINGS } from "../../emulator";
import { LocalFly, TEST_IMAGE, startLocalFly } from "./local-fly";

jest.setTimeout(900_000);

const CP = "local-cp";
const NG = "local-ng-0";

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

/** A copy of the checkout at a path of its own, as actions/checkout and npm ci leave it. */
function checkoutCopy(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const skip = new Set(["node_modules", "cdktf.out", ".git", "coverage"]);
  for (const entry of fs.readdirSync(ROOT)) {
    if (skip.has(entry)) continue;
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), {
      recursive: true,
      filter: (src) => !path.basename(src).startsWith("zz-"),
    });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  expect(fs.readFileSync(path.join(dir, "clusters/local/config"), "utf8")).toContain(
    `NODE_IMAGE=${TEST_IMAGE}\n`,
  );
  return dir;
}

/** The lines worth reading of a run's output (progress and results, not tofu's per-resource chatter). */
function trimmed(out: string): string {
  return out
    .split("\n")
    .filter((l) =>
      /^(target|synthesizing|using the|initializing|comparing|importing|forgetting|destroying|refreshing|repairing|applying|apply failed|recording|deployed|destroyed|nothing is left|deploy of|fly pacer: \d|Apply complete| {2}\w+ = |local$|error)/.test(
        l,
      ),
    )
    .join("\n");
}

describe("npm run cdktf on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let here: string;
  let there: string;
  let env: Record<string, string>;
  const timings: string[] = [];

  /** `npm run cdktf -- ARGS` in `cwd`, in a process group of its own; `kill` SIGKILLs the group when it resolves. */
  function cdktf(cwd: string, args: string[], kill?: () => Promise<unknown>): Promise<Run> {
    const t0 = Date.now();
    return new Promise((resolve) => {
      const child = spawn("npm", ["run", "-s", "cdktf", "--", ...args], {
        cwd,
        env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d));
      child.stderr.on("data", (d: Buffer) => (out += d));
      let done = false;
      void kill?.().then(() => {
        if (done) return;
        try {
          process.kill(-(child.pid as number), "SIGKILL");
        } catch {
          // already ended
        }
      });
      child.on("close", (code, signal) => {
        done = true;
        timings.push(
          `npm run cdktf -- ${args.join(" ")}: ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
        resolve({ code, signal, out });
      });
    });
  }

  const live = async (app: string) => ({
    machines: (await api.listMachines(app).catch(() => [] as Machine[])).filter(
      (m) => !["destroyed", "destroying"].includes(m.state),
    ),
    volumes: (await api.listVolumes(app).catch(() => [])).filter(
      (v) => !["destroyed", "pending_destroy", "scheduling_destroy"].includes(v.state ?? ""),
    ),
  });

  /** The state as `tofu show -json` gives it, in `dir`'s stack (its init cached the state file). */
  async function stateOf(dir: string) {
    const show = await tofuAsync(
      [`-chdir=${path.join(dir, "cdktf.out/stacks/local")}`, "show", "-json", "-no-color"],
      env,
    );
    if (show.status !== 0) throw new Error(`tofu show: ${show.stderr}`);
    return stateResources(JSON.parse(show.stdout) as ShowState);
  }

  beforeAll(async () => {
    requireToolchain();
    // Fly's latency, so that a deploy lasts long enough for the SIGKILL test
    // to catch it while Fly creates machines (without it a loaded CI machine
    // saw the deploy end before the kill).
    fly = await startLocalFly(undefined, { latency: FLY_LIKE_SETTINGS.latency });
    api = fly.api();
    here = checkoutCopy("fly-k3s-synth-here-");
    there = checkoutCopy("fly-k3s-apply-there-");
    env = {
      ...(process.env as Record<string, string>),
      FLY_API_TOKEN: fly.emu.token,
      FLY_API_URL: fly.emu.url,
      FLY_K3S_SKIP_FLY_PREFLIGHT: "1",
      FLY_K3S_USE_REGISTRY: "",
      FLY_K3S_STATE_DIR: path.join(there, "state"),
    };
  });

  afterAll(async () => {
    await fly?.stop();
    for (const d of [here, there]) if (d) fs.rmSync(d, { recursive: true, force: true });
    if (timings.length > 0)
      console.log(`npm run cdktf on the local Fly:\n  ${timings.join("\n  ")}`);
  });

  it("applies from one checkout a stack synthesized in another, which is gone by then", async () => {
    fs.writeFileSync(path.join(here, "clusters/local/node-groups"), "");
    const synth = await cdktf(here, ["synth"]);
    if (synth.code !== 0) console.error(synth.out);
    expect(synth.code).toBe(0);
    // Carried over as a CI artifact would be; the synthesizing checkout then goes.
    fs.cpSync(path.join(here, "cdktf.out"), path.join(there, "cdktf.out"), { recursive: true });
    fs.rmSync(here, { recursive: true, force: true });
    const text = fs.readFileSync(path.join(there, "cdktf.out/stacks/local/cdk.tf.json"), "utf8");
    expect(text).not.toContain(here);
    expect(text).not.toContain(ROOT);

    const r = await cdktf(there, ["deploy", "local", "--skip-synth", "--auto-approve"]);
    console.log(
      `synthesized in ${here} (deleted), applied from ${there}: exit ${r.code}\n${trimmed(r.out)}`,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain(`using the synthesized stack in ${there}/cdktf.out/stacks/local`);
    expect(r.out).toContain(`initializing (state: ${there}/state/fly/local/terraform.tfstate)`);
    expect(r.out).not.toContain("FLY_K3S_OPS_COMMAND: is not set");
    expect(r.out).not.toContain(here);
    expect(fs.existsSync(path.join(there, "state/fly/local/terraform.tfstate"))).toBe(true);
    // The steps ran: snapshots-off, the roll (machines started), the bootstrap decision.
    const { machines, volumes } = await live(CP);
    expect(machines.map((m) => m.state)).toEqual(["started", "started", "started"]);
    expect(volumes.map((v) => v.auto_backup_enabled)).toEqual([false, false, false]);
    const ctrl0 = machines.find((m) => m.name === "ctrl-0") as Machine;
    expect(await api.exec(CP, ctrl0.id, ["cat", DECISION_FILE])).toMatchObject({
      exit_code: 0,
      stdout: "found\n",
    });
    const inState = (await stateOf(there)).map((x) => x.address);
    expect(inState.filter((a) => a.startsWith("null_resource.")).length).toBeGreaterThan(0);
  });

  it("resumes a deploy SIGKILLed while Fly creates machines: converged, nothing outside the state", async () => {
    fs.writeFileSync(path.join(there, "clusters/local/node-groups"), "0\n");
    let machinesAtKill = 0;
    const killed = await cdktf(there, ["deploy", "local", "--auto-approve"], async () => {
      for (let i = 0; i < 2400; i++) {
        machinesAtKill = (await live(NG)).machines.length;
        if (machinesAtKill > 0) return;
        await sleep(100);
      }
    });
    const left = await live(NG);
    console.log(
      `first run, SIGKILLed (process group) once ${NG} had ${machinesAtKill} machine(s): ` +
        `code ${killed.code}, signal ${killed.signal}; Fly then held ${left.machines.length} machine(s), ${left.volumes.length} volume(s) in ${NG}\n` +
        trimmed(killed.out),
    );
    expect(killed.signal).toBe("SIGKILL");
    expect(left.machines.length).toBeGreaterThan(0);
    const before = (await stateOf(there)).filter((x) => x.type === "fly_machine");
    const ngInState = before.filter((x) => x.values.app === NG).length;
    console.log(`the state then held ${ngInState} machine(s) of ${NG}`);

    const again = await cdktf(there, ["deploy", "local", "--auto-approve"]);
    console.log(`second run: exit ${again.code}\n${trimmed(again.out)}`);
    expect(again.code).toBe(0);

    // Fly against the state: every live machine and volume is in it, no name twice.
    const state = await stateOf(there);
    for (const app of [CP, NG]) {
      const { machines, volumes } = await live(app);
      const inState = (type: string) =>
        new Set(
          state.filter((x) => x.type === type && x.values.app === app).map((x) => x.values.id),
        );
      expect(machines.filter((m) => !inState("fly_machine").has(m.id))).toEqual([]);
      expect(volumes.filter((v) => !inState("fly_volume").has(v.id))).toEqual([]);
      const names = machines.map((m) => m.name).sort();
      expect(names).toEqual([...new Set(names)]);
      expect(machines.every((m) => m.state === "started")).toBe(true);
      expect(volumes).toHaveLength(machines.length);
    }
    expect((await live(NG)).machines.map((m) => m.name).sort()).toEqual([
      "worker-ng-0-0",
      "worker-ng-0-1",
    ]);
    const plan = await tofuAsync(
      [
        `-chdir=${path.join(there, "cdktf.out/stacks/local")}`,
        "plan",
        "-input=false",
        "-detailed-exitcode",
        "-no-color",
      ],
      { ...env, FLY_API_URL: fly.pacedUrl },
    );
    expect(plan.status).toBe(0);
  });

  it("destroys through ops/destroy.ts, leaving nothing on Fly", async () => {
    const r = await cdktf(there, ["destroy", "local", "--auto-approve"]);
    console.log(`destroy: exit ${r.code}\n${trimmed(r.out)}`);
    expect(r.code).toBe(0);
    const left = await fly.leftovers();
    expect(left.apps).toEqual([]);
    expect(left.containers).toEqual([]);
    const again = await cdktf(there, ["destroy", "local", "--auto-approve", "--skip-synth"]);
    expect(again.code).toBe(0);
    expect(again.out).toContain("nothing is left of stack local");
  });
});
