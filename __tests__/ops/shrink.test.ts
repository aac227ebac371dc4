import { withoutNodeGroup } from "../../cli/node-groups";
import { ShowState } from "../../contract/tofu-state";
import { Declared } from "../../ops/declared";
import { TofuResult, deploy } from "../../ops/deploy";
import {
  countsLine,
  groupResourceCount,
  groupResources,
  unknownGroup,
} from "../../ops/remove-group";
import { drainGoingWorkers } from "../../ops/shrink";
import { goingNode, goingWorkers, stateServers, workerOf } from "../../ops/shrink-plan";
import { FakeMachine, fakeFly, node } from "./fake-fly";

const K3S_IMAGE = "registry.fly.io/prod-images:v1";
const TEST_IMAGE = "localhost/fly-emulator-test:latest";

function machine(
  address: string,
  id: string,
  name: string,
  app: string,
  ip: string,
  over: Record<string, unknown> = {},
) {
  return {
    address: `fly_machine.${address}`,
    type: "fly_machine",
    values: {
      id,
      name,
      app,
      private_ip: ip,
      state: "started",
      image: K3S_IMAGE,
      env: { K3S_ROLE: "agent" },
      ...over,
    },
  };
}
const server = (i: number, bootstrap = false) =>
  machine(`cp_ctrl-${i}`, `c${i}`, `ctrl-${i}`, "prod-cp", `fdaa::${i + 1}`, {
    env: { K3S_ROLE: "server", K3S_BOOTSTRAP: String(bootstrap) },
  });
const worker = (i: number, over: Record<string, unknown> = {}) =>
  machine(`ng-0_worker-${i}`, `w${i}`, `worker-ng-0-${i}`, "prod-ng-0", `fdaa::1${i}`, over);
const state = (...resources: unknown[]): ShowState =>
  ({ values: { root_module: { resources } } }) as ShowState;
/** The stack declares the servers and workers 0..size-1 of group 0. */
const declared = (size: number): Declared => ({
  apps: [],
  volumes: [],
  machines: [
    ...[0, 1, 2].map((i) => ({
      address: `fly_machine.cp_ctrl-${i}`,
      app: "prod-cp",
      name: `ctrl-${i}`,
      unreadable: {},
    })),
    ...Array.from({ length: size }, (_, i) => ({
      address: `fly_machine.ng-0_worker-${i}`,
      app: "prod-ng-0",
      name: `worker-ng-0-${i}`,
      unreadable: {},
    })),
  ],
});
const FULL = state(
  server(1),
  server(0, true),
  server(2),
  worker(0),
  worker(1),
  worker(2),
  worker(3),
);

describe("the shrink plan", () => {
  it("reads worker names, and only those made by config/naming", () => {
    expect(workerOf("worker-ng-0-12")).toEqual({ group: "0", index: 12 });
    expect(workerOf("worker-ng-0-012")).toBeUndefined();
    expect(workerOf("ctrl-0")).toBeUndefined();
  });

  it("finds the workers no longer declared, highest index first", () => {
    expect(goingWorkers(FULL, declared(4))).toEqual([]);
    const going = goingWorkers(FULL, declared(1));
    expect(going.map((w) => w.name)).toEqual(["worker-ng-0-3", "worker-ng-0-2", "worker-ng-0-1"]);
    expect(going[0]).toMatchObject({
      address: "fly_machine.ng-0_worker-3",
      app: "prod-ng-0",
      id: "w3",
      group: "0",
      index: 3,
      privateIp: "fdaa::13",
      runsK3s: true,
    });
  });

  it("leaves out servers and machines Fly destroyed, and tells the test image", () => {
    const s = state(
      server(0, true),
      worker(0, { state: "destroyed" }),
      worker(1, { image: TEST_IMAGE }),
    );
    const noServers: Declared = { apps: [], volumes: [], machines: [] };
    expect(goingWorkers(s, noServers).map((w) => [w.name, w.runsK3s])).toEqual([
      ["worker-ng-0-1", false],
    ]);
  });

  it("asks the bootstrap server first", () => {
    expect(stateServers(FULL).map((s) => s.name)).toEqual(["ctrl-0", "ctrl-1", "ctrl-2"]);
  });

  it("finds a worker's node by 6PN address, else by its machine's name", () => {
    const [w3] = goingWorkers(FULL, declared(1));
    const byIp = { items: [node("n3", "fdaa::13", "False")] };
    expect(goingNode(byIp, w3)).toEqual({ name: "n3", ready: false });
    const byName = { items: [node("w3.vm.prod-ng-0.internal", "fdaa::99")] };
    expect(goingNode(byName, w3)).toEqual({ name: "w3.vm.prod-ng-0.internal", ready: true });
    expect(goingNode({ items: [] }, w3)).toBeUndefined();
  });
});

const CP = [0, 1, 2].map((i): FakeMachine => ({
  id: `c${i}`,
  name: `ctrl-${i}`,
  app: "prod-cp",
  ip: `fdaa::${i + 1}`,
}));
const NODES = [1, 2, 3].map((i) => node(`n${i}`, `fdaa::1${i}`, i === 2 ? "Unknown" : "True"));

function cluster(
  drain: (argv: string) => { exit_code: number; stderr?: string } = () => ({ exit_code: 0 }),
) {
  return fakeFly(CP, (_m, argv) => {
    if (argv === "k3s kubectl get nodes -o json") {
      return { exit_code: 0, stdout: JSON.stringify({ items: NODES }) };
    }
    if (argv.startsWith("k3s kubectl drain")) return drain(argv);
    if (/^k3s kubectl (cordon|delete node) /.test(argv)) return { exit_code: 0 };
    return undefined;
  });
}

describe("drainGoingWorkers", () => {
  it("cordons every worker that goes, drains them highest first, then deletes their nodes", async () => {
    const fly = cluster();
    const lines: string[] = [];
    await drainGoingWorkers(fly.api, FULL, declared(1), (l) => lines.push(l));
    expect(fly.execs()).toEqual([
      "ctrl-0 k3s kubectl get nodes -o json",
      "ctrl-0 k3s kubectl cordon n3",
      "ctrl-0 k3s kubectl cordon n2",
      "ctrl-0 k3s kubectl cordon n1",
      "ctrl-0 k3s kubectl drain n3 --ignore-daemonsets --delete-emptydir-data --timeout=20s",
      // n2 is not Ready: its kubelet cannot confirm that a pod ended.
      "ctrl-0 k3s kubectl drain n2 --ignore-daemonsets --delete-emptydir-data --timeout=20s --skip-wait-for-delete-timeout=5",
      "ctrl-0 k3s kubectl drain n1 --ignore-daemonsets --delete-emptydir-data --timeout=20s",
      "ctrl-0 k3s kubectl delete node n3 --ignore-not-found",
      "ctrl-0 k3s kubectl delete node n2 --ignore-not-found",
      "ctrl-0 k3s kubectl delete node n1 --ignore-not-found",
    ]);
    expect(lines[0]).toBe(
      "machine worker-ng-0-3 of prod-ng-0 is no longer declared (NODE_GROUP_SIZE lowered, or node group 0 removed): the apply destroys it and its volume",
    );
  });

  it("asks the next server when the bootstrap server is stopped", async () => {
    const fly = cluster();
    CP[0].state = "stopped";
    try {
      await drainGoingWorkers(fly.api, FULL, declared(3), () => {});
    } finally {
      CP[0].state = undefined;
    }
    expect(fly.execs()[0]).toBe("ctrl-1 k3s kubectl get nodes -o json");
  });

  it("runs nothing with the test image, and says there is no node to drain", async () => {
    const fly = cluster();
    const lines: string[] = [];
    const s = state(
      server(0, true),
      worker(0, { image: TEST_IMAGE }),
      worker(1, { image: TEST_IMAGE }),
    );
    await drainGoingWorkers(fly.api, s, declared(0), (l) => lines.push(l));
    expect(fly.execs()).toEqual([]);
    expect(lines).toContain(
      `machine worker-ng-0-1: its image ${TEST_IMAGE} runs no k3s, so there is no node to drain`,
    );
  });

  it("refuses, destroying nothing, when a drain does not finish (the nodes stay cordoned)", async () => {
    const fly = cluster((argv) =>
      argv.includes(" n3 ")
        ? {
            exit_code: 1,
            stderr:
              'error: unable to drain node "n3" due to error: cannot delete Pods that declare no controller (use --force to override): default/debug',
          }
        : { exit_code: 0 },
    );
    const err = (await drainGoingWorkers(fly.api, FULL, declared(1), () => {}).catch(
      (e: Error) => e,
    )) as Error;
    expect(err.message).toMatch(/^not applying: kubectl refused to drain node n3: /);
    expect(err.message).toContain("Nothing was destroyed; the nodes that go stay cordoned");
    expect(err.message).toContain("k3s kubectl uncordon n3; k3s kubectl uncordon n2");
    expect(fly.execs().some((c) => c.includes("delete node"))).toBe(false);
  });
});

describe("the deploy drains the workers that go before its apply", () => {
  const ok = (stdout = ""): TofuResult => ({ status: 0, stdout, stderr: "" });

  it.each([
    ["drains, then applies", 0],
    ["stops before the apply when a drain fails", 1],
  ])("%s", async (_what, drainExit) => {
    // One list of what happened, tofu runs and execs alike.
    const events: string[] = [];
    // kubectl refuses: the drain stops at once (a timeout would take DEFAULT_TIMEOUT_SEC).
    const fly = cluster((argv) => {
      events.push(argv);
      return { exit_code: drainExit, stderr: `cannot delete Pods ...` };
    });
    const run = async (args: string[]) => {
      events.push(`tofu ${args.join(" ")}`);
      if (args[0] !== "show") return ok();
      // `show -json` of the state, or of a saved plan (its prior_state: the refreshed state;
      // a plan that changes nothing is not applied, so this one destroys something).
      const destroys = [
        { address: "fly_machine.going", type: "fly_machine", change: { actions: ["delete"] } },
      ];
      return ok(
        JSON.stringify(args.length > 2 ? { prior_state: FULL, resource_changes: destroys } : FULL),
      );
    };
    const lines: string[] = [];
    const r = await deploy(run, {
      log: (l) => lines.push(l),
      adopt: { api: fly.api, declared: declared(3) },
      rounds: 1,
    });
    const drainAt = events.findIndex((e) => e.startsWith("k3s kubectl drain n3"));
    const applyAt = events.findIndex((e) => /^tofu apply (?!-refresh-only)/.test(e));
    expect(drainAt).toBeGreaterThan(-1);
    if (drainExit === 0) {
      expect(r.status).toBe(0);
      expect(applyAt).toBeGreaterThan(drainAt);
      expect(lines.indexOf("node n3 deleted")).toBeLessThan(lines.indexOf("applying"));
    } else {
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^not applying: kubectl refused to drain node n3/);
      expect(lines).toContain(r.stderr);
      expect(applyAt).toBe(-1);
    }
  });
});

describe("-r's words and the node-groups file", () => {
  const s = state(
    { address: "fly_app.ng-0_app", type: "fly_app", values: { name: "prod-ng-0" } },
    { address: "fly_app.cp_app", type: "fly_app", values: { name: "prod-cp" } },
    worker(0),
    worker(1),
    {
      address: "fly_volume.ng-0_worker-0_volume",
      type: "fly_volume",
      values: { app: "prod-ng-0" },
    },
    server(0, true),
  );

  it("counts a group's apps, machines and volumes in the state", () => {
    const r = groupResources(s, "prod-ng-0");
    expect(countsLine(r)).toBe("1 apps, 2 machines, 1 volumes");
    expect(groupResourceCount(groupResources(s, "prod-ng-1"))).toBe(0);
    expect(groupResourceCount(groupResources(undefined, "prod-ng-0"))).toBe(0);
  });

  it("refuses an unknown group with the recorded ones", () => {
    expect(unknownGroup("7", ["0", "gpu"], "clusters/prod/node-groups")).toMatch(
      /^node group 7 is not recorded in clusters\/prod\/node-groups \(recorded: 0, gpu\); nothing was done/,
    );
    expect(unknownGroup("7", [], "f")).toContain("(recorded: none)");
  });

  it("drops only the group's line, keeping comments and the other groups", () => {
    const text = "# workers\n0  # general\ngpu\n";
    expect(withoutNodeGroup(text, "0")).toBe("# workers\ngpu\n");
    expect(withoutNodeGroup(text, "gpu")).toBe("# workers\n0  # general\n");
    expect(withoutNodeGroup(text, "7")).toBe(text);
  });
});
