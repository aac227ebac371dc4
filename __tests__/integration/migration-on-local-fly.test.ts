/**
 * A cluster created before machines were created with skip_launch and before
 * the roll steps stopped being chained in the graph moves over with nothing
 * replaced and nothing restarted. The stack as it was synthesized then
 * (__tests__/fixtures/before-skip-launch/local.cdk.tf.json: clusters/local
 * with node group 0, from the constructs of commit 7f73107) is applied as
 * `./k3s.sh -c` applied it (each machine launched by the provider's create,
 * then restarted by its chained roll step), then the current stack plans
 * against its state and the current deploy runs on it, on the local Fly.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { localStateInitArgs } from "../../config/state";
import { ROLLS_IN_TURNS_ENV } from "../../contract/fly-machines-call";
import { Machine } from "../../contract/machines-api-types";
import { deploy as deployStack } from "../../ops/deploy";
import { MachinesApi } from "../../ops/machines-api";
import { copyClusters, synthIn } from "../scratch-clusters";
import { requireToolchain, tofuAsync } from "../toolchain";
import { LocalFly, startLocalFly } from "./local-fly";

jest.setTimeout(600_000);

const BEFORE = path.join(__dirname, "../fixtures/before-skip-launch/local.cdk.tf.json");
const APPS = ["local-cp", "local-ng-0"];

/** How many times each machine was started, by name (the emulator's event log). */
async function starts(api: MachinesApi): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const app of APPS) {
    for (const m of await api.listMachines(app)) {
      const events = (m as Machine & { events?: { type: string }[] }).events ?? [];
      out[m.name] = events.filter((e) => e.type === "start").length;
    }
  }
  return out;
}

const instances = async (api: MachinesApi) =>
  (await Promise.all(APPS.map((a) => api.listMachines(a)))).flat().map((m) => m.instance_id);

describe("a cluster created before skip_launch, on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let work: string;
  let env: Record<string, string>;
  const oldDir = () => path.join(work, "before");
  const newDir = () => path.join(work, "cdktf.out/stacks/local");
  const tf = (dir: string, args: string[], extra: Record<string, string> = {}) =>
    tofuAsync([`-chdir=${dir}`, ...args], { ...env, ...extra });
  const must = async (what: string, r: Promise<{ status: number; stderr: string }>) => {
    const x = await r;
    if (x.status !== 0) throw new Error(`${what}: ${x.stderr}`);
    return x;
  };

  beforeAll(async () => {
    requireToolchain();
    fly = await startLocalFly();
    api = fly.api();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-migration-"));
    copyClusters(work);
    fs.writeFileSync(path.join(work, "clusters/local/node-groups"), "0\n");
    env = {
      FLY_API_URL: fly.pacedUrl,
      FLY_API_TOKEN: fly.emu.token,
      FLY_K3S_TARGET: "local",
      FLY_K3S_STATE_DIR: path.join(work, "state"),
    };
    fs.mkdirSync(oldDir(), { recursive: true });
    fs.copyFileSync(BEFORE, path.join(oldDir(), "cdk.tf.json"));
    fs.mkdirSync(path.join(work, "state/local/local"), { recursive: true });
    await must("init", tf(oldDir(), ["init", "-input=false", ...localStateInitArgs("local", env)]));
  });

  afterAll(async () => {
    if (fly && work) {
      await tf(newDir(), ["destroy", "-input=false", "-auto-approve", "-no-color"]);
    }
    await fly?.stop();
  });

  it("was created the old way: every machine launched by Terraform, then restarted by its roll", async () => {
    // Applied as the deploy then applied it (its rolls were chained in the graph).
    const apply = ["apply", "-input=false", "-auto-approve", "-no-color"];
    await must("apply", tf(oldDir(), apply, { [ROLLS_IN_TURNS_ENV]: "1" }));
    await must("record", tf(oldDir(), ["apply", "-refresh-only", ...apply.slice(1)]));
    // At least twice each, what this change ends (a CI run under load saw a
    // third start of one server; its cause was not looked into).
    const counted = await starts(api);
    expect(Object.keys(counted).sort()).toEqual([
      "ctrl-0",
      "ctrl-1",
      "ctrl-2",
      "worker-ng-0-0",
      "worker-ng-0-1",
    ]);
    for (const n of Object.values(counted)) expect(n).toBeGreaterThanOrEqual(2);
  });

  it("plans no change with the current stack: nothing replaced, nothing created, nothing updated", async () => {
    const r = synthIn(work, env);
    if (r.status !== 0) throw new Error(`synth: ${r.stderr}`);
    await must("init", tf(newDir(), ["init", "-input=false", ...localStateInitArgs("local", env)]));
    const out = path.join(work, "plan");
    const plan = await tf(newDir(), ["plan", "-input=false", "-no-color", `-out=${out}`]);
    console.log(`the current stack's plan of the cluster created before:\n${plan.stdout.trim()}`);
    expect(plan.status).toBe(0);
    const show = await must("show", tf(newDir(), ["show", "-json", out]));
    const changes = (
      JSON.parse((show as unknown as { stdout: string }).stdout) as {
        resource_changes: { address: string; change: { actions: string[] } }[];
      }
    ).resource_changes.filter((c) => c.change.actions.join() !== "no-op");
    expect(changes).toEqual([]);
    expect(plan.stdout).toContain("No changes.");
  });

  it("is left as it is by the current deploy: no machine restarts, no drift", async () => {
    const before = await instances(api);
    const lines: string[] = [];
    const r = await deployStack((args, extra) => tf(newDir(), args, extra), {
      log: (l) => lines.push(l),
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.repairs).toEqual([]);
    // Nothing to apply, nothing rolled, so nothing to record.
    expect(lines).toContain("nothing to change: the plan is not applied");
    expect(lines).not.toContain("recording what the roll steps changed");
    expect(await instances(api)).toEqual(before);
    const drift = await tf(newDir(), [
      "plan",
      "-refresh-only",
      "-input=false",
      "-detailed-exitcode",
      "-no-color",
    ]);
    expect(drift.status).toBe(0);
  });

  it("starts a machine added afterwards once, created with skip_launch, touching no other", async () => {
    const file = path.join(work, "clusters/local/config");
    fs.writeFileSync(
      file,
      fs.readFileSync(file, "utf8").replace(/^NODE_GROUP_SIZE=.*$/m, "NODE_GROUP_SIZE=3"),
    );
    const r0 = synthIn(work, env);
    if (r0.status !== 0) throw new Error(`synth: ${r0.stderr}`);
    const before = await instances(api);
    const r = await deployStack((args, extra) => tf(newDir(), args, extra));
    expect(r.status).toBe(0);
    expect(await starts(api)).toMatchObject({ "worker-ng-0-2": 1, "worker-ng-0-0": 2 });
    expect((await instances(api)).filter((i) => before.includes(i))).toHaveLength(5);
  });
});
