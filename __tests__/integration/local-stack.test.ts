/**
 * The synthesized clusters/local stack applied by the real OpenTofu and the
 * real stategraph/fly provider against the local Fly, with the emulator's
 * small test image as NODE_IMAGE. Only the Fly resources and the steps that
 * do not need k3s (snapshots-off, roll) are targeted: the join steps need a
 * real k3s node image (the end-to-end suite's job).
 * Skipped, naming the providers, while `npm run setup` could not install them.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Machine, MachinesApi, Volume } from "../../ops/machines-api";
import { copyClusters, synthIn } from "../scratch-clusters";
import { missingProviders, tofuAsync } from "../toolchain";
import { LocalFly, TEST_IMAGE, startLocalFly } from "./local-fly";

const missing = missingProviders();
if (missing.length > 0) {
  console.warn(`skipping the local stack apply: provider(s) not installed: ${missing.join(", ")}`);
}
const suite = missing.length === 0 ? describe : describe.skip;

jest.setTimeout(600_000);

suite("clusters/local on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let work: string;
  let env: Record<string, string>;
  const stackDir = () => path.join(work, "cdktf.out/stacks/local");
  const configFile = () => path.join(work, "clusters/local/config");

  function synth(): void {
    const r = synthIn(work, env);
    if (r.status !== 0) throw new Error(`synth: ${r.stderr}`);
  }

  /** -target flags for the Fly resources and the snapshots-off and roll steps. */
  function targets(): string[] {
    const json = JSON.parse(fs.readFileSync(path.join(stackDir(), "cdk.tf.json"), "utf8")) as {
      resource: Record<string, Record<string, unknown>>;
    };
    const steps = Object.keys(json.resource.null_resource).filter((id) =>
      /_(snapshots-off|roll)_step_/.test(id),
    );
    return steps.map((id) => `-target=null_resource.${id}`);
  }

  const tf = (...args: string[]) => tofuAsync([`-chdir=${stackDir()}`, ...args], env);
  const apply = () => tf("apply", "-input=false", "-auto-approve", ...targets());
  const plan = () => tf("plan", "-input=false", "-detailed-exitcode", ...targets());
  const containers = () => fly.containers();

  beforeAll(async () => {
    fly = await startLocalFly();
    api = new MachinesApi({ baseUrl: fly.emu.url, token: fly.emu.token });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-stack-"));
    copyClusters(work);
    fs.appendFileSync(configFile(), `NODE_IMAGE=${TEST_IMAGE}\n`);
    fs.writeFileSync(path.join(work, "clusters/local/node-groups"), "0\n");
    env = {
      FLY_API_URL: fly.emu.url,
      FLY_API_TOKEN: fly.emu.token,
      FLY_K3S_TARGET: "local",
      FLY_K3S_STATE_DIR: path.join(work, "state"),
    };
    synth();
    expect((await tf("init", "-input=false")).status).toBe(0);
  });

  afterAll(async () => {
    await fly?.stop();
  });

  it("creates the apps, volumes in distinct zones and running machines that reach each other over IPv6", async () => {
    const r = await apply();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    for (const [app, count] of [
      ["local-cp", 3],
      ["local-ng-0", 2],
    ] as const) {
      const volumes = await api.request<Volume[]>("GET", `/apps/${app}/volumes`);
      expect(volumes).toHaveLength(count);
      expect(new Set(volumes.map((v) => v.zone)).size).toBe(count);
      expect(volumes.every((v) => v.auto_backup_enabled === false)).toBe(true);
      const machines = await api.listMachines(app);
      expect(machines.map((m) => m.state)).toEqual(Array(count).fill("started"));
    }
    expect(containers()).toHaveLength(5);
    const [worker] = await api.listMachines("local-ng-0");
    const ping = await api.exec("local-ng-0", worker.id, "ping -6 -c 1 -W 5 local-cp.internal");
    expect(ping.exit_code).toBe(0);
  });

  it("plans no changes on a second run", async () => {
    expect((await plan()).status).toBe(0);
  });

  it("shows and repairs a machine removed behind the emulator's back", async () => {
    const [victim] = containers();
    execFileSync("podman", ["rm", "-f", victim]);
    expect((await plan()).status).toBe(2);
    expect((await apply()).status).toBe(0);
    expect((await plan()).status).toBe(0);
    expect(containers()).toHaveLength(5);
  });

  it("rolls a memory change from the config and leaves a clean plan", async () => {
    const text = fs.readFileSync(configFile(), "utf8");
    fs.writeFileSync(configFile(), text.replace("CP_VM_MEMORY=2048", "CP_VM_MEMORY=4096"));
    synth();
    const r = await apply();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const machines: Machine[] = await api.listMachines("local-cp");
    expect(machines.map((m) => m.config.guest?.memory_mb)).toEqual([4096, 4096, 4096]);
    expect((await plan()).status).toBe(0);
  });

  it("destroys everything", async () => {
    expect((await tf("destroy", "-input=false", "-auto-approve")).status).toBe(0);
    expect(containers()).toEqual([]);
  });
});
