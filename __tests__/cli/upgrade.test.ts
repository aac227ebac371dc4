import { upgradeReport } from "../../cli/upgrade";
import { ShowState, StateResource, runningNodes } from "../../contract/tofu-state";

const FILE = "clusters/prod/config";
const TEXT = [
  "# prod",
  'CLUSTER_NAME="prod"',
  'REGION="sjc"',
  'K3S_VERSION="v1.36.3+k3s1"',
  "",
].join("\n");

const machine = (
  id: string,
  name: string,
  app: string,
  env: Record<string, string> | null,
  state = "started",
): StateResource => ({
  address: `fly_machine.${name.replace(/-/g, "_")}`,
  type: "fly_machine",
  values: { id, name, app, env, state },
});
const rollStep = (machineId: string, version: string): StateResource => ({
  address: `null_resource.roll_${machineId}`,
  type: "null_resource",
  values: {
    triggers: { machine_id: machineId, config: JSON.stringify({ env: { K3S_VERSION: version } }) },
  },
});
const serverEnv = (version: string, bootstrap = false) => ({
  K3S_ROLE: "server",
  K3S_BOOTSTRAP: String(bootstrap),
  K3S_VERSION: version,
});
const agentEnv = (version: string) => ({ K3S_ROLE: "agent", K3S_VERSION: version });
const show = (...resources: StateResource[]): ShowState => ({
  values: { root_module: { resources } },
});

/** A cluster last rolled to `version`: three servers (ctrl-1 the bootstrap) and two workers. */
const state = (version: string): ShowState =>
  show(
    machine("m0", "ctrl-0", "prod-cp", serverEnv(version)),
    machine("m1", "ctrl-1", "prod-cp", serverEnv(version, true)),
    machine("m2", "ctrl-2", "prod-cp", serverEnv(version)),
    machine("w0", "worker-ng-0-0", "prod-ng-0", agentEnv(version)),
    machine("w1", "worker-ng-0-1", "prod-ng-0", agentEnv(version)),
    rollStep("m0", version),
  );

describe("runningNodes: the versions a tofu show -json records", () => {
  it("reads each machine's env: name, app, version, role, bootstrap", () => {
    expect(runningNodes(state("v1.35.2+k3s1")).slice(0, 2)).toEqual([
      {
        machine: "ctrl-0",
        app: "prod-cp",
        version: "v1.35.2+k3s1",
        role: "server",
        bootstrap: false,
      },
      {
        machine: "ctrl-1",
        app: "prod-cp",
        version: "v1.35.2+k3s1",
        role: "server",
        bootstrap: true,
      },
    ]);
  });

  it("no state (a new cluster): no nodes", () => {
    expect(runningNodes(undefined)).toEqual([]);
    expect(runningNodes({})).toEqual([]);
  });

  it("falls back to the roll step's config when the machine's env is missing", () => {
    expect(
      runningNodes(show(machine("m0", "ctrl-0", "prod-cp", null), rollStep("m0", "v1.35.2+k3s1"))),
    ).toEqual([
      {
        machine: "ctrl-0",
        app: "prod-cp",
        version: "v1.35.2+k3s1",
        role: "agent",
        bootstrap: false,
      },
    ]);
  });

  it("leaves out machines Fly reports destroyed (the deploy replaces them)", () => {
    const s = show(
      machine("m0", "ctrl-0", "prod-cp", serverEnv("v1.34.1+k3s1"), "destroyed"),
      machine("m1", "ctrl-1", "prod-cp", serverEnv("v1.36.3+k3s1", true)),
    );
    expect(runningNodes(s).map((n) => n.machine)).toEqual(["ctrl-1"]);
  });
});

describe("upgradeReport: K3S_VERSION's line, against the state", () => {
  it("a new cluster: nothing to say", () => {
    expect(upgradeReport(FILE, TEXT, "v1.36.3+k3s1", show())).toEqual({ errors: [], lines: [] });
  });

  it("an allowed minor upgrade: the order, bootstrap server first", () => {
    expect(upgradeReport(FILE, TEXT, "v1.36.3+k3s1", state("v1.35.2+k3s1"))).toEqual({
      errors: [],
      lines: [
        "upgrade v1.35.2+k3s1 → v1.36.3+k3s1 (Kubernetes 1.35 → 1.36), in this order:",
        "  1. a fresh etcd snapshot, pre-upgrade-<version>, taken on the bootstrap server by the deploy; no machine rolls without it",
        "  2. servers, one at a time, each Ready with etcd healthy before the next: ctrl-1 (bootstrap), ctrl-0, ctrl-2",
        "  3. workers of prod-ng-0, a quarter of the group at a time (at least one), each Ready before the next in its lane: " +
          "worker-ng-0-0, worker-ng-0-1; each one cordoned and drained before its restart, uncordoned once Ready",
      ],
    });
  });

  it("a skipped minor: refused on K3S_VERSION's line", () => {
    const r = upgradeReport(FILE, TEXT, "v1.36.3+k3s1", state("v1.34.5+k3s1"));
    expect(r.lines).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(
      /^clusters\/prod\/config:4: K3S_VERSION: v1\.36\.3\+k3s1 skips Kubernetes 1\.35: .*deploy a v1\.35 release first \(e\.g\. K3S_VERSION="v1\.35\.0\+k3s1"\), then v1\.36\.3\+k3s1$/,
    );
  });

  it("a downgrade: refused on K3S_VERSION's line", () => {
    const r = upgradeReport(FILE, TEXT, "v1.36.3+k3s1", state("v1.37.0+k3s1"));
    expect(r.errors[0]).toMatch(
      /^clusters\/prod\/config:4: K3S_VERSION: v1\.36\.3\+k3s1 is older than v1\.37\.0\+k3s1, which /,
    );
  });

  it("a half-way upgrade being continued: a warning on K3S_VERSION's line, then the rest of the order", () => {
    const s = show(
      machine("m0", "ctrl-0", "prod-cp", serverEnv("v1.36.3+k3s1", true)),
      machine("m1", "ctrl-1", "prod-cp", serverEnv("v1.35.2+k3s1")),
    );
    const r = upgradeReport(FILE, TEXT, "v1.36.3+k3s1", s);
    expect(r.errors).toEqual([]);
    expect(r.lines[0]).toBe(
      "warning: clusters/prod/config:4: K3S_VERSION: an earlier upgrade stopped half-way: ctrl-0 runs " +
        "v1.36.3+k3s1; ctrl-1 runs v1.35.2+k3s1; this deploy continues it to v1.36.3+k3s1 " +
        "(Kubernetes 1.36), one minor version only",
    );
    expect(r.lines[3]).toBe(
      "  2. servers, one at a time, each Ready with etcd healthy before the next: ctrl-1",
    );
  });
});
