import { Machine, Volume } from "../../contract/machines-api-types";
import { RawState } from "../../ops/state-file";
import { LiveApp, recordedState } from "../../ops/record";

const machineState = {
  id: "m1",
  app: "c-cp",
  name: "ctrl-0",
  state: "created",
  instance_id: "i1",
  private_ip: "fdaa::1",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  image: "img:1",
  env: { K3S_ROLE: "server" },
  metadata: { fly_k3s_role: "server" },
  guest: { cpu_kind: "shared", cpus: 2, memory_mb: 2048, gpu_kind: null, gpus: null },
  skip_launch: true,
};

function state(): RawState {
  return {
    version: 4,
    serial: 7,
    lineage: "l",
    resources: [
      {
        mode: "managed",
        type: "fly_app",
        name: "cp",
        instances: [{ attributes: { name: "c-cp", status: "pending" } }],
      },
      {
        mode: "managed",
        type: "fly_machine",
        name: "ctrl-0",
        instances: [{ attributes: { ...machineState } }],
      },
      {
        mode: "managed",
        type: "fly_volume",
        name: "v0",
        instances: [
          {
            attributes: {
              id: "v1",
              app: "c-cp",
              attached_machine_id: "",
              auto_backup_enabled: true,
              zone: "ab12",
            },
          },
        ],
      },
      {
        mode: "managed",
        type: "null_resource",
        name: "roll",
        instances: [{ attributes: { id: "9", triggers: {} } }],
      },
    ],
  } as unknown as RawState;
}

function live(over: Partial<Machine> = {}, config: Partial<Machine["config"]> = {}): LiveApp[] {
  const machine = {
    id: "m1",
    name: "ctrl-0",
    state: "started",
    region: "sjc",
    instance_id: "i2",
    private_ip: "fdaa::1",
    updated_at: "2026-01-01T00:00:05Z",
    config: {
      image: "img:1",
      env: { K3S_ROLE: "server" },
      metadata: { fly_k3s_role: "server" },
      guest: { cpu_kind: "shared", cpus: 2, memory_mb: 2048 },
      stop_config: { signal: "SIGTERM" },
      ...config,
    },
    ...over,
  } as Machine;
  const volume: Volume = {
    id: "v1",
    name: "data",
    zone: "ab12",
    auto_backup_enabled: false,
    attached_machine_id: "m1",
  };
  return [{ app: "c-cp", status: "deployed", machines: [machine], volumes: [volume] }];
}

const attributes = (s: RawState | undefined, type: string) =>
  s?.resources?.find((r) => r.type === type)?.instances[0].attributes;

describe("recordedState", () => {
  it("writes what a first start, the snapshots-off step and Fly changed, as the provider reads it", () => {
    const next = recordedState(state(), live());
    expect(next?.serial).toBe(8);
    expect(attributes(next, "fly_machine")).toEqual({
      ...machineState,
      state: "started",
      instance_id: "i2",
      updated_at: "2026-01-01T00:00:05Z",
    });
    expect(attributes(next, "fly_volume")).toMatchObject({
      attached_machine_id: "m1",
      auto_backup_enabled: false,
      zone: "ab12",
    });
    expect(attributes(next, "fly_app")).toEqual({ name: "c-cp", status: "deployed" });
    // Steps are not Fly's: left as they are.
    expect(attributes(next, "null_resource")).toEqual({ id: "9", triggers: {} });
  });

  it("writes a roll's new config; an env or metadata Fly answers empty keeps the state's (as the provider does)", () => {
    const next = recordedState(
      state(),
      live(
        {},
        { image: "img:2", env: {}, guest: { cpu_kind: "performance", cpus: 4, memory_mb: 4096 } },
      ),
    );
    expect(attributes(next, "fly_machine")).toMatchObject({
      image: "img:2",
      env: { K3S_ROLE: "server" },
      guest: { cpu_kind: "performance", cpus: 4, memory_mb: 4096, gpu_kind: null, gpus: null },
    });
  });

  it("writes every attribute of a volume the provider reads (one moved with its host: a new zone)", () => {
    const [app] = live();
    const next = recordedState(state(), [
      { ...app, volumes: [{ ...app.volumes[0], zone: "cd34", attached_machine_id: null }] },
    ]);
    expect(attributes(next, "fly_volume")).toMatchObject({ zone: "cd34", attached_machine_id: "" });
  });

  it("changes nothing, and says so, when the state already holds what Fly answers", () => {
    const once = recordedState(state(), live()) as RawState;
    expect(recordedState(once, live())).toBeUndefined();
  });

  it("leaves a machine or volume Fly does not list alone", () => {
    const next = recordedState(state(), [{ app: "c-cp", machines: [], volumes: [] }]);
    expect(next).toBeUndefined();
  });
});
