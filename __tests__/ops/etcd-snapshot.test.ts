/**
 * etcd snapshots through the bootstrap server's k3s (ops/etcd-snapshot.ts):
 * the argv sent, and the parsers on k3s's documented output forms
 * (k3s-io/docs docs/cli/etcd-snapshot.md: the `save` log lines, the
 * ETCDSnapshotFile records; their JSON fields from k3s
 * pkg/apis/k3s.cattle.io/v1 types.go).
 */
import {
  SNAPSHOT_LIST_COMMAND,
  k3sErrorText,
  listEtcdSnapshots,
  parseQuantity,
  parseSnapshotList,
  preUpgradeSnapshotName,
  savedSnapshotNames,
  snapshotSaveCommand,
  takeEtcdSnapshot,
  takenLines,
} from "../../ops/etcd-snapshot";
import { LIST, SAVE_LOG } from "./etcd-snapshot-fixtures";
import { s3Fake, server } from "./s3-fake";

const K3S_IMAGE = "registry.fly.io/demo-images:v1.36.3-k3s1";

describe("the commands", () => {
  it("takes a snapshot with k3s's own CLI, which reads the server's config.yaml", () => {
    expect(snapshotSaveCommand()).toEqual(["k3s", "etcd-snapshot", "save"]);
    expect(snapshotSaveCommand("pre-upgrade-v1.37.0-k3s1")).toEqual([
      "k3s",
      "etcd-snapshot",
      "save",
      "--name",
      "pre-upgrade-v1.37.0-k3s1",
    ]);
    expect(SNAPSHOT_LIST_COMMAND).toEqual([
      "k3s",
      "kubectl",
      "get",
      "etcdsnapshotfiles.k3s.cattle.io",
      "-o",
      "json",
    ]);
  });

  it("names the pre-upgrade snapshot after the version, without a +", () => {
    expect(preUpgradeSnapshotName("v1.37.0+k3s1")).toBe("pre-upgrade-v1.37.0-k3s1");
  });
});

describe("parsers on the documented forms", () => {
  it("reads the saved names from the save log, each once", () => {
    expect(savedSnapshotNames(SAVE_LOG)).toEqual(["on-demand-server-0-1753178523"]);
    expect(
      savedSnapshotNames(
        'time="2025-07-22T10:02:03Z" level=info msg="Snapshot pre-upgrade-v1.37.0-k3s1-ctrl-0-1753178523 saved."',
      ),
    ).toEqual(["pre-upgrade-v1.37.0-k3s1-ctrl-0-1753178523"]);
    expect(savedSnapshotNames("nothing here")).toEqual([]);
  });

  it("shows k3s's error without the config reader's warnings", () => {
    expect(
      k3sErrorText(
        `${SAVE_LOG.split("\n").slice(0, 2).join("\n")}\nFATA[0000] etcd database not found in /data/k3s/server\n`,
      ),
    ).toBe("FATA[0000] etcd database not found in /data/k3s/server");
    expect(k3sErrorText("")).toBe("no output");
  });

  it.each([
    ["2891808", 2891808],
    ["3M", 3_000_000],
    ["1536Ki", 1_572_864],
    ["12e6", 12_000_000],
    [5, 5],
    ["five", undefined],
    [undefined, undefined],
  ])("reads the quantity %p as %p bytes", (q, n) => {
    expect(parseQuantity(q)).toBe(n);
  });

  it("lists ETCDSnapshotFiles newest first: name, time, size, where, and a failure's error", () => {
    expect(parseSnapshotList(LIST)).toEqual([
      {
        name: "etcd-snapshot-k3s-server-1-1730390400",
        time: "2024-10-31T16:00:01Z",
        storage: "s3",
        node: "s3",
        location: "s3://etcd/k3s-test/etcd-snapshot-k3s-server-1-1730390400",
        ready: false,
        error: "failed to test for existence of bucket etcd: Access Denied.",
      },
      {
        name: "etcd-snapshot-k3s-server-1-1730390400",
        time: "2024-10-31T16:00:00Z",
        sizeBytes: 3_000_000,
        storage: "local",
        node: "k3s-server-1",
        location:
          "file:///var/lib/rancher/k3s/server/db/snapshots/etcd-snapshot-k3s-server-1-1730390400",
        ready: true,
      },
      {
        name: "on-demand-k3s-server-1-1730308816",
        time: "2024-10-30T17:20:16Z",
        sizeBytes: 2891808,
        storage: "s3",
        node: "s3",
        location: "s3://etcd/k3s-test/on-demand-k3s-server-1-1730308816",
        ready: true,
      },
      {
        name: "on-demand-k3s-server-1-1730308816",
        time: "2024-10-30T17:20:16Z",
        sizeBytes: 2891808,
        storage: "local",
        node: "k3s-server-1",
        location:
          "file:///var/lib/rancher/k3s/server/db/snapshots/on-demand-k3s-server-1-1730308816",
        ready: true,
      },
    ]);
    expect(parseSnapshotList('{"apiVersion":"v1","items":[],"kind":"List"}')).toEqual([]);
  });

  it("refuses an answer that is no list", () => {
    expect(() => parseSnapshotList("error: the server doesn't have a resource type")).toThrow(
      "the snapshot list is not JSON: error: the server doesn't have a resource type",
    );
    expect(() => parseSnapshotList("{}")).toThrow("the snapshot list has no items");
  });
});

describe("takeEtcdSnapshot and listEtcdSnapshots on a fake Machines API", () => {
  const k3s = (saveExit = 0) =>
    s3Fake([server("c0", "ctrl-0", { image: K3S_IMAGE })], (_m, argv) => {
      if (argv[1] === "etcd-snapshot") {
        return saveExit === 0
          ? { exit_code: 0, stderr: SAVE_LOG }
          : {
              exit_code: saveExit,
              stderr: `${SAVE_LOG.split("\n")[0]}\nFATA[0002] failed to save snapshot: context deadline exceeded`,
            };
      }
      return {
        exit_code: 0,
        stdout: LIST.replace(/k3s-server-1-1730308816/g, "server-0-1753178523"),
      };
    });

  it("runs k3s etcd-snapshot save on the bootstrap server, then reads where it went", async () => {
    const fly = k3s();
    const lines: string[] = [];
    const t = await takeEtcdSnapshot(fly.api, "demo-cp", "ctrl-0", (l) => lines.push(l), "pre");
    expect(fly.execs()).toEqual([
      "c0 k3s etcd-snapshot save --name pre",
      "c0 k3s kubectl get etcdsnapshotfiles.k3s.cattle.io -o json",
    ]);
    // The save waits for the S3 upload (k3s's etcd-s3-timeout: 5 minutes).
    expect(fly.requests.find((q) => q.command?.[1] === "etcd-snapshot")?.timeout).toBe(360);
    expect(lines).toEqual(["demo-cp/ctrl-0: k3s etcd-snapshot save --name pre"]);
    expect(t.names).toEqual(["on-demand-server-0-1753178523"]);
    expect(takenLines(t, true)).toEqual([
      "snapshot on-demand-server-0-1753178523 saved: s3://etcd/k3s-test/on-demand-server-0-1753178523; local on k3s-server-1",
    ]);
  });

  it("fails with k3s's own error, without the config warnings", async () => {
    const fly = k3s(1);
    await expect(takeEtcdSnapshot(fly.api, "demo-cp", "ctrl-0", () => {})).rejects.toThrow(
      "demo-cp/ctrl-0: `k3s etcd-snapshot save` exited 1: FATA[0002] failed to save snapshot: context deadline exceeded",
    );
  });

  it("refuses a bootstrap server that is not running", async () => {
    const fly = s3Fake([server("c0", "ctrl-0", { state: "stopped" })]);
    await expect(takeEtcdSnapshot(fly.api, "demo-cp", "ctrl-0", () => {})).rejects.toThrow(
      "demo-cp/ctrl-0 is stopped, not started: k3s cannot answer",
    );
    expect(fly.execs()).toEqual([]);
  });

  it("says when an S3 copy was expected but none is recorded", () => {
    const t = {
      names: ["on-demand-x"],
      rows: parseSnapshotList(LIST)
        .filter((r) => r.storage === "local")
        .map((r) => ({ ...r, name: "on-demand-x" })),
    };
    expect(takenLines(t, true).at(-1)).toMatch(/^warning: no S3 copy of it is recorded/);
    expect(takenLines(t, false)).toHaveLength(1);
    expect(takenLines({ names: [], rows: [] }, true)).toEqual([
      "k3s reported success but named no snapshot in its output; ./k3s.sh --snapshots lists them",
    ]);
  });

  it("lists through kubectl on the bootstrap server", async () => {
    const fly = k3s();
    const rows = await listEtcdSnapshots(fly.api, "demo-cp", "ctrl-0");
    expect(rows).toHaveLength(4);
    expect(fly.requests.find((q) => q.command?.[1] === "kubectl")?.timeout).toBe(60);
  });
});
