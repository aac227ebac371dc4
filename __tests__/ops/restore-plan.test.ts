import { Machine } from "../../contract/machines-api-types";
import { ETCD_SNAPSHOT_DIR, REJOIN_FILE, RESTORE_FILE } from "../../contract/node-paths";
import { NodeList } from "../../ops/nodes";
import {
  describeSource,
  planLines,
  rejoinText,
  restorePlan,
  restoreSource,
  restoreText,
  snapshotProblem,
  unhealthyReasons,
} from "../../ops/restore-plan";
import { cpNode } from "./node-fixtures";

const NAME = "etcd-snapshot-e2865013a1d386.vm.prod-cp.internal-1767225600";

describe("snapshotProblem", () => {
  it.each([
    [NAME],
    ["on-demand-ctrl-0-1767225600.zip"],
    [`${ETCD_SNAPSHOT_DIR}/${NAME}`],
    ["/data/backup.db"],
  ])("takes %s", (s) => {
    expect(snapshotProblem(s)).toBeUndefined();
  });

  it.each([
    [""],
    ["."],
    [".."],
    ["snapshots/x"],
    ["/data/../etc/shadow"],
    ["/data/./x"],
    ["two words"],
    ["x;rm -rf /"],
    ["/data/"],
  ])("refuses %j, saying what it takes", (s) => {
    expect(snapshotProblem(s)).toBe(
      `--restore ${JSON.stringify(s)}: give a snapshot name as k3s lists it ` +
        `(./k3s.sh --snapshots; letters, digits, ".", "_" and "-"), or the absolute path of a ` +
        `snapshot file on the bootstrap server's volume (such as ${ETCD_SNAPSHOT_DIR}/<name>)`,
    );
  });
});

describe("restoreSource", () => {
  it("keeps a path, finds a name on the volume, or leaves it to S3", () => {
    expect(restoreSource("/data/x.db", false)).toEqual({ kind: "path", path: "/data/x.db" });
    const local = restoreSource(NAME, true);
    expect(local).toEqual({ kind: "local", name: NAME, path: `${ETCD_SNAPSHOT_DIR}/${NAME}` });
    expect(restoreSource(NAME, false)).toEqual({ kind: "s3", name: NAME });
  });

  it("writes what k3s's cluster-reset-restore-path takes: the path, or the bare name for S3", () => {
    expect(restoreText(restoreSource(NAME, true))).toBe(`${ETCD_SNAPSHOT_DIR}/${NAME}\n`);
    expect(restoreText(restoreSource(NAME, false))).toBe(`${NAME}\n`);
    expect(restoreText(restoreSource("/data/x.db", false))).toBe("/data/x.db\n");
  });

  it("says where the snapshot comes from", () => {
    expect(describeSource(restoreSource(NAME, false), "ctrl-0")).toBe(
      `${NAME} from S3: it is not in ${ETCD_SNAPSHOT_DIR} on ctrl-0's volume, so k3s fetches ` +
        "it with the etcd-s3 settings of its config",
    );
    expect(describeSource(restoreSource(NAME, true), "ctrl-0")).toContain("a local snapshot");
    expect(rejoinText("ctrl-0", NAME)).toBe(`rejoin ctrl-0, restored from ${NAME}\n`);
  });
});

const machine = (id: string, name: string, state = "started", ip = `fdaa::${id}`): Machine => ({
  id,
  name,
  state,
  region: "sjc",
  instance_id: "i1",
  private_ip: ip,
  config: { image: "img" },
});

describe("restorePlan", () => {
  it("restores on the bootstrap server; the others rejoin by name; gone machines are left out", () => {
    const plan = restorePlan(
      [
        machine("3", "ctrl-2"),
        machine("9", "ctrl-1", "destroyed"),
        machine("1", "ctrl-0", "stopped"),
        machine("2", "ctrl-1"),
      ],
      "prod-cp",
      "ctrl-0",
    );
    expect(plan.bootstrap.id).toBe("1");
    expect(plan.others.map((m) => `${m.name}/${m.id}`)).toEqual(["ctrl-1/2", "ctrl-2/3"]);
  });

  it("refuses without the bootstrap server, naming what is there", () => {
    expect(() =>
      restorePlan(
        [machine("2", "ctrl-1"), machine("1", "ctrl-0", "destroying")],
        "prod-cp",
        "ctrl-0",
      ),
    ).toThrow(
      "prod-cp has no machine ctrl-0 (the bootstrap server, which restores the snapshot; " +
        "machines: ctrl-1): run ./k3s.sh -c first, which creates it",
    );
  });

  it("prints the order before the confirmation", () => {
    const plan = restorePlan(
      [machine("1", "ctrl-0"), machine("2", "ctrl-1"), machine("3", "ctrl-2")],
      "prod-cp",
      "ctrl-0",
    );
    expect(planLines(plan, "prod-cp", ["prod-ng-0"], NAME)).toEqual([
      `1. start any stopped server of prod-cp (exec needs a running machine); write ${RESTORE_FILE} ` +
        `(${NAME}) on ctrl-0 and ${REJOIN_FILE} on ctrl-1, ctrl-2`,
      "2. stop ctrl-0, ctrl-1, ctrl-2",
      `3. start ctrl-0: k3s restores ${NAME} (cluster-reset) and runs as the only etcd member`,
      "4. start ctrl-1, then ctrl-2, one at a time: each moves its etcd data aside and joins ctrl-0",
      "5. restart the agents of prod-ng-0, one at a time",
    ]);
    const alone = restorePlan([machine("1", "ctrl-0")], "prod-cp", "ctrl-0");
    expect(planLines(alone, "prod-cp", [], NAME).slice(3)).toEqual([
      "4. no other server to rejoin",
      "5. no node group: no agent to restart",
    ]);
  });
});

describe("unhealthyReasons", () => {
  const ok = { answered: true as const, exitCode: 0, stdout: "ok\n", stderr: "" };
  const servers = [
    { name: "ctrl-0", state: "started", private_ip: "fdaa::1", readyz: ok },
    { name: "ctrl-1", state: "started", private_ip: "fdaa::2", readyz: ok },
  ];
  const nodes = (ready: string): NodeList => ({
    items: [cpNode("n1", "fdaa::1", "True"), cpNode("n2", "fdaa::2", ready)],
  });

  it("is empty when every server is a Ready node and /readyz/etcd is ok through each", () => {
    expect(unhealthyReasons(nodes("True"), servers, "prod-cp/ctrl-0")).toEqual([]);
  });

  it("names each server that is not, and a missing node list", () => {
    const failing = { answered: true as const, exitCode: 1, stdout: "", stderr: "etcd failed\n" };
    expect(
      unhealthyReasons(
        nodes("False"),
        [
          { ...servers[0], readyz: failing },
          servers[1],
          { name: "ctrl-2", state: "stopped", private_ip: "fdaa::3" },
          {
            name: "ctrl-3",
            state: "started",
            private_ip: "fdaa::1",
            readyz: { answered: false, why: "HTTP 412" },
          },
        ],
        "prod-cp/ctrl-0",
      ),
    ).toEqual([
      'ctrl-0: /readyz/etcd answered "etcd failed" (exit 1)',
      "ctrl-1: its node is not Ready",
      "ctrl-2: machine stopped, no node has its address",
      "ctrl-3: /readyz/etcd could not be asked (HTTP 412)",
    ]);
    expect(unhealthyReasons(undefined, servers, "prod-cp/ctrl-0")).toEqual([
      "no node list from prod-cp/ctrl-0 (k3s kubectl get nodes)",
    ]);
  });
});
