import { parseArgs } from "util";
import {
  FLY_MACHINES_OPTIONS,
  FlyMachinesCall,
  flyMachinesArgs,
} from "../../ops/fly-machines-call";

const b = { cpApp: "x-cp", bootstrap: "m0" };

describe("flyMachinesArgs", () => {
  it.each<[FlyMachinesCall, string[]]>([
    [
      { command: "snapshots-off", app: "a", volume: "vol_1" },
      ["snapshots-off", "--app", "a", "--volume", "vol_1"],
    ],
    [{ command: "roll", app: "a", machine: "m1" }, ["roll", "--app", "a", "--machine", "m1"]],
    [
      { command: "roll", app: "a", machine: "m1", waitReady: { ...b, etcd: true } },
      [
        "roll",
        "--app",
        "a",
        "--machine",
        "m1",
        "--wait-ready",
        "--cp-app",
        "x-cp",
        "--bootstrap",
        "m0",
        "--etcd",
      ],
    ],
    [
      { command: "join", ...b, app: "a", machine: "m1" },
      ["join", "--cp-app", "x-cp", "--bootstrap", "m0", "--app", "a", "--machine", "m1"],
    ],
    [{ command: "taint", ...b }, ["taint", "--cp-app", "x-cp", "--bootstrap", "m0"]],
    [
      {
        command: "kubeconfig",
        ...b,
        cluster: "x",
        server: "https://x-cp.internal:6443",
        out: "/k",
      },
      [
        "kubeconfig",
        "--cp-app",
        "x-cp",
        "--bootstrap",
        "m0",
        "--cluster",
        "x",
        "--server",
        "https://x-cp.internal:6443",
        "--out",
        "/k",
      ],
    ],
  ])("%j", (call, args) => {
    expect(flyMachinesArgs(call)).toEqual(args);
    // The command's own parser (bin/fly-machines.ts) takes them back.
    const { values } = parseArgs({ args: args.slice(1), options: FLY_MACHINES_OPTIONS });
    if ("app" in call) expect(values.app).toBe(call.app);
    if ("cpApp" in call) expect(values["cp-app"]).toBe(call.cpApp);
  });
});
