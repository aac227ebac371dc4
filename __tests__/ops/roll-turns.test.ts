import { TofuResult } from "../../ops/deploy";
import { Planned, applyInTurns, parallelism, planWrites } from "../../ops/apply-turns";
import { PlannedChange, SavedPlan, rollLanes, rollTurns } from "../../ops/roll-turns";
import { ROLLS_IN_TURNS_ENV } from "../../contract/fly-machines-call";

/** A node's desired config as a roll step's `config` trigger holds it. */
function config(role: "server" | "agent", index: number, group?: string, bootstrap = false) {
  return JSON.stringify({
    image: "img:2",
    env: { K3S_ROLE: role, K3S_BOOTSTRAP: String(bootstrap) },
    metadata: {
      fly_k3s_role: role,
      fly_k3s_index: String(index),
      ...(group === undefined ? {} : { fly_k3s_node_group: group }),
    },
  });
}

/**
 * A roll step in a saved plan: `ran` (its machine exists: its id is known)
 * or `new` (its machine is created by the same apply), `runs` or left alone.
 */
function step(
  name: string,
  c: string,
  machine: "ran" | "new",
  actions: string[] = ["delete", "create"],
): PlannedChange {
  const known = machine === "ran";
  return {
    address: `null_resource.${name}_roll_step`,
    type: "null_resource",
    change: {
      actions,
      before: known ? { triggers: { machine_id: `id-${name}`, config: c } } : null,
      after: { triggers: { ...(known ? { machine_id: `id-${name}` } : {}), config: c } },
      after_unknown: { triggers: known ? {} : { machine_id: true } },
    },
  };
}

const servers = (machine: "ran" | "new", actions?: string[]) => [
  step("ctrl-1", config("server", 1), machine, actions),
  step("ctrl-0", config("server", 0, undefined, true), machine, actions),
  step("ctrl-2", config("server", 2), machine, actions),
];
const workers = (group: string, n: number, machine: "ran" | "new", actions?: string[]) =>
  Array.from({ length: n }, (_, i) =>
    step(`w${group}-${i}`, config("agent", i, group), machine, actions),
  );
const names = (t: ReturnType<typeof rollTurns>) =>
  t.turns.map((turn) => turn.map((r) => r.machine));

describe("rollTurns", () => {
  it("gives a quarter of a group, rounded down, at least one", () => {
    expect([1, 2, 3, 4, 7, 8, 30, 64].map(rollLanes)).toEqual([1, 1, 1, 1, 1, 2, 7, 16]);
  });

  it("lets every machine created by the apply start at once: no turns", () => {
    const t = rollTurns({
      resource_changes: [...servers("new", ["create"]), ...workers("0", 6, "new", ["create"])],
    });
    expect(t.firstStarts).toHaveLength(9);
    expect(t.turns).toEqual([]);
  });

  it("rolls machines that have run one server at a time, bootstrap first, then the workers a quarter of each group at a time", () => {
    const t = rollTurns({
      resource_changes: [...servers("ran"), ...workers("0", 8, "ran"), ...workers("gpu", 3, "ran")],
    });
    expect(t.firstStarts).toEqual([]);
    expect(names(t)).toEqual([
      ["ctrl-0"],
      ["ctrl-1"],
      ["ctrl-2"],
      // Group 0 (8 workers) two at a time, group gpu (3) one at a time, side by side.
      ["worker-ng-0-0", "worker-ng-0-1", "worker-ng-gpu-0"],
      ["worker-ng-0-2", "worker-ng-0-3", "worker-ng-gpu-1"],
      ["worker-ng-0-4", "worker-ng-0-5", "worker-ng-gpu-2"],
      ["worker-ng-0-6", "worker-ng-0-7"],
    ]);
    expect(t.others).toBe(false);
  });

  it("counts a group's size from all its roll steps, rolling or not, and leaves out those that do not run", () => {
    const group = workers("0", 8, "ran", ["no-op"]);
    group[1] = step("w0-1", config("agent", 1, "0"), "ran");
    group[6] = step("w0-6", config("agent", 6, "0"), "ran");
    group[7] = step("w0-7", config("agent", 7, "0"), "ran");
    // Lanes of 2 (8 workers): the three that roll go two, then one.
    expect(names(rollTurns({ resource_changes: group }))).toEqual([
      ["worker-ng-0-1", "worker-ng-0-6"],
      ["worker-ng-0-7"],
    ]);
  });

  it("starts new machines at once beside the turns of those that have run, and says what else changes", () => {
    const plan: SavedPlan = {
      resource_changes: [
        ...servers("ran"),
        step("w0-0", config("agent", 0, "0"), "new", ["create"]),
        { address: "fly_machine.w0-0", type: "fly_machine", change: { actions: ["create"] } },
        { address: "fly_app.x", type: "fly_app", change: { actions: ["no-op"] } },
      ],
    };
    const t = rollTurns(plan);
    expect(t.firstStarts.map((r) => r.address)).toEqual(["null_resource.w0-0_roll_step"]);
    expect(names(t)).toEqual([["ctrl-0"], ["ctrl-1"], ["ctrl-2"]]);
    expect(t.others).toBe(true);
  });

  it("places a roll whose config names no node alone, after the servers", () => {
    const odd = step("odd", "not json", "ran");
    const t = rollTurns({ resource_changes: [odd, ...servers("ran").slice(0, 1)] });
    expect(names(t)).toEqual([["ctrl-1"], ["null_resource.odd_roll_step"]]);
  });
});

describe("applyInTurns", () => {
  const ok = (stdout = ""): TofuResult => ({ status: 0, stdout, stderr: "" });
  const planned = (plan: SavedPlan): Planned => ({ ...ok(), file: "saved.tfplan", plan, args: [] });

  function tofu(failAt = -1) {
    const calls: string[][] = [];
    const envs: (Record<string, string> | undefined)[] = [];
    const width: string[] = [];
    const run = async (args: string[], env?: Record<string, string>) => {
      width.push(...args.filter((a) => a.startsWith("-parallelism")));
      calls.push(args.filter((a) => !/^-(input|auto-approve|no-color|parallelism)\b/.test(a)));
      envs.push(env);
      return calls.length - 1 === failAt
        ? { status: 1, stdout: `out ${calls.length}`, stderr: "Error: boom\n" }
        : ok(`out ${calls.length}`);
    };
    return { run, calls, envs, width };
  }

  it("applies everything else first (new machines start there), then each turn, then what waited", async () => {
    const t = tofu();
    const lines: string[] = [];
    const plan = {
      resource_changes: [
        ...servers("ran"),
        step("w0-0", config("agent", 0, "0"), "new", ["create"]),
      ],
    };
    const r = await applyInTurns(t.run, planned(plan), ["null_resource.ctrl-1_roll_step"], (l) =>
      lines.push(l),
    );
    const rolls = ["ctrl-0", "ctrl-1", "ctrl-2"].map((n) => `null_resource.${n}_roll_step`);
    expect(t.calls).toEqual([
      ["apply", ...rolls.map((a) => `-exclude=${a}`)],
      ["apply", "-refresh=false", `-target=${rolls[0]}`],
      ["apply", "-refresh=false", `-target=${rolls[1]}`, `-replace=${rolls[1]}`],
      ["apply", "-refresh=false", `-target=${rolls[2]}`],
      ["apply", "-refresh=false"],
    ]);
    expect(t.envs.every((e) => e?.[ROLLS_IN_TURNS_ENV] === "1")).toBe(true);
    expect(r).toMatchObject({ status: 0, rolled: true });
    expect(r.stdout).toBe(["out 1", "out 2", "out 3", "out 4", "out 5"].join("\n"));
    expect(lines).toEqual([
      "1 new machine: each starts once, as soon as it exists",
      "applying all but the rolls of machines that have run (ctrl-0, ctrl-1, ctrl-2), which then take turns",
      "rolling ctrl-0 (turn 1 of 3)",
      "rolling ctrl-1 (turn 2 of 3)",
      "rolling ctrl-2 (turn 3 of 3)",
      "applying what waited for the rolls",
    ]);
  });

  it("stops at the turn that fails: the later ones keep their previous config", async () => {
    const t = tofu(2);
    const r = await applyInTurns(
      t.run,
      planned({ resource_changes: servers("ran") }),
      [],
      () => {},
    );
    // Everything else first (nothing else here: it writes the refreshed state), then the turns.
    expect(t.calls.map((c) => c.find((a) => a.startsWith("-target=")))).toEqual([
      undefined,
      "-target=null_resource.ctrl-0_roll_step",
      "-target=null_resource.ctrl-1_roll_step",
    ]);
    expect(r).toMatchObject({ status: 1, stderr: "Error: boom\n" });
  });

  it("applies a plan without such rolls as it is", async () => {
    const t = tofu();
    const app: PlannedChange = {
      address: "fly_app.a",
      type: "fly_app",
      change: { actions: ["create"] },
    };
    const r = await applyInTurns(t.run, planned({ resource_changes: [app] }), [], () => {});
    expect(t.width).toEqual(["-parallelism=10"]);
    expect(t.calls).toEqual([["apply", "saved.tfplan"]]);
    expect(r.rolled).toBe(false);
    // Nothing to write: not applied at all.
    const none = tofu();
    const lines: string[] = [];
    await applyInTurns(none.run, planned({ resource_changes: [] }), [], (l) => lines.push(l));
    expect(none.calls).toEqual([]);
    expect(lines).toEqual(["nothing to change: the plan is not applied"]);
  });
});

describe("planWrites", () => {
  it("is false only when applying would write nothing: no change, no output, no drift", () => {
    const noop: PlannedChange = { address: "a", type: "t", change: { actions: ["no-op"] } };
    expect(planWrites({ resource_changes: [noop] })).toBe(false);
    expect(planWrites({ resource_changes: [noop], resource_drift: [noop] })).toBe(true);
    expect(planWrites({ output_changes: { x: { actions: ["update"] } } })).toBe(true);
    expect(planWrites({ resource_changes: [{ ...noop, change: { actions: ["create"] } }] })).toBe(
      true,
    );
  });
});

describe("parallelism", () => {
  it("applies every change at once, at least OpenTofu's default", () => {
    const create: PlannedChange = { address: "a", type: "t", change: { actions: ["create"] } };
    expect(parallelism({ resource_changes: [create] })).toBe(10);
    const many = Array.from({ length: 135 }, (_, i) => ({ ...create, address: `a${i}` }));
    const idle = { ...create, change: { actions: ["no-op"] } };
    expect(parallelism({ resource_changes: [...many, idle] })).toBe(135);
  });
});
