import { NODE_STOP_CONFIG } from "../../contract/machine-config";
import {
  cordonArgv,
  deleteNodeArgv,
  drainArgv,
  drainFailure,
  drainNode,
  drainOutcome,
  podsBlockedByBudget,
  uncordonArgv,
} from "../../ops/drain";
import { rollNode } from "../../ops/roll";
import { ExecAnswer, FakeMachine, fakeFly, node } from "./fake-fly";

// kubectl's own words (kubernetes/kubectl pkg/drain/drain.go `evictPods`, filters.go).
const PDB_LINE =
  `error when evicting pods/"web-7d9f" -n "shop" (will retry after 5s): ` +
  `Cannot evict pod as it would violate the pod's disruption budget.`;
const TIMEOUT_LINE = `error when evicting pods/"web-7d9f" -n "shop": global timeout reached: 20s`;
const BARE_POD =
  `error: unable to drain node "n1" due to error: cannot delete Pods that declare no ` +
  `controller (use --force to override): default/debug, continuing command...`;

describe("kubectl argv", () => {
  it("cordons, uncordons and deletes by node name, through k3s kubectl", () => {
    expect(cordonArgv("n1")).toEqual(["k3s", "kubectl", "cordon", "n1"]);
    expect(uncordonArgv("n1")).toEqual(["k3s", "kubectl", "uncordon", "n1"]);
    expect(deleteNodeArgv("n1")).toEqual([
      "k3s",
      "kubectl",
      "delete",
      "node",
      "n1",
      "--ignore-not-found",
    ]);
  });

  it("drains with the Eviction API (no --disable-eviction, no --force) and a per-call timeout", () => {
    expect(drainArgv("n1", { timeoutSec: 20, nodeReady: true })).toEqual([
      "k3s",
      "kubectl",
      "drain",
      "n1",
      "--ignore-daemonsets",
      "--delete-emptydir-data",
      "--timeout=20s",
    ]);
    expect(drainArgv("n1", { timeoutSec: 7, nodeReady: false }).slice(-2)).toEqual([
      "--timeout=7s",
      "--skip-wait-for-delete-timeout=5",
    ]);
  });
});

describe("drainOutcome", () => {
  const said = (exitCode: number, stderr = "", stdout = "") =>
    drainOutcome({ answered: true, exitCode, stdout, stderr });

  it.each<[string, ReturnType<typeof drainOutcome>["kind"], ReturnType<typeof said>]>([
    ["exit 0", "drained", said(0, "", "node/n1 drained\n")],
    ["no such node", "gone", said(1, `Error from server (NotFound): nodes "n1" not found`)],
    ["pods no controller manages", "refused", said(1, BARE_POD)],
    ["a budget, then the timeout", "again", said(1, `${PDB_LINE}\n${TIMEOUT_LINE}\n`)],
    ["exec failed", "again", drainOutcome({ answered: false, why: "HTTP 408" })],
  ])("%s: %s", (_what, kind, outcome) => {
    expect(outcome.kind).toBe(kind);
  });

  it("names the pods a PodDisruptionBudget kept, once each", () => {
    expect(podsBlockedByBudget(`${PDB_LINE}\n${PDB_LINE}\n${TIMEOUT_LINE}`)).toEqual([
      "shop/web-7d9f",
    ]);
  });

  it("says what to do when a budget blocks, and when kubectl refuses", () => {
    const blocked = drainFailure("n1", said(1, `${PDB_LINE}\n${TIMEOUT_LINE}`), 600);
    expect(blocked).toMatch(/^node n1 was not drained in 600s \(last answer: .*global timeout/);
    expect(blocked).toContain("PodDisruptionBudgets refused to evict shop/web-7d9f");
    expect(blocked).toContain("k3s kubectl get pdb -A");
    const refused = drainFailure("n1", said(1, BARE_POD), 600);
    expect(refused).toMatch(/^kubectl refused to drain node n1: .*declare no controller/);
    expect(refused).toContain("k3s kubectl delete pod -n NAMESPACE NAME");
  });
});

const CP: FakeMachine = { id: "c0", name: "ctrl-0", app: "prod-cp", ip: "fdaa::2" };
const server = { app: "prod-cp", machine: { ...CP, state: "started", private_ip: CP.ip } } as never;

describe("drainNode", () => {
  it("calls kubectl drain again until it succeeds (each call within Fly's exec limit)", async () => {
    let calls = 0;
    const fly = fakeFly([CP], (_m, argv) =>
      argv.startsWith("k3s kubectl drain n1")
        ? ++calls < 3
          ? { exit_code: 1, stderr: `${PDB_LINE}\n${TIMEOUT_LINE}` }
          : { exit_code: 0 }
        : undefined,
    );
    const lines: string[] = [];
    const ok = await drainNode(
      fly.api,
      server,
      "n1",
      { timeoutSec: 600, nodeReady: true },
      (l) => lines.push(l),
      Date.now,
      async () => {},
    );
    expect(ok).toBe(true);
    expect(fly.execs()).toEqual(
      Array(3).fill(
        "ctrl-0 k3s kubectl drain n1 --ignore-daemonsets --delete-emptydir-data --timeout=20s",
      ),
    );
    expect(lines[0]).toMatch(/^node n1: not drained yet \(call 1: .*\); draining again$/);
    expect(lines.at(-1)).toBe("node n1: drained");
  });

  it("gives up at its deadline, naming the pods a budget kept", async () => {
    let t = 0;
    const fly = fakeFly([CP], () => {
      t += 20_000;
      return { exit_code: 1, stderr: `${PDB_LINE}\n${TIMEOUT_LINE}` };
    });
    const err = await drainNode(
      fly.api,
      server,
      "n1",
      { timeoutSec: 50, nodeReady: true },
      () => {},
      () => t,
      async () => {},
    ).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^node n1 was not drained in 50s/);
    expect((err as Error).message).toContain("refused to evict shop/web-7d9f");
    // 20 s, 20 s, then the last 10 s left.
    expect(fly.execs().map((c) => /--timeout=(\d+)s/.exec(c)?.[1])).toEqual(["20", "20", "10"]);
  });

  it("stops at once when kubectl refuses, and answers false for a node that is gone", async () => {
    const refuse = fakeFly([CP], () => ({ exit_code: 1, stderr: BARE_POD }));
    const opts = { timeoutSec: 600, nodeReady: true };
    await expect(drainNode(refuse.api, server, "n1", opts, () => {})).rejects.toThrow(
      /kubectl refused to drain node n1/,
    );
    expect(refuse.execs()).toHaveLength(1);
    const gone = fakeFly([CP], () => ({ exit_code: 1, stderr: `nodes "n1" not found` }));
    await expect(drainNode(gone.api, server, "n1", opts, () => {})).resolves.toBe(false);
  });
});

describe("rollNode of an agent", () => {
  const W: FakeMachine = { id: "w1", name: "worker-ng-0-0", app: "prod-ng-0", ip: "fdaa::9" };
  const NODE = "w1.vm.prod-ng-0.internal";
  const desired = { image: "img:2", stop_config: NODE_STOP_CONFIG };
  const readiness = { cpApp: "prod-cp", bootstrap: "ctrl-0", etcd: false, timeoutSec: 1 };

  /** The agent's node: Ready in boot b1 before the restart and in boot b2 after it. */
  function fly(
    opts: { drain?: () => ExecAnswer; config?: Record<string, unknown>; state?: string } = {},
  ) {
    const w = { ...W, config: opts.config ?? { image: "img:1" }, state: opts.state };
    return fakeFly([CP, w], (_m, argv) => {
      const booted = w.config.image === "img:2" ? "b2" : "b1";
      if (argv === "k3s kubectl get nodes -o json") {
        return {
          exit_code: 0,
          stdout: JSON.stringify({ items: [node(NODE, W.ip, "True", booted)] }),
        };
      }
      if (argv === "cat /proc/sys/kernel/random/boot_id") return { exit_code: 0, stdout: "b2\n" };
      if (argv.startsWith("k3s kubectl drain")) return opts.drain?.() ?? { exit_code: 0 };
      if (/^k3s kubectl (un)?cordon /.test(argv)) return { exit_code: 0 };
      return undefined;
    });
  }
  const roll = (f: ReturnType<typeof fly>, lines: string[] = []) =>
    rollNode(f.api, "prod-ng-0", "worker-ng-0-0", desired, (l) => lines.push(l), readiness);

  it("cordons and drains a Ready agent before its restart, and uncordons it once Ready again", async () => {
    const f = fly();
    const lines: string[] = [];
    await expect(roll(f, lines)).resolves.toBe("updated");
    const restart = f.calls.indexOf("POST prod-ng-0/worker-ng-0-0");
    const drainAt = f.calls.findIndex((c) => c.includes("kubectl drain"));
    const uncordonAt = f.calls.findIndex((c) => c.includes("kubectl uncordon"));
    expect(drainAt).toBeGreaterThan(-1);
    expect(drainAt).toBeLessThan(restart);
    expect(uncordonAt).toBeGreaterThan(restart);
    expect(f.execs()).toEqual([
      "ctrl-0 k3s kubectl get nodes -o json",
      `ctrl-0 k3s kubectl cordon ${NODE}`,
      `ctrl-0 k3s kubectl drain ${NODE} --ignore-daemonsets --delete-emptydir-data --timeout=1s`,
      "worker-ng-0-0 cat /proc/sys/kernel/random/boot_id",
      "ctrl-0 k3s kubectl get nodes -o json",
      `ctrl-0 k3s kubectl uncordon ${NODE}`,
    ]);
    expect(lines).toContain(`node ${NODE}: uncordoned`);
  });

  it("does not restart an agent whose drain does not finish, and uncordons it again", async () => {
    const f = fly({ drain: () => ({ exit_code: 1, stderr: `${PDB_LINE}\n${TIMEOUT_LINE}` }) });
    const err = (await roll(f).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^roll stopped at prod-ng-0\/worker-ng-0-0 before its restart: node .* was not drained in 1s/,
    );
    expect(err.message).toContain("k3s kubectl get pdb -A");
    expect(err.message).toContain(`The machine was not restarted and node ${NODE} was uncordoned`);
    expect(f.calls).not.toContain("POST prod-ng-0/worker-ng-0-0");
    expect(f.execs().at(-1)).toBe(`ctrl-0 k3s kubectl uncordon ${NODE}`);
  });

  it("does not drain when nothing changed, or when a stopped agent is only started", async () => {
    const same = fly({ config: desired });
    await expect(roll(same)).resolves.toBe("unchanged");
    expect(same.execs().some((c) => c.includes("drain"))).toBe(false);
    const stopped = fly({ config: desired, state: "stopped" });
    await expect(roll(stopped)).resolves.toBe("started");
    expect(stopped.execs().some((c) => / (drain|cordon|uncordon) /.test(c))).toBe(false);
  });
});
