import {
  Repair,
  addressChanges,
  MAX_LEASE_WAIT_MS,
  leaseExpiry,
  lostVolumeMessage,
  machinesGone,
  repairsNeeded,
  waitForLeases,
} from "../../ops/deploy";
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

function volume(id: string, name: string, over: Record<string, unknown> = {}) {
  return {
    address: `fly_volume.${name}`,
    type: "fly_volume",
    values: { id, name: "k3s_data", state: "created", attached_machine_id: null, ...over },
  };
}

describe("repairsNeeded for lost volumes", () => {
  const mounted = (vol: string) => ({ mount: { volume: vol, path: "/data" } });

  it("replaces a soft-deleted volume and its machine, saying the data is lost", () => {
    const s = state(
      volume("vol_1", "ctrl-0_volume", { state: "pending_destroy" }),
      machine("m1", "ctrl-0", mounted("vol_1")),
      roll("ctrl-0", "m1"),
    );
    expect(repairsNeeded(s)).toEqual([
      {
        address: "fly_volume.ctrl-0_volume",
        reason: lostVolumeMessage("k3s_data", "ctrl-0", DESIRED.env),
      },
      { address: "fly_machine.ctrl-0", reason: "machine ctrl-0 is recreated on the new volume" },
    ]);
  });

  it("replaces the machine of a volume the refresh dropped (404), naming it from the state before", () => {
    const before = state(
      volume("vol_1", "ctrl-0_volume"),
      machine("m1", "ctrl-0", mounted("vol_1")),
    );
    const after = state(machine("m1", "ctrl-0", mounted("vol_1")), roll("ctrl-0", "m1"));
    expect(repairsNeeded(after, before)).toEqual([
      {
        address: "fly_machine.ctrl-0",
        reason: lostVolumeMessage("k3s_data", "ctrl-0", DESIRED.env),
      },
    ]);
    // Without the state before, the volume is named by its id.
    expect(repairsNeeded(after)[0].reason).toBe(lostVolumeMessage("vol_1", "ctrl-0", DESIRED.env));
  });

  it("says what happens to a server and its etcd member, and never founding for the bootstrap one", () => {
    const server = (bootstrap: boolean) => ({
      K3S_ROLE: "server",
      K3S_BOOTSTRAP: String(bootstrap),
    });
    expect(lostVolumeMessage("k3s_data", "ctrl-0", server(true))).toBe(
      "volume k3s_data of ctrl-0 was destroyed on Fly: its data is lost; a new empty volume is " +
        "created. ctrl-0 is the bootstrap server, and its etcd member is lost with the volume. " +
        "The new machine never founds a second cluster: the bootstrap step asks the other " +
        "servers, and when one holds etcd data and is healthy, ctrl-0 joins through it as a new " +
        "etcd member (the dead member's node is then deleted, so k3s removes it from etcd before " +
        "any other server restarts); when none is healthy the deploy stops and says so, and " +
        "ctrl-0 waits, told nothing",
    );
    expect(lostVolumeMessage("k3s_data", "ctrl-1", server(false))).toBe(
      "volume k3s_data of ctrl-1 was destroyed on Fly: its data is lost; a new empty volume is " +
        "created. ctrl-1 is a server, and its etcd member is lost with the volume: the new " +
        "machine joins the bootstrap server as a new etcd member (its join step); the dead " +
        "member's node is then deleted, so k3s removes it from etcd before any other server " +
        "restarts",
    );
    expect(lostVolumeMessage("k3s_data", "worker-0", { K3S_ROLE: "agent" })).toBe(
      "volume k3s_data of worker-0 was destroyed on Fly: its data is lost; a new empty volume is created",
    );
    const s = state(
      volume("vol_1", "ctrl-0_volume", { state: "pending_destroy" }),
      machine("m1", "ctrl-0", { ...mounted("vol_1"), env: server(true) }),
    );
    expect(repairsNeeded(s)[0].reason).toBe(lostVolumeMessage("k3s_data", "ctrl-0", server(true)));
  });

  it("does not also replace a destroyed machine twice, nor re-run its roll", () => {
    const s = state(
      volume("vol_1", "v", { state: "destroyed" }),
      machine("m1", "ctrl-0", { ...mounted("vol_1"), state: "destroyed" }),
      roll("ctrl-0", "m1", { ...DESIRED, image: "img:2" }),
    );
    expect(repairsNeeded(s).map((r) => r.address)).toEqual(["fly_volume.v", "fly_machine.ctrl-0"]);
  });

  it("leaves a machine on a live volume alone", () => {
    const s = state(
      volume("vol_1", "v"),
      machine("m1", "ctrl-0", mounted("vol_1")),
      roll("ctrl-0", "m1"),
    );
    expect(repairsNeeded(s)).toEqual([]);
  });
});

describe("addressChanges", () => {
  it("reports a machine whose private_ip changed, with advice by role", () => {
    const b = state(
      machine("m1", "ctrl-0", { private_ip: "fdaa::1", env: { K3S_ROLE: "server" }, app: "c-cp" }),
      machine("m2", "worker-0", {
        private_ip: "fdaa::5",
        env: { K3S_ROLE: "agent" },
        app: "c-ng-0",
      }),
      machine("m3", "worker-1", { private_ip: "fdaa::6", app: "c-ng-0" }),
    );
    const a = state(
      machine("m1", "ctrl-0", { private_ip: "fdaa::1", env: { K3S_ROLE: "server" }, app: "c-cp" }),
      machine("m2", "worker-0", {
        private_ip: "fdaa::9",
        env: { K3S_ROLE: "agent" },
        app: "c-ng-0",
      }),
      machine("m3", "worker-1", { private_ip: "fdaa::6", app: "c-ng-0" }),
    );
    const changes = addressChanges(b, a);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ machine: "worker-0", from: "fdaa::5", to: "fdaa::9" });
    expect(changes[0].advice).toContain("nothing to do");
    expect(addressChanges(a, a)).toEqual([]);
  });
});

describe("leases an interrupted run left", () => {
  // OpenTofu wraps the provider's error text across lines.
  const output = [
    "│ Error: Error stopping machine before deletion",
    "│ ",
    "│ stopping machine 16c6157c12fdd1 in app zz-cp: fly api error (status",
    "│ 409): aborted: machine ID 16c6157c12fdd1 lease currently held by",
    "│ local@tokens.fly.io, expires at 2026-11-25T19:21:52Z",
    "│ Error: Error stopping machine before deletion",
    "│ (status 409): aborted: machine ID c60f01d93b3154 lease currently held by",
    "│ local@tokens.fly.io, expires at 2026-11-25T19:22:10Z",
  ].join("\n");

  it("finds the latest expiry in OpenTofu's wrapped error output", () => {
    expect(leaseExpiry(output)).toBe(Date.parse("2026-11-25T19:22:10Z"));
    expect(leaseExpiry("Error: something else")).toBeUndefined();
  });

  it("waits until then (plus a second), bounded, and says so", async () => {
    const lines: string[] = [];
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
    };
    await waitForLeases(
      output,
      (l) => lines.push(l),
      sleep,
      () => Date.parse("2026-11-25T19:21:10Z"),
    );
    expect(slept).toEqual([61_000]);
    expect(lines[0]).toMatch(/held until 2026-11-25T19:22:10.000Z: waiting 61s/);
    await waitForLeases(
      output,
      () => {},
      sleep,
      () => Date.parse("2026-11-25T19:30:00Z"),
    );
    expect(slept).toHaveLength(1);
    await waitForLeases(
      output,
      () => {},
      sleep,
      () => Date.parse("2026-11-25T18:00:00Z"),
    );
    expect(slept[1]).toBe(MAX_LEASE_WAIT_MS);
  });
});

describe("machines gone from Fly", () => {
  const state = (...ids: string[]): ShowState => ({
    values: {
      root_module: {
        resources: ids.map((id, i) => ({
          address: `fly_machine.m${i}`,
          type: "fly_machine",
          values: { id, name: `ctrl-${i}`, app: "c-cp" },
        })),
      },
    },
  });

  it("names each machine the refresh dropped, and nothing else", () => {
    expect(machinesGone(state("a", "b"), state("a"))).toEqual([
      "machine ctrl-1 (b) of c-cp is gone from Fly: it is created again (fly_machine.m1)",
    ]);
    expect(machinesGone(state("a"), state("a"))).toEqual([]);
  });
});
