import { Declared } from "../../ops/declared";
import { TofuResult } from "../../ops/deploy";
import { destroy } from "../../ops/destroy";
import { MachinesApi } from "../../ops/machines-api";

const NONE: Declared = { apps: [], machines: [], volumes: [] };
const ok: TofuResult = { status: 0, stdout: "", stderr: "" };
const failed: TofuResult = {
  status: 1,
  stdout: "",
  stderr: "Error: deleting volume: 412 volume attached",
};

/** A tofu that answers `show` with `shown` and each destroy with the next of `destroys`. */
function tofu(shown: TofuResult, destroys: TofuResult[]) {
  const calls: string[] = [];
  const run = async (args: string[]) => {
    calls.push(args.join(" "));
    if (args[0] === "show") return shown;
    return destroys.shift() ?? ok;
  };
  return { run, calls };
}

describe("destroy", () => {
  it("destroys once when it succeeds, adopting nothing without a state", async () => {
    const t = tofu({ status: 0, stdout: "", stderr: "" }, [ok]);
    const r = await destroy(t.run, { declared: NONE, api: {} as MachinesApi, log: () => {} });
    expect(r.status).toBe(0);
    expect(t.calls).toEqual([
      "show -json -no-color",
      "destroy -input=false -auto-approve -no-color",
    ]);
  });

  it("waits for Fly to finish destroying the stack's machines, then destroys again", async () => {
    const listed: string[] = [];
    const api = {
      listMachines: async (app: string) => {
        listed.push(app);
        return [
          { id: "m1", state: "destroying" },
          { id: "m2", state: "started" },
        ];
      },
      getMachine: async () => ({ state: "destroyed" }),
    } as unknown as MachinesApi;
    const declared: Declared = {
      ...NONE,
      machines: [{ address: "fly_machine.a", app: "c-cp", name: "ctrl-0", unreadable: {} }],
    };
    const t = tofu({ status: 1, stdout: "", stderr: "no state" }, [failed, ok]);
    const lines: string[] = [];
    const sleeps: number[] = [];
    const r = await destroy(t.run, {
      declared,
      api,
      log: (l) => lines.push(l),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(r.status).toBe(0);
    expect(listed).toEqual(["c-cp"]);
    expect(lines).toEqual([
      "destroy stopped (exit 1); waiting for Fly to finish destroying 1 machine(s), then destroying again (round 2 of 4)",
    ]);
    // A machine was still being destroyed: no extra pause.
    expect(sleeps).toEqual([]);
  });

  it("pauses longer each round when Fly has nothing left to destroy, and stops after its rounds", async () => {
    const t = tofu({ status: 1, stdout: "", stderr: "" }, [failed, failed, failed]);
    const sleeps: number[] = [];
    const r = await destroy(t.run, {
      declared: NONE,
      api: {} as MachinesApi,
      log: () => {},
      rounds: 3,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(r).toEqual(failed);
    expect(t.calls.filter((c) => c.startsWith("destroy"))).toHaveLength(3);
    expect(sleeps).toEqual([2000, 4000]);
  });
});
