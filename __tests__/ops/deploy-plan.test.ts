/**
 * The deploy's runs of OpenTofu (ops/deploy.ts): one saved plan that refreshes
 * beside the adoption, planned again with the repairs, applied with the rolls
 * of machines that have run in turns (ops/apply-turns.ts), and the recording
 * refresh only when roll steps ran.
 */
import * as fs from "fs";
import { strToU8, zipSync } from "fflate";
import { TofuResult, deploy } from "../../ops/deploy";
import { ROLLS_IN_TURNS_ENV } from "../../contract/fly-machines-call";
import { ShowState } from "../../contract/tofu-state";

const DESIRED = {
  image: "img:1",
  env: { K3S_ROLE: "server", K3S_ZONE: "ab12" },
  metadata: { fly_k3s_role: "server" },
  guest: { cpu_kind: "shared", cpus: 2, memory_mb: 2048 },
};

function machine(id: string, name: string, over: Record<string, unknown> = {}) {
  return {
    address: `fly_machine.${name}`,
    type: "fly_machine",
    values: {
      id,
      name,
      state: "started",
      image: DESIRED.image,
      env: DESIRED.env,
      metadata: DESIRED.metadata,
      guest: { ...DESIRED.guest, gpu_kind: "", gpus: 0 },
      ...over,
    },
  };
}

function roll(name: string, machineId: string, config: unknown = DESIRED) {
  return {
    address: `null_resource.${name}_roll`,
    type: "null_resource",
    values: { id: "1", triggers: { machine_id: machineId, config: JSON.stringify(config) } },
  };
}

function state(...resources: unknown[]): ShowState {
  return { values: { root_module: { resources } } } as ShowState;
}

describe("deploy", () => {
  const ok = (stdout = ""): TofuResult => ({ status: 0, stdout, stderr: "" });
  /** The saved plan's file, whatever its temporary directory. */
  const named = (args: string[]) =>
    args.map((a) => a.replace(/^-out=.*$/, "-out=PLAN").replace(/^\/.*\/plan$/, "PLAN"));
  /** A roll step's change in a saved plan; `machine` undefined: its machine is created too. */
  const rollChange = (name: string, actions: string[], machineId?: string) => ({
    address: `null_resource.${name}_roll`,
    type: "null_resource",
    change: {
      actions,
      before:
        actions[0] === "create" ? null : { triggers: { machine_id: machineId, config: "{}" } },
      after: {
        triggers: {
          ...(machineId ? { machine_id: machineId } : {}),
          config: JSON.stringify({ ...DESIRED, metadata: { fly_k3s_index: "0" } }),
        },
      },
      after_unknown: { triggers: machineId ? {} : { machine_id: true } },
    },
  });
  /** The refreshed state OpenTofu keeps in a saved plan file (`tfstate`). */
  const REFRESHED = { version: 4, serial: 7, lineage: "L", resources: [] };
  /**
   * A tofu that answers `show -json` with the state, `show -json <plan>` with
   * the plan; with `planFiles`, `plan -out` writes a plan file (a zip holding
   * REFRESHED) and `state push` keeps what it was given in `pushed`.
   */
  function tofu(
    shown: ShowState,
    changes: unknown[] = [],
    fail?: (args: string[]) => boolean,
    planFiles = false,
  ) {
    const calls: string[][] = [];
    const envs: (Record<string, string> | undefined)[] = [];
    const pushed: unknown[] = [];
    const run = async (args: string[], env?: Record<string, string>) => {
      calls.push(named(args).map((a) => (args[1] === "push" && a === args[2] ? "FILE" : a)));
      envs.push(env);
      if (fail?.(args)) return { status: 1, stdout: "", stderr: "Error: boom\n" };
      const out = args.find((a) => a.startsWith("-out="))?.slice("-out=".length);
      if (planFiles && out) {
        fs.writeFileSync(out, zipSync({ tfstate: strToU8(JSON.stringify(REFRESHED)) }));
      }
      if (args[0] === "state" && args[1] === "push") {
        pushed.push(JSON.parse(fs.readFileSync(args[2], "utf8")));
      }
      if (args[0] !== "show") return ok();
      return ok(
        JSON.stringify(args.length > 2 ? { prior_state: shown, resource_changes: changes } : shown),
      );
    };
    return { run, calls, envs, pushed };
  }

  it("plans (refreshing) beside the adoption, applies the saved plan, then records the roll steps", async () => {
    const t = tofu(state(), [rollChange("ctrl-0", ["create"])]);
    const lines: string[] = [];
    const r = await deploy(t.run, { log: (l) => lines.push(l) });
    expect(r.status).toBe(0);
    expect(t.calls).toEqual([
      ["show", "-json"],
      ["plan", "-input=false", "-no-color", "-lock=false", "-out=PLAN"],
      ["show", "-json", "PLAN"],
      ["apply", "-input=false", "-auto-approve", "-no-color", "-parallelism=10", "PLAN"],
      ["apply", "-refresh-only", "-input=false", "-auto-approve", "-no-color"],
    ]);
    // The apply runs its roll steps in turns (a bare tofu apply does not).
    expect(t.envs[3]).toEqual({ [ROLLS_IN_TURNS_ENV]: "1" });
    expect(lines).toContain("1 new machine: each starts once, as soon as it exists");
  });

  it("plans again with -replace for each repair; a machine that has run rolls in its turn, with no second refresh", async () => {
    const shown = state(machine("m1", "ctrl-0", { state: "stopped" }), roll("ctrl-0", "m1"));
    const changes = [rollChange("ctrl-0", ["delete", "create"], "m1")];
    const t = tofu(shown, changes, undefined, true);
    const lines: string[] = [];
    const r = await deploy(t.run, { applyArgs: ["-target=x"], log: (l) => lines.push(l) });
    expect(r.status).toBe(0);
    expect(t.calls).toEqual([
      ["show", "-json"],
      ["plan", "-input=false", "-no-color", "-lock=false", "-out=PLAN", "-target=x"],
      ["show", "-json", "PLAN"],
      [
        "plan",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-out=PLAN",
        "-replace=null_resource.ctrl-0_roll",
        "-target=x",
      ],
      ["show", "-json", "PLAN"],
      // The saved plan's refreshed state is written, then everything else
      // is applied from it without refreshing again.
      ["state", "push", "FILE"],
      [
        "apply",
        "-input=false",
        "-auto-approve",
        "-no-color",
        "-parallelism=10",
        "-refresh=false",
        "-exclude=null_resource.ctrl-0_roll",
        "-target=x",
      ],
      [
        "apply",
        "-input=false",
        "-auto-approve",
        "-no-color",
        "-parallelism=10",
        "-refresh=false",
        "-target=null_resource.ctrl-0_roll",
        "-replace=null_resource.ctrl-0_roll",
      ],
      ["apply", "-refresh-only", "-input=false", "-auto-approve", "-no-color"],
    ]);
    expect(t.pushed).toEqual([{ ...REFRESHED, serial: 8 }]);
    expect(lines).toContain("repairing null_resource.ctrl-0_roll: machine ctrl-0 is stopped");
    expect(lines).toContain("rolling ctrl-0 (turn 1 of 1)");
  });

  it("refreshes in the first part of the turns when the plan file holds no state it can read", async () => {
    const shown = state(machine("m1", "ctrl-0", { image: "img:0" }), roll("ctrl-0", "m1"));
    const t = tofu(shown, [rollChange("ctrl-0", ["delete", "create"], "m1")]);
    const r = await deploy(t.run, {});
    expect(r.status).toBe(0);
    const applies = t.calls.filter((c) => c[0] === "apply" || c[0] === "state");
    expect(applies[0]).toEqual([
      "apply",
      "-input=false",
      "-auto-approve",
      "-no-color",
      "-parallelism=10",
      "-exclude=null_resource.ctrl-0_roll",
    ]);
    expect(applies[1]).toContain("-refresh=false");
  });

  it("refreshes in the first part when the refreshed state cannot be written (a lock held elsewhere)", async () => {
    const shown = state(machine("m1", "ctrl-0", { image: "img:0" }), roll("ctrl-0", "m1"));
    const changes = [rollChange("ctrl-0", ["delete", "create"], "m1")];
    const t = tofu(shown, changes, (args) => args[0] === "state" && args[1] === "push", true);
    const lines: string[] = [];
    const r = await deploy(t.run, { rounds: 1, log: (l) => lines.push(l) });
    expect(r.status).toBe(0);
    const applies = t.calls.filter((c) => c[0] === "apply");
    expect(applies[0]).not.toContain("-refresh=false");
    expect(applies[0]).toContain("-exclude=null_resource.ctrl-0_roll");
    expect(applies[1]).toContain("-refresh=false");
    expect(lines).toContain(
      "the plan's refreshed state was not written (tofu state push: boom); refreshing again",
    );
  });

  it("neither applies nor records when nothing changed", async () => {
    const shown = state(machine("m1", "ctrl-0"), roll("ctrl-0", "m1"));
    const t = tofu(shown, [rollChange("ctrl-0", ["no-op"], "m1")]);
    const lines: string[] = [];
    const r = await deploy(t.run, { log: (l) => lines.push(l) });
    expect(r.status).toBe(0);
    expect(t.calls.map((c) => c[0])).toEqual(["show", "plan", "show"]);
    expect(lines).toContain("nothing to change: the plan is not applied");
  });

  it("applies again after a failed apply, up to the bound, and returns the last failure", async () => {
    const app = { address: "fly_app.a", type: "fly_app", change: { actions: ["create"] } };
    const t = tofu(state(), [app], (args) => args[0] === "apply");
    const lines: string[] = [];
    const r = await deploy(t.run, { rounds: 2, log: (l) => lines.push(l) });
    expect(r).toMatchObject({ status: 1, stderr: "Error: boom\n", repairs: [] });
    // Each round: state, plan, the plan read back, apply; no recording refresh after a failure.
    expect(t.calls.map((c) => c[0])).toEqual([
      ...["show", "plan", "show", "apply"],
      ...["show", "plan", "show", "apply"],
    ]);
    expect(lines).toContain(
      "apply failed (exit 1): Error: boom; adopting what it left on Fly and applying again",
    );
    expect(lines).toContain("applying again (round 2 of 2)");
  });

  it("stops at once when another run holds the state's lock, naming it", async () => {
    const held = "Error: Error acquiring the state lock\nLock Info:\n  Who: ci@runner\n";
    const run = async (args: string[]) =>
      args[0] === "apply"
        ? { status: 1, stdout: "", stderr: held }
        : ok(
            args[0] === "show" && args.length > 2
              ? JSON.stringify({ resource_changes: [rollChange("ctrl-0", ["create"])] })
              : "",
          );
    const r = await deploy(run, { rounds: 3 });
    expect(r).toMatchObject({ status: 1, stderr: held });
  });

  it("stops at a failing plan and returns its output", async () => {
    const calls: string[][] = [];
    const run = async (args: string[]) => {
      calls.push(args);
      return args[0] === "show" ? ok("") : { status: 1, stdout: "", stderr: "boom" };
    };
    const r = await deploy(run);
    expect(r).toMatchObject({ status: 1, stderr: "boom", repairs: [] });
    expect(calls).toHaveLength(2);
  });

  it("logs a machine that came back with a new 6PN address, and what the operator must do", async () => {
    const before = state(
      machine("m1", "ctrl-1", { private_ip: "fdaa::1", env: { K3S_ROLE: "server" }, app: "c-cp" }),
    );
    const after = state(
      machine("m1", "ctrl-1", { private_ip: "fdaa::2", env: { K3S_ROLE: "server" }, app: "c-cp" }),
    );
    const run = async (args: string[]) =>
      ok(
        args[0] !== "show" ? "" : JSON.stringify(args.length > 2 ? { prior_state: after } : before),
      );
    const lines: string[] = [];
    const r = await deploy(run, { log: (l) => lines.push(l) });
    expect(r.renumbered).toHaveLength(1);
    const line = lines.find((l) => l.includes("new 6PN address"));
    expect(line).toContain(
      "machine ctrl-1 of c-cp has a new 6PN address: private_ip: fdaa::1 -> fdaa::2",
    );
    expect(line).toContain("etcdctl member update");
  });
});
