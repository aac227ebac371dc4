import {
  FLY_MACHINES_COMMANDS,
  FlyMachinesCall,
  flyMachinesArgs,
  flyMachinesUsage,
  parseFlyMachinesArgs,
} from "../../contract/fly-machines-call";

const b = { cpApp: "x-cp", bootstrap: "m0" };

/** At least one call of every command, with and without its optional parts. */
const CALLS: FlyMachinesCall[] = [
  { command: "snapshots-off", app: "a", volume: "vol_1" },
  { command: "roll", app: "a", machine: "m1" },
  { command: "roll", app: "a", machine: "m1", waitReady: { ...b, etcd: true }, timeoutSec: 90 },
  { command: "roll", app: "a", machine: "m1", waitReady: { ...b, etcd: false } },
  { command: "join", ...b, app: "a", machine: "m1" },
  { command: "join", ...b, app: "a", machine: "m1", timeoutSec: 30 },
  { command: "wait-ready", ...b, app: "a", machine: "m1" },
  { command: "bootstrap", ...b, waitReady: true, timeoutSec: 1200 },
  { command: "bootstrap", ...b, waitReady: false },
  { command: "taint", ...b },
  { command: "list", app: "a" },
  { command: "kubeconfig", ...b, cluster: "x", server: "https://x-cp.internal:6443", out: "/k" },
];

describe("the bin/fly-machines call (contract/fly-machines-call.ts)", () => {
  it("has a call of every command in the round trip", () => {
    expect([...new Set(CALLS.map((c) => c.command))].sort()).toEqual(
      Object.keys(FLY_MACHINES_COMMANDS).sort(),
    );
  });

  it.each(CALLS.map((c) => [flyMachinesArgs(c).join(" "), c]))(
    "reads back what it writes: %s",
    (_argv, call) => {
      expect(parseFlyMachinesArgs(flyMachinesArgs(call))).toEqual(call);
    },
  );

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
    [
      { command: "bootstrap", ...b, waitReady: true },
      ["bootstrap", "--cp-app", "x-cp", "--bootstrap", "m0", "--wait-ready"],
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
  ])("writes %j as the stack's steps run it", (call, args) => {
    expect(flyMachinesArgs(call)).toEqual(args);
  });

  it.each([
    [
      ["frobnicate"],
      'unknown command "frobnicate"; one of snapshots-off, roll, join, wait-ready, bootstrap, taint, list, kubeconfig',
    ],
    [["roll", "--app", "a"], "roll: --machine is required"],
    [["roll", "--app", "a", "--machine", ""], "roll: --machine is required"],
    [["list", "--app", "a", "--volume", "v"], "list: --volume is not an option of list"],
    [["roll", "--app", "a", "--machine", "m", "--etcd"], "roll: --etcd needs --wait-ready"],
    [
      ["roll", "--app", "a", "--machine", "m", "--wait-ready", "--cp-app", "c"],
      "roll: --wait-ready needs --bootstrap",
    ],
    [
      [
        "wait-ready",
        "--cp-app",
        "c",
        "--bootstrap",
        "b",
        "--app",
        "a",
        "--machine",
        "m",
        "--timeout",
        "soon",
      ],
      '--timeout must be a whole number of seconds (got "soon")',
    ],
  ])("refuses %j: %s", (argv, message) => {
    expect(() => parseFlyMachinesArgs(argv)).toThrow(message);
  });

  it("prints every command with its options in the usage", () => {
    const usage = flyMachinesUsage();
    for (const [command, spec] of Object.entries(FLY_MACHINES_COMMANDS)) {
      const line = usage.split("\n").find((l) => l.startsWith(`  ${command} `)) ?? "";
      for (const o of spec.required) expect(line).toContain(` --${o}`);
      for (const o of spec.optional) expect(line).toContain(`[--${o}`);
    }
  });
});
