import * as fs from "fs";
import { adopt } from "../../ops/adopt";
import { AdoptAction, LiveApp, patchImported, planAdoption } from "../../ops/adopt-plan";
import { RawState } from "../../ops/state-file";
import { Declared, declaredFromSynth } from "../../ops/declared";
import { Machine, Volume } from "../../contract/machines-api-types";
import { ShowState } from "../../contract/tofu-state";
import { MachinesApi } from "../../ops/machines-api";

const APP = "c-cp";

const declared: Declared = declaredFromSynth({
  resource: {
    fly_app: { app_1: { name: APP, org_slug: "personal" } },
    fly_volume: {
      "ctrl-0_volume": {
        app: "${fly_app.app_1.name}",
        name: "k3s_data",
        require_unique_zone: true,
      },
      "ctrl-1_volume": {
        app: "${fly_app.app_1.name}",
        name: "k3s_data",
        require_unique_zone: true,
      },
    },
    fly_machine: {
      "ctrl-0_machine": {
        app: "${fly_app.app_1.name}",
        name: "ctrl-0",
        mount: { volume: "${fly_volume.ctrl-0_volume.id}" },
      },
      "ctrl-1_machine": {
        app: "${fly_app.app_1.name}",
        name: "ctrl-1",
        mount: { volume: "${fly_volume.ctrl-1_volume.id}" },
      },
    },
  },
});

function m(id: string, name: string, volume?: string, state = "started"): Machine {
  return {
    id,
    name,
    state,
    region: "sjc",
    instance_id: "i",
    private_ip: "fdaa::1",
    config: { image: "img", ...(volume ? { mounts: [{ volume, path: "/data" }] } : {}) },
  };
}

function v(
  id: string,
  attached: string | null = null,
  state = "created",
  name = "k3s_data",
): Volume {
  return {
    id,
    name,
    state,
    zone: "z" + id,
    auto_backup_enabled: false,
    attached_machine_id: attached,
  };
}

function st(entries: Record<string, string>): ShowState {
  return {
    values: {
      root_module: {
        resources: Object.entries(entries).map(([address, id]) => ({
          address,
          type: address.split(".")[0],
          values: { id },
        })),
      },
    },
  };
}

const live = (machines: Machine[], volumes: Volume[]): LiveApp[] => [
  { app: APP, org: "personal", machines, volumes },
];
const brief = (a: AdoptAction[]) =>
  a.map((x) =>
    x.kind === "import"
      ? `import ${x.address} ${x.importId}`
      : x.kind === "forget"
        ? `forget ${x.address}`
        : `${x.kind} ${x.id}`,
  );

const FULL_STATE = {
  "fly_app.app_1": "app-id",
  "fly_volume.ctrl-0_volume": "vol_a",
  "fly_volume.ctrl-1_volume": "vol_b",
  "fly_machine.ctrl-0_machine": "m0",
  "fly_machine.ctrl-1_machine": "m1",
};

describe("declaredFromSynth", () => {
  it("resolves apps, names, and the volume each machine mounts", () => {
    const machineDefaults = { desired_status: "started", cordoned: false, skip_launch: false };
    const volumeDeclared = { require_unique_zone: true };
    expect(declared).toEqual({
      apps: [{ address: "fly_app.app_1", name: APP, org: "personal" }],
      machines: [
        {
          address: "fly_machine.ctrl-0_machine",
          app: APP,
          name: "ctrl-0",
          unreadable: machineDefaults,
          volumeAddress: "fly_volume.ctrl-0_volume",
        },
        {
          address: "fly_machine.ctrl-1_machine",
          app: APP,
          name: "ctrl-1",
          unreadable: machineDefaults,
          volumeAddress: "fly_volume.ctrl-1_volume",
        },
      ],
      volumes: [
        {
          address: "fly_volume.ctrl-0_volume",
          app: APP,
          name: "k3s_data",
          unreadable: volumeDeclared,
        },
        {
          address: "fly_volume.ctrl-1_volume",
          app: APP,
          name: "k3s_data",
          unreadable: volumeDeclared,
        },
      ],
    });
    expect(declaredFromSynth({})).toEqual({ apps: [], machines: [], volumes: [] });
  });
});

describe("planAdoption", () => {
  it("does nothing when Fly and the state agree", () => {
    const machines = [m("m0", "ctrl-0", "vol_a"), m("m1", "ctrl-1", "vol_b")];
    const volumes = [v("vol_a", "m0"), v("vol_b", "m1")];
    expect(planAdoption(declared, st(FULL_STATE), live(machines, volumes))).toEqual([]);
  });

  it("imports a machine and its volume that a killed run created but never recorded", () => {
    const state = st({
      "fly_app.app_1": "app-id",
      "fly_volume.ctrl-0_volume": "vol_a",
      "fly_machine.ctrl-0_machine": "m0",
    });
    const machines = [m("m0", "ctrl-0", "vol_a"), m("m1", "ctrl-1", "vol_b")];
    const volumes = [v("vol_a", "m0"), v("vol_b", "m1")];
    const plan = planAdoption(declared, state, live(machines, volumes));
    expect(brief(plan)).toEqual([
      "import fly_machine.ctrl-1_machine c-cp/m1",
      "import fly_volume.ctrl-1_volume c-cp/vol_b",
    ]);
    expect(plan[0].reason).toBe(
      "machine ctrl-1 (m1) of c-cp exists on Fly but not in the state (an interrupted run created it)",
    );
  });

  it("imports a machine created on a volume in the state (the provider's create wait failed)", () => {
    const noM1 = st({
      "fly_app.app_1": "app-id",
      "fly_volume.ctrl-0_volume": "vol_a",
      "fly_volume.ctrl-1_volume": "vol_b",
      "fly_machine.ctrl-0_machine": "m0",
    });
    const machines = [m("m0", "ctrl-0", "vol_a"), m("m9", "ctrl-1", "vol_b", "created")];
    const volumes = [v("vol_a", "m0"), v("vol_b", "m9")];
    expect(brief(planAdoption(declared, noM1, live(machines, volumes)))).toEqual([
      "import fly_machine.ctrl-1_machine c-cp/m9",
    ]);
  });

  it("imports an unattached volume into a declared address with no state entry, and destroys one beyond", () => {
    const state = st({ "fly_volume.ctrl-0_volume": "vol_a" });
    const volumes = [v("vol_a"), v("vol_x"), v("vol_y"), v("vol_other", null, "created", "other")];
    expect(brief(planAdoption(declared, state, live([], volumes)))).toEqual([
      "import fly_app.app_1 c-cp",
      "import fly_volume.ctrl-1_volume c-cp/vol_x",
      "destroy-volume vol_y",
    ]);
  });

  it("destroys a second machine of a name whose machine is in the state, never what it mounts", () => {
    const machines = [m("m0", "ctrl-0", "vol_a"), m("m1", "ctrl-1", "vol_b"), m("m2", "ctrl-1")];
    const volumes = [v("vol_a", "m0"), v("vol_b", "m1")];
    const plan = planAdoption(declared, st(FULL_STATE), live(machines, volumes));
    expect(brief(plan)).toEqual(["destroy-machine m2"]);
    expect(plan[0].reason).toContain("second machine of that name");
  });

  it("keeps one of two unrecorded machines of a name (the started one) and destroys the other", () => {
    const state = st({
      "fly_app.app_1": "app-id",
      "fly_machine.ctrl-0_machine": "m0",
      "fly_volume.ctrl-0_volume": "vol_a",
    });
    const machines = [
      m("m0", "ctrl-0", "vol_a"),
      m("m5", "ctrl-1", "vol_c", "stopped"),
      m("m6", "ctrl-1", "vol_d"),
    ];
    const volumes = [v("vol_a", "m0"), v("vol_c", "m5"), v("vol_d", "m6")];
    // m6 and its volume are imported; m5 goes, and its volume (attached to m5) is beyond the declared ones.
    expect(brief(planAdoption(declared, state, live(machines, volumes)))).toEqual([
      "import fly_machine.ctrl-1_machine c-cp/m6",
      "import fly_volume.ctrl-1_volume c-cp/vol_d",
      "destroy-machine m5",
      "destroy-volume vol_c",
    ]);
  });

  it("adopts a machine that replaced one Fly no longer has, forgetting the old state entry", () => {
    const machines = [m("m0", "ctrl-0", "vol_a"), m("m7", "ctrl-1", "vol_b")];
    const volumes = [v("vol_a", "m0"), v("vol_b", "m7")];
    expect(brief(planAdoption(declared, st(FULL_STATE), live(machines, volumes)))).toEqual([
      "forget fly_machine.ctrl-1_machine",
      "import fly_machine.ctrl-1_machine c-cp/m7",
    ]);
  });

  it("never touches a volume attached to a machine in the state, nor undeclared names, nor soft-deleted volumes", () => {
    const machines = [m("m0", "ctrl-0", "vol_a"), m("m1", "ctrl-1", "vol_z"), m("m8", "someone")];
    const volumes = [
      v("vol_a", "m0"),
      v("vol_z", "m1"),
      v("vol_gone", null, "pending_destroy"),
      v("vol_b", null, "destroyed"),
    ];
    const state = st({ ...FULL_STATE, "fly_volume.ctrl-1_volume": "vol_b" });
    expect(planAdoption(declared, state, live(machines, volumes))).toEqual([]);
  });

  it("ignores destroyed and destroying machines", () => {
    const machines = [
      m("m0", "ctrl-0", "vol_a"),
      m("m1", "ctrl-1", "vol_b"),
      m("m3", "ctrl-1", undefined, "destroying"),
      m("m4", "ctrl-1", undefined, "destroyed"),
    ];
    const volumes = [v("vol_a", "m0"), v("vol_b", "m1")];
    expect(planAdoption(declared, st(FULL_STATE), live(machines, volumes))).toEqual([]);
  });
});

describe("planAdoption of apps", () => {
  it("imports an app of the declared organization that the state lacks, and no other", () => {
    const none = (org?: string): LiveApp[] => [{ app: APP, org, machines: [], volumes: [] }];
    expect(brief(planAdoption(declared, st({}), none("personal")))).toEqual([
      "import fly_app.app_1 c-cp",
    ]);
    expect(planAdoption(declared, st({}), none(undefined))).toEqual([]);
    expect(planAdoption(declared, st({}), none("someone-else"))).toEqual([]);
    expect(planAdoption(declared, st({ "fly_app.app_1": "x" }), none("personal"))).toEqual([]);
  });
});

describe("patchImported", () => {
  it("writes declared values the import left empty, keeps what it read, and bumps the serial", () => {
    const raw: RawState = {
      serial: 7,
      lineage: "l",
      resources: [
        {
          mode: "managed",
          type: "fly_machine",
          name: "ctrl-1_machine",
          instances: [{ attributes: { id: "m1", desired_status: null, cordoned: true } }],
        },
        {
          mode: "managed",
          type: "fly_volume",
          name: "ctrl-0_volume",
          instances: [{ attributes: { id: "vol_a", require_unique_zone: null } }],
        },
      ],
    };
    const out = patchImported(raw, [declared.machines[1]]);
    expect(out.serial).toBe(8);
    expect(out.lineage).toBe("l");
    expect(out.resources?.[0].instances[0].attributes).toEqual({
      id: "m1",
      desired_status: "started",
      cordoned: true,
      skip_launch: false,
    });
    // Not imported: untouched.
    expect(out.resources?.[1].instances[0].attributes.require_unique_zone).toBeNull();
    expect(raw.serial).toBe(7);
  });
});

describe("adopt", () => {
  it("destroys extras through the API, waits for them, then imports with tofu, logging each", async () => {
    const calls: string[] = [];
    const api = {
      appOrg: async () => "personal",
      listMachines: async () => [m("m0", "ctrl-0", "vol_a"), m("m2", "ctrl-0")],
      listVolumes: async () => [v("vol_a", "m0"), v("vol_x")],
      destroyMachine: async (_app: string, id: string, force: boolean) => {
        calls.push(`destroy machine ${id} force=${force}`);
      },
      getMachine: async (_app: string, id: string) => m(id, "ctrl-0", undefined, "destroyed"),
      destroyVolume: async (_app: string, id: string) => {
        calls.push(`destroy volume ${id}`);
      },
    } as unknown as MachinesApi;
    const lines: string[] = [];
    let pushed: RawState | undefined;
    const tofu = async (args: string[]) => {
      calls.push(
        `tofu ${args.slice(0, 2).join(" ")}${args[0] === "import" ? " " + args.slice(3).join(" ") : ""}`,
      );
      if (args[1] === "push") pushed = JSON.parse(fs.readFileSync(args[2], "utf8")) as RawState;
      const pulled: RawState = {
        serial: 4,
        resources: [
          {
            mode: "managed",
            type: "fly_volume",
            name: "ctrl-1_volume",
            instances: [{ attributes: { id: "vol_x", require_unique_zone: null } }],
          },
        ],
      };
      return { status: 0, stdout: args[1] === "pull" ? JSON.stringify(pulled) : "", stderr: "" };
    };
    const state = st({
      "fly_app.app_1": "a",
      "fly_machine.ctrl-0_machine": "m0",
      "fly_volume.ctrl-0_volume": "vol_a",
    });
    const acted = await adopt({ tofu, api, log: (l) => lines.push(l) }, declared, state);
    expect(acted).toHaveLength(2);
    expect(calls).toEqual([
      "destroy machine m2 force=true",
      "tofu import -input=false fly_volume.ctrl-1_volume c-cp/vol_x",
      "tofu state pull",
      "tofu state push",
    ]);
    expect(pushed?.serial).toBe(5);
    expect(pushed?.resources?.[0].instances[0].attributes.require_unique_zone).toBe(true);
    expect(lines[0]).toMatch(
      /^destroying machine m2 of c-cp: machine ctrl-0 \(m2\) of c-cp is a second machine/,
    );
    expect(lines[1]).toMatch(/^importing fly_volume.ctrl-1_volume from c-cp\/vol_x: /);
  });

  it("fails with tofu's message when an import fails", async () => {
    const api = {
      appOrg: async () => "personal",
      listMachines: async () => [],
      listVolumes: async () => [v("vol_x")],
    } as unknown as MachinesApi;
    const tofu = async () => ({ status: 1, stdout: "", stderr: "Error: boom\n" });
    await expect(adopt({ tofu, api, log: () => {} }, declared, st({}))).rejects.toThrow(
      "tofu import fly_app.app_1 c-cp failed:\nError: boom",
    );
  });
});
