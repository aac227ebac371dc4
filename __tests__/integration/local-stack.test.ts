/**
 * The synthesized clusters/local stack applied by the real OpenTofu and the
 * real stategraph/fly and hashicorp/null providers against the local Fly, with
 * the emulator's small test image as NODE_IMAGE (clusters/local/config), so
 * the stack declares only the Fly resources and the steps that do not need
 * k3s (snapshots-off, roll): k3s cannot be had here.
 *
 * The provider's two Fly bugs are routed around by the stack (snapshots-off,
 * and the roll under a proper lease for the fields Terraform ignores); this
 * suite shows the routes working with the same provider that fails without
 * them (handwritten.test.ts), and that drift in an ignored field is still
 * found by a refresh-only plan.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { localStateInitArgs } from "../../config/state";
import { rollMachine } from "../../ops/roll";
import { deploy as deployStack } from "../../ops/deploy";
import { Machine, Volume } from "../../contract/machines-api-types";
import { LABEL_MACHINE, labelFilter } from "../../contract/podman-labels";
import { MachinesApi } from "../../ops/machines-api";
import { copyClusters, synthIn } from "../scratch-clusters";
import { requireToolchain, tofuAsync } from "../toolchain";
import { LocalFly, TEST_IMAGE, startLocalFly } from "./local-fly";
import { normalizePlan } from "./plan-json";

jest.setTimeout(600_000);

describe("clusters/local on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let work: string;
  let env: Record<string, string>;
  const stackDir = () => path.join(work, "cdktf.out/stacks/local");
  const configFile = () => path.join(work, "clusters/local/config");
  const groupsFile = () => path.join(work, "clusters/local/node-groups");
  const timings: string[] = [];

  function synth(): void {
    const r = synthIn(work, env);
    if (r.status !== 0) throw new Error(`synth: ${r.stderr}`);
  }

  const tf = (...args: string[]) => tofuAsync([`-chdir=${stackDir()}`, ...args], env);
  const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      timings.push(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  };
  /** A deploy as the project's CLI runs it (ops/deploy.ts), on the targeted steps. */
  const deploy = () =>
    deployStack((args, extra) =>
      tofuAsync([`-chdir=${stackDir()}`, ...args], { ...env, ...extra }),
    );
  const plan = () => tf("plan", "-input=false", "-detailed-exitcode", "-no-color");
  const driftCheck = () =>
    tf("plan", "-refresh-only", "-input=false", "-detailed-exitcode", "-no-color");
  const containers = () => fly.containers();

  /** The normalized plan of the current configuration against the current state. */
  async function savedPlan() {
    const out = path.join(work, "plan.tfplan");
    const p = await tf("plan", "-input=false", "-no-color", `-out=${out}`);
    if (p.status !== 0) throw new Error(`plan: ${p.stderr}`);
    const show = await tf("show", "-json", out);
    return normalizePlan(JSON.parse(show.stdout));
  }

  beforeAll(async () => {
    requireToolchain();
    fly = await startLocalFly();
    api = fly.api();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-stack-"));
    copyClusters(work);
    expect(fs.readFileSync(configFile(), "utf8")).toContain(`NODE_IMAGE=${TEST_IMAGE}\n`);
    fs.writeFileSync(groupsFile(), "");
    // The stack goes to Fly the way ./k3s.sh sends it: through the pacer.
    env = {
      FLY_API_URL: fly.pacedUrl,
      FLY_API_TOKEN: fly.emu.token,
      FLY_K3S_TARGET: "local",
      FLY_K3S_STATE_DIR: path.join(work, "state"),
    };
    synth();
    // The stack names no state file: init is given this run's (config/state.ts).
    expect((await tf("init", "-input=false", ...localStateInitArgs("local", env))).status).toBe(0);
  });

  afterAll(async () => {
    await fly?.stop();
    if (timings.length > 0)
      console.log(`clusters/local on the local Fly:\n  ${timings.join("\n  ")}`);
  });

  it("plans a fresh cluster as the reviewed snapshot", async () => {
    const changes = await savedPlan();
    expect(changes.every((c) => c.actions.join() === "create")).toBe(true);
    expect(
      changes.filter((c) => c.address.startsWith("fly_machine.")).map((c) => c.values?.name),
    ).toEqual(["ctrl-0", "ctrl-1", "ctrl-2"]);
    expect(changes).toMatchSnapshot();
  });

  it("creates the apps, volumes in distinct zones with snapshots off, and running machines", async () => {
    const r = await timed("apply (control plane)", deploy);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const volumes = await api.request<Volume[]>("GET", "/apps/local-cp/volumes");
    expect(volumes).toHaveLength(3);
    expect(new Set(volumes.map((v) => v.zone)).size).toBe(3);
    // Route around bug 1: Fly created them with snapshots on; the step switched them off.
    expect(volumes.map((v) => v.auto_backup_enabled)).toEqual([false, false, false]);
    const machines = await api.listMachines("local-cp");
    expect(machines.map((m) => m.state)).toEqual(["started", "started", "started"]);
    expect(containers()).toHaveLength(3);
  });

  it("plans no changes on a second run, and finds no drift", async () => {
    expect((await plan()).status).toBe(0);
    expect((await driftCheck()).status).toBe(0);
  });

  it("plans an added node group as the reviewed snapshot, then applies it", async () => {
    fs.writeFileSync(groupsFile(), "0\n");
    synth();
    const changes = await savedPlan();
    expect(changes.every((c) => c.actions.join() === "create")).toBe(true);
    expect(changes.every((c) => c.address.includes("node-group-0"))).toBe(true);
    expect(changes).toMatchSnapshot();

    const r = await timed("apply (node group of 2)", deploy);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(containers()).toHaveLength(5);
    const [worker] = await api.listMachines("local-ng-0");
    const ping = await api.exec(
      "local-ng-0",
      worker.id,
      "ping -6 -c 1 -W 5 local-cp.internal".split(" "),
    );
    expect(ping.exit_code).toBe(0);
  });

  it("finds and repairs a machine whose container was removed behind the tool's back", async () => {
    const [victim] = await api.listMachines("local-ng-0");
    const [container] = execFileSync(
      "podman",
      ["ps", "-q", "--filter", labelFilter(LABEL_MACHINE, victim.id)],
      { encoding: "utf8" },
    ).split("\n");
    execFileSync("podman", ["rm", "-f", container]);
    // The provider does not compare a machine's state with desired_status: the plain plan is blind.
    expect((await plan()).status).toBe(0);
    const drift = await driftCheck();
    expect(drift.status).toBe(2);
    expect(drift.stdout).toMatch(/~ state\s+= "started" -> "stopped"/);
    const r = await deploy();
    expect(r.status).toBe(0);
    expect(r.repairs.map((x) => x.reason)).toEqual([`machine ${victim.name} is stopped`]);
    expect((await api.getMachine("local-ng-0", victim.id)).state).toBe("started");
    expect((await plan()).status).toBe(0);
    expect((await driftCheck()).status).toBe(0);
    expect(containers()).toHaveLength(5);
  });

  it("finds and replaces a machine destroyed behind the tool's back, on its own volume", async () => {
    const [victim] = await api.listMachines("local-ng-0");
    const volume = victim.config.mounts?.[0]?.volume;
    await api.request("DELETE", `/apps/local-ng-0/machines/${victim.id}?force=true`);
    // Fly still answers GET for a destroyed machine, so the provider keeps it in the state.
    expect((await plan()).status).toBe(0);
    expect((await driftCheck()).status).toBe(2);
    const r = await deploy();
    expect(r.status).toBe(0);
    expect(r.repairs.map((x) => x.reason)).toEqual([`machine ${victim.name} is destroyed on Fly`]);
    expect((await plan()).status).toBe(0);
    expect((await driftCheck()).status).toBe(0);
    expect(containers()).toHaveLength(5);
    const [back] = (await api.listMachines("local-ng-0")).filter((m) => m.name === victim.name);
    expect(back.id).not.toBe(victim.id);
    expect(back.state).toBe("started");
    expect(back.config.mounts?.[0]?.volume).toBe(volume);
  });

  it("plans a memory change as the reviewed snapshot, rolls it under a lease, and leaves a clean plan", async () => {
    const text = fs.readFileSync(configFile(), "utf8");
    fs.writeFileSync(configFile(), text.replace("CP_VM_MEMORY=2048", "CP_VM_MEMORY=4096"));
    synth();
    const changes = await savedPlan();
    // Terraform itself changes no machine (its in-place update is bug 2): the roll steps do.
    expect(changes.map((c) => `${c.actions.join("+")} ${c.address}`)).toEqual([
      "delete+create null_resource.control-plane_ctrl-0_roll_step_25E036CC",
      "delete+create null_resource.control-plane_ctrl-1_roll_step_89D57099",
      "delete+create null_resource.control-plane_ctrl-2_roll_step_64B4B520",
    ]);
    expect(changes).toMatchSnapshot();

    const before = await api.listMachines("local-cp");
    const r = await timed("apply (memory roll of 3 servers)", deploy);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const after: Machine[] = await api.listMachines("local-cp");
    expect(after.map((m) => m.config.guest?.memory_mb)).toEqual([4096, 4096, 4096]);
    // Same machines (ids kept, volumes kept), new instances.
    expect(after.map((m) => m.id)).toEqual(before.map((m) => m.id));
    expect(after.map((m) => m.instance_id)).not.toEqual(before.map((m) => m.instance_id));
    expect((await plan()).status).toBe(0);
    expect((await driftCheck()).status).toBe(0);
  });

  it("finds a change made behind the tool's back to a field Terraform ignores, and the next deploy repairs it", async () => {
    const m = (await api.listMachines("local-ng-0")).find((x) => x.name === "worker-ng-0-0");
    if (!m) throw new Error("worker-ng-0-0 is missing");
    const guest = { ...m.config.guest, memory_mb: 1024 };
    await rollMachine(api, "local-ng-0", m.id, { guest } as Machine["config"], () => {});
    // The plain plan is blind to it: guest is in ignore_changes.
    expect((await plan()).status).toBe(0);
    // The refresh-only plan compares Fly with the state and reports it.
    const drift = await driftCheck();
    expect(drift.status).toBe(2);
    expect(drift.stdout).toContain("Objects have changed outside of OpenTofu");
    expect(drift.stdout).toMatch(/# fly_machine\.node-group-0_worker-0_machine_\w+ has changed/);
    expect(drift.stdout).toMatch(/~ memory_mb\s+= 2048 -> 1024/);
    const r = await deploy();
    expect(r.status).toBe(0);
    expect(r.repairs.map((x) => x.reason)).toEqual([
      `machine ${m.name}: guest differ from the declared config`,
    ]);
    expect((await api.getMachine("local-ng-0", m.id)).config.guest?.memory_mb).toBe(2048);
    expect((await driftCheck()).status).toBe(0);
  });

  it("destroys everything: no app, machine, volume or container is left", async () => {
    const r = await timed("destroy", () =>
      tf("destroy", "-input=false", "-auto-approve", "-no-color"),
    );
    expect(r.status).toBe(0);
    expect(await fly.leftovers()).toEqual({ apps: [], containers: [], volumes: [] });
  });
});
