import { Repair, ShowState, TofuResult, deploy, repairsNeeded } from "../../ops/deploy";

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

describe("repairsNeeded", () => {
  it("finds nothing when every machine runs its declared config", () => {
    expect(repairsNeeded(state(machine("m1", "ctrl-0"), roll("ctrl-0", "m1")))).toEqual([]);
    expect(repairsNeeded({})).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, Repair[]]>([
    [
      "memory changed behind the tool's back",
      { guest: { ...DESIRED.guest, memory_mb: 1024 } },
      [
        {
          address: "null_resource.ctrl-0_roll",
          reason: "machine ctrl-0: guest differ from the declared config",
        },
      ],
    ],
    [
      "image and env changed",
      { image: "img:2", env: { K3S_ROLE: "agent" } },
      [
        {
          address: "null_resource.ctrl-0_roll",
          reason: "machine ctrl-0: image, env differ from the declared config",
        },
      ],
    ],
    [
      "a stopped machine",
      { state: "stopped" },
      [{ address: "null_resource.ctrl-0_roll", reason: "machine ctrl-0 is stopped" }],
    ],
    [
      "a machine Fly reports destroyed",
      { state: "destroyed" },
      [{ address: "fly_machine.ctrl-0", reason: "machine ctrl-0 is destroyed on Fly" }],
    ],
  ])("re-runs or replaces for %s", (_what, over, expected) => {
    expect(repairsNeeded(state(machine("m1", "ctrl-0", over), roll("ctrl-0", "m1")))).toEqual(
      expected,
    );
  });

  it("ignores steps that are not roll steps and fields the config leaves undeclared", () => {
    const snapshots = {
      address: "null_resource.snap",
      type: "null_resource",
      values: { triggers: { volume_id: "vol_1" } },
    };
    const partial = roll("ctrl-0", "m1", { image: "img:1" });
    const m = machine("m1", "ctrl-0", { guest: { cpu_kind: "shared", cpus: 8, memory_mb: 1 } });
    expect(repairsNeeded(state(m, partial, snapshots))).toEqual([]);
  });
});

describe("deploy", () => {
  const ok = (stdout = ""): TofuResult => ({ status: 0, stdout, stderr: "" });

  it("refreshes, applies with -replace for each repair, then records the result", async () => {
    const calls: string[][] = [];
    const shown = state(machine("m1", "ctrl-0", { state: "stopped" }), roll("ctrl-0", "m1"));
    const run = async (args: string[]) => {
      calls.push(args);
      return ok(args[0] === "show" ? JSON.stringify(shown) : "");
    };
    const lines: string[] = [];
    const r = await deploy(run, { applyArgs: ["-target=x"], log: (l) => lines.push(l) });
    expect(r.status).toBe(0);
    expect(calls).toEqual([
      ["apply", "-refresh-only", "-input=false", "-auto-approve", "-no-color"],
      ["show", "-json"],
      [
        "apply",
        "-input=false",
        "-auto-approve",
        "-no-color",
        "-replace=null_resource.ctrl-0_roll",
        "-target=x",
      ],
      ["apply", "-refresh-only", "-input=false", "-auto-approve", "-no-color"],
    ]);
    expect(lines).toContain("repairing null_resource.ctrl-0_roll: machine ctrl-0 is stopped");
  });

  it("stops at the first failing step and returns its output", async () => {
    const calls: string[][] = [];
    const run = async (args: string[]) => {
      calls.push(args);
      return args[0] === "show"
        ? ok("")
        : args.includes("-refresh-only")
          ? ok()
          : { status: 1, stdout: "", stderr: "boom" };
    };
    const r = await deploy(run);
    expect(r).toMatchObject({ status: 1, stderr: "boom", repairs: [] });
    expect(calls).toHaveLength(3);
  });
});
