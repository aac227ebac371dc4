import { stateBeforeRefresh } from "../../cli/stack";
import { addressChanges, repairsNeeded } from "../../ops/deploy";

describe("stateBeforeRefresh", () => {
  const machine = (ip: string) => ({
    address: "fly_machine.ctrl-1",
    type: "fly_machine",
    values: {
      id: "m1",
      name: "ctrl-1",
      app: "c-cp",
      private_ip: ip,
      state: "started",
      mount: { volume: "vol_1" },
    },
  });
  const vol = {
    address: "fly_volume.ctrl-1_volume",
    type: "fly_volume",
    values: { id: "vol_1", name: "k3s_data", state: "created" },
  };

  it("puts back what the refresh changed or dropped, so that a drift check names it plainly", () => {
    const plan = {
      prior_state: { values: { root_module: { resources: [machine("fdaa::2")] } } },
      resource_drift: [
        {
          address: "fly_machine.ctrl-1",
          change: { actions: ["update"], before: machine("fdaa::1").values, after: {} },
        },
        { address: vol.address, change: { actions: ["delete"], before: vol.values, after: null } },
      ],
    };
    const before = stateBeforeRefresh(plan);
    expect(before.values?.root_module?.resources?.map((r) => r.address)).toEqual([
      "fly_machine.ctrl-1",
      "fly_volume.ctrl-1_volume",
    ]);
    expect(addressChanges(before, plan.prior_state)).toMatchObject([
      { machine: "ctrl-1", from: "fdaa::1", to: "fdaa::2" },
    ]);
    expect(repairsNeeded(plan.prior_state, before).map((r) => r.reason)).toEqual([
      "volume k3s_data of ctrl-1 was destroyed on Fly: its data is lost; a new empty volume is created",
    ]);
  });

  it("is the refreshed state when nothing drifted", () => {
    const prior = { values: { root_module: { resources: [machine("fdaa::1"), vol] } } };
    expect(stateBeforeRefresh({ prior_state: prior })).toEqual(prior);
    expect(stateBeforeRefresh({})).toEqual({ values: { root_module: { resources: [] } } });
  });
});
