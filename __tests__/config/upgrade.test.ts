import { RunningNode, UpgradeCheck, upgradeLines, upgradeProblems } from "../../config/upgrade";

const CP = "prod-cp";
const NG0 = "prod-ng-0";

const server = (i: number, version: string, bootstrap = i === 0): RunningNode => ({
  machine: `ctrl-${i}`,
  app: CP,
  version,
  role: "server",
  bootstrap,
});
const worker = (i: number, version: string, group = "0"): RunningNode => ({
  machine: `worker-ng-${group}-${i}`,
  app: `prod-ng-${group}`,
  version,
  role: "agent",
  bootstrap: false,
});
/** Three servers and two workers of ng-0, all on `version`. */
const cluster = (version: string): RunningNode[] => [
  server(0, version),
  server(1, version),
  server(2, version),
  worker(0, version),
  worker(1, version),
];

/** The roll order as machine names, servers then workers, or undefined when nothing rolls. */
const order = (c: UpgradeCheck): string[] | undefined =>
  c.upgrade && [
    ...c.upgrade.servers.map((n) => n.machine),
    ...c.upgrade.workers.flatMap((g) => g.nodes.map((n) => n.machine)),
  ];

describe("upgradeProblems: K3S_VERSION against what runs (Kubernetes version skew policy)", () => {
  const ALL = ["ctrl-0", "ctrl-1", "ctrl-2", "worker-ng-0-0", "worker-ng-0-1"];
  it.each<[string, string, RunningNode[], string[] | undefined]>([
    ["no machines yet (new cluster)", "v1.36.3+k3s1", [], undefined],
    ["same version", "v1.36.3+k3s1", cluster("v1.36.3+k3s1"), undefined],
    ["patch upgrade", "v1.36.3+k3s1", cluster("v1.36.1+k3s1"), ALL],
    ["k3s build upgrade", "v1.36.3+k3s2", cluster("v1.36.3+k3s1"), ALL],
    ["minor + 1", "v1.36.3+k3s1", cluster("v1.35.2+k3s1"), ALL],
    ["minor + 1, from an older patch", "v1.36.0+k3s1", cluster("v1.35.9+k3s3"), ALL],
  ])("%s: allowed, roll order servers then workers", (_, configured, running, expected) => {
    const c = upgradeProblems(configured, running);
    expect(c.problems).toEqual([]);
    expect(c.notes).toEqual([]);
    expect(order(c)).toEqual(expected);
  });

  it("minor + 1 is a minor upgrade, a patch upgrade is not", () => {
    expect(upgradeProblems("v1.36.3+k3s1", cluster("v1.35.2+k3s1")).upgrade?.minor).toBe(true);
    expect(upgradeProblems("v1.36.3+k3s1", cluster("v1.36.2+k3s1")).upgrade?.minor).toBe(false);
  });

  it("rolls the bootstrap server first, then the others by index, then each group's workers by index", () => {
    const v = "v1.35.2+k3s1";
    const running = [
      worker(10, v, "1"),
      worker(2, v),
      server(2, v),
      worker(10, v),
      server(0, v, false),
      server(1, v, true),
      worker(1, v, "1"),
    ];
    const c = upgradeProblems("v1.36.3+k3s1", running);
    expect(c.upgrade?.servers.map((n) => n.machine)).toEqual(["ctrl-1", "ctrl-0", "ctrl-2"]);
    expect(c.upgrade?.workers.map((g) => [g.app, g.nodes.map((n) => n.machine)])).toEqual([
      [NG0, ["worker-ng-0-2", "worker-ng-0-10"]],
      ["prod-ng-1", ["worker-ng-1-1", "worker-ng-1-10"]],
    ]);
  });

  it("minor + 2: refused, naming the minor to deploy first", () => {
    expect(upgradeProblems("v1.36.3+k3s1", cluster("v1.34.5+k3s1"))).toEqual({
      problems: [
        "v1.36.3+k3s1 skips Kubernetes 1.35: ctrl-0, ctrl-1, ctrl-2, worker-ng-0-0, worker-ng-0-1 run v1.34, " +
          "and Kubernetes upgrades one minor version at a time (version skew policy: kube-apiserver " +
          'must not skip minor versions); deploy a v1.35 release first (e.g. K3S_VERSION="v1.35.0+k3s1"), ' +
          "then v1.36.3+k3s1",
      ],
      notes: [],
    });
  });

  it("minor + 2 to the project's release names the intermediate minor's .0 release", () => {
    const c = upgradeProblems("v1.37.0+k3s1", cluster("v1.35.2+k3s1"));
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toContain(
      "skips Kubernetes 1.36: ctrl-0, ctrl-1, ctrl-2, worker-ng-0-0, worker-ng-0-1 run v1.35",
    );
    // The intermediate minor is the project's own: its release is named.
    expect(c.problems[0]).toContain('(e.g. K3S_VERSION="v1.36.3+k3s1")');
  });

  it.each([
    ["lower minor", "v1.35.2+k3s1", "v1.36.3+k3s1"],
    ["same minor, lower patch", "v1.36.2+k3s1", "v1.36.3+k3s1"],
    ["same patch, lower k3s build", "v1.36.3+k3s1", "v1.36.3+k3s2"],
  ])("downgrade (%s): refused", (_, configured, runs) => {
    expect(upgradeProblems(configured, cluster(runs))).toEqual({
      problems: [
        `${configured} is older than ${runs}, which ctrl-0, ctrl-1, ctrl-2, worker-ng-0-0, worker-ng-0-1 run: ` +
          "Kubernetes has no downgrade path (its version skew policy gives an upgrade order only), " +
          `so the deploy does not roll machines back; set K3S_VERSION="${runs}" or a newer release ` +
          "(going back means restoring an etcd snapshot taken before the upgrade, by hand)",
      ],
      notes: [],
    });
  });

  it("downgrade below one machine only names that machine", () => {
    const running = [...cluster("v1.36.2+k3s1").slice(1), server(0, "v1.36.3+k3s1")];
    const c = upgradeProblems("v1.36.2+k3s1", running);
    expect(c.problems).toHaveLength(1);
    expect(c.problems[0]).toMatch(
      /^v1\.36\.2\+k3s1 is older than v1\.36\.3\+k3s1, which ctrl-0 runs:/,
    );
  });

  describe("mixed minors (an upgrade stopped half-way)", () => {
    const halfWay = [
      server(0, "v1.36.3+k3s1"),
      server(1, "v1.35.2+k3s1"),
      server(2, "v1.35.2+k3s1"),
      worker(0, "v1.35.2+k3s1"),
    ];

    it("continuing to the newer minor: allowed, says who runs what, rolls only the rest", () => {
      const c = upgradeProblems("v1.36.3+k3s1", halfWay);
      expect(c.problems).toEqual([]);
      expect(c.notes).toEqual([
        "an earlier upgrade stopped half-way: ctrl-0 runs v1.36.3+k3s1; ctrl-1, ctrl-2, worker-ng-0-0 " +
          "run v1.35.2+k3s1; this deploy continues it to v1.36.3+k3s1 (Kubernetes 1.36), one minor version only",
      ]);
      expect(order(c)).toEqual(["ctrl-1", "ctrl-2", "worker-ng-0-0"]);
    });

    it("going on to the minor after: refused, naming the release some machines already run", () => {
      const c = upgradeProblems("v1.37.1+k3s1", halfWay);
      expect(c.problems).toEqual([
        "v1.37.1+k3s1 skips Kubernetes 1.36: ctrl-1, ctrl-2, worker-ng-0-0 run v1.35 (an upgrade stopped " +
          "half-way: ctrl-0 runs v1.36.3+k3s1; ctrl-1, ctrl-2, worker-ng-0-0 run v1.35.2+k3s1), and " +
          "Kubernetes upgrades one minor version at a time (version skew policy: kube-apiserver must not " +
          'skip minor versions); finish the upgrade to v1.36 first: set K3S_VERSION="v1.36.3+k3s1" and ' +
          "deploy, then v1.37.1+k3s1",
      ]);
      expect(c.upgrade).toBeUndefined();
    });

    it("back to the older minor: refused as a downgrade", () => {
      const c = upgradeProblems("v1.35.2+k3s1", halfWay);
      expect(c.problems).toHaveLength(1);
      expect(c.problems[0]).toMatch(
        /^v1\.35\.2\+k3s1 is older than v1\.36\.3\+k3s1, which ctrl-0 runs/,
      );
    });

    it("a worker already newer than a server: said, the upgrade continues", () => {
      const running = [
        server(0, "v1.35.2+k3s1"),
        server(1, "v1.35.2+k3s1"),
        server(2, "v1.35.2+k3s1"),
        worker(0, "v1.36.3+k3s1"),
      ];
      const c = upgradeProblems("v1.36.3+k3s1", running);
      expect(c.problems).toEqual([]);
      expect(c.notes[0]).toMatch(
        /\. worker-ng-0-0 already runs a kubelet newer than a server's API server, outside the version skew policy until the servers are upgraded$/,
      );
      expect(order(c)).toEqual(["ctrl-0", "ctrl-1", "ctrl-2"]);
    });

    it("more than one minor apart: refused, no K3S_VERSION steps through", () => {
      const c = upgradeProblems("v1.36.3+k3s1", [
        server(0, "v1.36.3+k3s1"),
        worker(0, "v1.34.1+k3s1"),
      ]);
      expect(c.problems).toEqual([
        "the machines run Kubernetes versions more than one minor apart (ctrl-0 runs v1.36.3+k3s1; " +
          "worker-ng-0-0 runs v1.34.1+k3s1), outside Kubernetes' version skew policy, and no single " +
          "K3S_VERSION steps them through: bring the machines on v1.34 to v1.35 by hand first",
      ]);
    });
  });

  it("a machine whose K3S_VERSION is not a release is noted and left out", () => {
    const c = upgradeProblems("v1.36.3+k3s1", [server(0, "v1.36.3+k3s1"), server(1, "latest")]);
    expect(c.problems).toEqual([]);
    expect(c.notes).toEqual([
      'prod-cp/ctrl-1 runs K3S_VERSION "latest", not a k3s release; it is not checked',
    ]);
    expect(c.upgrade).toBeUndefined();
  });
});

describe("upgradeLines: the order --plan shows", () => {
  it("minor upgrade: snapshot, servers one at a time, then workers drained", () => {
    const c = upgradeProblems("v1.36.3+k3s1", cluster("v1.35.2+k3s1"));
    expect(upgradeLines(c.upgrade!)).toEqual([
      "upgrade v1.35.2+k3s1 → v1.36.3+k3s1 (Kubernetes 1.35 → 1.36), in this order:",
      "  1. a fresh etcd snapshot, pre-upgrade-<version>, taken on the bootstrap server by the deploy; no machine rolls without it",
      "  2. servers, one at a time, each Ready with etcd healthy before the next: ctrl-0 (bootstrap), ctrl-1, ctrl-2",
      "  3. workers of prod-ng-0, a quarter of the group at a time (at least one), each Ready before the next in its lane: " +
        "worker-ng-0-0, worker-ng-0-1; each one cordoned and drained before its restart, uncordoned once Ready",
    ]);
  });

  it("patch upgrade of servers only: no drain, no worker line", () => {
    const c = upgradeProblems("v1.36.3+k3s1", [
      server(0, "v1.36.1+k3s1"),
      server(1, "v1.36.2+k3s1"),
    ]);
    expect(upgradeLines(c.upgrade!)).toEqual([
      "upgrade v1.36.1+k3s1, v1.36.2+k3s1 → v1.36.3+k3s1 (patch release), in this order:",
      "  1. a fresh etcd snapshot, pre-upgrade-<version>, taken on the bootstrap server by the deploy; no machine rolls without it",
      "  2. servers, one at a time, each Ready with etcd healthy before the next: ctrl-0 (bootstrap), ctrl-1",
    ]);
  });
});
