/**
 * --snapshot, --snapshots and the deploy's snapshot before an upgrade
 * (cli/verbs/snapshot.ts, cli/verbs/snapshots.ts, cli/upgrade.ts), on a fake
 * Machines API whose k3s answers in its documented forms. On the local Fly's
 * test image runVerb refuses both verbs (exit 3) before they run.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { validateConfigText } from "../../config/load";
import { Upgrade } from "../../config/upgrade";
import { EMULATOR_TEST_IMAGE } from "../../config/naming";
import { ShowState } from "../../contract/tofu-state";
import { upgradeAllowed } from "../../cli/upgrade";
import { NO_KUBERNETES_EXIT, VerbContext, runVerb } from "../../cli/verbs/context";
import { VERBS } from "../../cli/verbs";
import { snapshot, snapshotBeforeUpgrade } from "../../cli/verbs/snapshot";
import { sizeText, snapshotJson, snapshotTable, snapshots } from "../../cli/verbs/snapshots";
import { parseSnapshotList } from "../../ops/etcd-snapshot";
import { MachinesApi } from "../../ops/machines-api";
import { LIST, SAVE_LOG, snapshotFile } from "../ops/etcd-snapshot-fixtures";
import { s3Fake, server } from "../ops/s3-fake";

const K3S_IMAGE = "registry.fly.io/demo-images:v1.36.3-k3s1";
const CONFIG = [
  "CLUSTER_NAME=demo",
  'CLUSTER_CIDR="fd00:10:42::/56,10.42.0.0/16"',
  'SERVICE_CIDR="fd00:10:43::/112,10.43.0.0/16"',
  'CLUSTER_DNS="fd00:10:43::a"',
  "REGION=sjc",
  "NODE_GROUP_SIZE=2",
  "VOLUME_SIZE=5",
  "VOLUME_NAME=demo_data",
  "WORKER_VM_SIZE=shared-cpu-1x",
  "WORKER_VM_MEMORY=2048",
  "CP_VM_SIZE=shared-cpu-2x",
  "CP_VM_MEMORY=2048",
  'K3S_VERSION="v1.37.0+k3s1"',
  "ORG_NAME=personal",
  `NODE_IMAGE=${K3S_IMAGE}`,
  "SNAPSHOT_S3_BUCKET=etcd",
  "SNAPSHOT_S3_FOLDER=k3s-test",
];

function context(api: MachinesApi, lines: string[], json = false, image = K3S_IMAGE) {
  const text = CONFIG.map((l) => (l.startsWith("NODE_IMAGE=") ? `NODE_IMAGE=${image}` : l)).join(
    "\n",
  );
  const config = validateConfigText("clusters/demo/config", text);
  return {
    opts: { action: "snapshot", json, yes: false, force: false, noVerify: false, help: false },
    dir: "clusters/demo",
    cluster: { dir: "clusters/demo", configFile: "", config, nodeGroups: [], warnings: [] },
    bootstrap: "ctrl-0",
    log: (l: string) => lines.push(l),
    target: () => Promise.reject(new Error("no target in this test")),
    api: () => Promise.resolve(api),
    stack: () => Promise.reject(new Error("no stack in this test")),
  } as unknown as VerbContext;
}

/**
 * A bootstrap server whose k3s answers `save` (exit `saveExit`; the snapshot
 * then named `<base name>-ctrl-0-1753178523`, locally and in S3) and the list.
 */
const cluster = (saveExit = 0, image = K3S_IMAGE) => {
  const saved: string[] = [];
  return s3Fake([server("c0", "ctrl-0", { image })], (_m, argv) => {
    if (argv[1] === "etcd-snapshot") {
      if (saveExit !== 0) {
        return {
          exit_code: saveExit,
          stderr: "FATA[0000] etcd database not found in /data/k3s/server",
        };
      }
      const name = `${argv[4] ?? "on-demand"}-ctrl-0-1753178523`;
      saved.push(name);
      return { exit_code: 0, stderr: SAVE_LOG.replace(/on-demand-server-0-1753178523/g, name) };
    }
    const items = [
      ...(JSON.parse(LIST) as { items: unknown[] }).items,
      ...saved.flatMap((n) => [snapshotFile(n, "ctrl-0", false), snapshotFile(n, "ctrl-0", true)]),
    ];
    return { exit_code: 0, stdout: JSON.stringify({ kind: "List", items }) };
  });
};

let out: string[];
beforeEach(() => {
  out = [];
  jest.spyOn(console, "log").mockImplementation((l: string) => void out.push(l));
});
afterEach(() => jest.restoreAllMocks());

describe("--snapshots: the table and the JSON", () => {
  const rows = parseSnapshotList(LIST);

  it("prints name, time, size, where; a failed one with k3s's error", () => {
    expect(snapshotTable(rows)).toEqual([
      "NAME                                   TIME                  SIZE     WHERE",
      "etcd-snapshot-k3s-server-1-1730390400  2024-10-31T16:00:01Z  -        s3://etcd/k3s-test/etcd-snapshot-k3s-server-1-1730390400 (failed: failed to test for existence of bucket etcd: Access Denied.)",
      "etcd-snapshot-k3s-server-1-1730390400  2024-10-31T16:00:00Z  2.9 MiB  local on k3s-server-1",
      "on-demand-k3s-server-1-1730308816      2024-10-30T17:20:16Z  2.8 MiB  s3://etcd/k3s-test/on-demand-k3s-server-1-1730308816",
      "on-demand-k3s-server-1-1730308816      2024-10-30T17:20:16Z  2.8 MiB  local on k3s-server-1",
    ]);
    expect(snapshotTable([])).toEqual(["no etcd snapshots recorded yet"]);
  });

  it("prints one JSON object per snapshot", () => {
    expect(JSON.parse(snapshotJson(rows))[1]).toEqual({
      name: "etcd-snapshot-k3s-server-1-1730390400",
      time: "2024-10-31T16:00:00Z",
      sizeBytes: 3000000,
      where: "local",
      node: "k3s-server-1",
      location:
        "file:///var/lib/rancher/k3s/server/db/snapshots/etcd-snapshot-k3s-server-1-1730390400",
      ready: true,
    });
  });

  it.each([
    [undefined, "-"],
    [512, "512 B"],
    [2891808, "2.8 MiB"],
    [5 * 2 ** 30, "5.0 GiB"],
  ])("shows %p bytes as %s", (n, text) => {
    expect(sizeText(n)).toBe(text);
  });
});

describe("the verbs", () => {
  it("--snapshot saves on the bootstrap server and says where it went", async () => {
    const fly = cluster();
    const lines: string[] = [];
    expect(await snapshot(context(fly.api, lines))).toBe(0);
    expect(fly.execs()[0]).toBe("c0 k3s etcd-snapshot save");
    expect(lines[0]).toBe(
      "taking an etcd snapshot on demo-cp/ctrl-0, on the bootstrap server's volume and in s3://etcd/k3s-test (https://fly.storage.tigris.dev)",
    );
    expect(out).toEqual([
      "snapshot on-demand-ctrl-0-1753178523 saved: s3://etcd/k3s-test/on-demand-ctrl-0-1753178523; local on ctrl-0",
    ]);
  });

  it("--snapshot exits 1 with k3s's error", async () => {
    const lines: string[] = [];
    expect(await snapshot(context(cluster(1).api, lines))).toBe(1);
    expect(lines.at(-1)).toBe(
      "the etcd snapshot failed: demo-cp/ctrl-0: `k3s etcd-snapshot save` exited 1: FATA[0000] etcd database not found in /data/k3s/server",
    );
  });

  it("--snapshots prints the table, or JSON with --json", async () => {
    const fly = cluster();
    expect(await snapshots(context(fly.api, []))).toBe(0);
    expect(out[0]).toMatch(/^NAME +TIME +SIZE +WHERE$/);
    expect(out).toHaveLength(5);
    out = [];
    expect(await snapshots(context(fly.api, [], true))).toBe(0);
    expect(JSON.parse(out[0])).toHaveLength(4);
  });

  it.each(["snapshot", "snapshots"] as const)(
    "--%s is refused with exit 3 on the local Fly's test image, before anything starts",
    async (action) => {
      const lines: string[] = [];
      const ctx = context(cluster().api, lines, false, EMULATOR_TEST_IMAGE);
      const code = await runVerb(VERBS[action], ctx);
      expect(code).toBe(NO_KUBERNETES_EXIT);
      expect(lines[0]).toMatch(/^no Kubernetes is running: /);
    },
  );
});

describe("the snapshot before an upgrade", () => {
  const upgrade: Upgrade = {
    from: ["v1.36.3+k3s1"],
    to: "v1.37.0+k3s1",
    minor: true,
    servers: [],
    workers: [],
  };

  it("takes pre-upgrade-<version> through the same operation, then lets the roll go on", async () => {
    const fly = cluster();
    const lines: string[] = [];
    expect(await snapshotBeforeUpgrade(context(fly.api, lines), upgrade)).toBe(true);
    expect(fly.execs()[0]).toBe("c0 k3s etcd-snapshot save --name pre-upgrade-v1.37.0-k3s1");
    expect(lines[0]).toBe(
      "before rolling v1.36.3+k3s1 to v1.37.0+k3s1: an etcd snapshot, on the bootstrap server's volume and in s3://etcd/k3s-test (https://fly.storage.tigris.dev)",
    );
    expect(lines.at(-1)).toBe(
      "snapshot pre-upgrade-v1.37.0-k3s1-ctrl-0-1753178523 saved: s3://etcd/k3s-test/pre-upgrade-v1.37.0-k3s1-ctrl-0-1753178523; local on ctrl-0",
    );
  });

  it("stops the upgrade when the snapshot fails: nothing rolls", async () => {
    const lines: string[] = [];
    expect(await snapshotBeforeUpgrade(context(cluster(1).api, lines), upgrade)).toBe(false);
    expect(lines.at(-1)).toBe(
      "not upgrading to v1.37.0+k3s1: the etcd snapshot before the roll (pre-upgrade-v1.37.0-k3s1) failed: demo-cp/ctrl-0: `k3s etcd-snapshot save --name pre-upgrade-v1.37.0-k3s1` exited 1: FATA[0000] etcd database not found in /data/k3s/server. Nothing was rolled: no upgrade without a fresh snapshot. Fix the cause (./k3s.sh --snapshot clusters/demo tries again and says what k3s answers), then deploy again",
    );
  });

  it("takes none where no k3s runs (the local Fly's test image)", async () => {
    const fly = cluster(0, EMULATOR_TEST_IMAGE);
    const lines: string[] = [];
    expect(await snapshotBeforeUpgrade(context(fly.api, lines), upgrade)).toBe(true);
    expect(fly.execs()).toEqual([]);
    expect(lines).toEqual([
      `no etcd snapshot before the roll to v1.37.0+k3s1: demo-cp/ctrl-0 runs ${EMULATOR_TEST_IMAGE}, which holds no k3s (no etcd to snapshot)`,
    ]);
  });
});

describe("upgradeAllowed runs the snapshot step only when a K3S_VERSION change rolls", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-upgrade-"));
  const configFile = path.join(dir, "config");
  fs.writeFileSync(configFile, CONFIG.join("\n") + "\n");
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const state = (version: string): ShowState => ({
    values: {
      root_module: {
        resources: ["ctrl-0", "ctrl-1", "ctrl-2"].map((name, i) => ({
          address: `fly_machine.${name.replace("-", "_")}`,
          type: "fly_machine",
          values: {
            id: `m${i}`,
            name,
            app: "demo-cp",
            state: "started",
            env: { K3S_ROLE: "server", K3S_BOOTSTRAP: String(i === 0), K3S_VERSION: version },
          },
        })),
      },
    },
  });
  const tofu = (show: ShowState) => async () => ({
    status: 0,
    stdout: JSON.stringify(show),
    stderr: "",
  });
  const cluster = (version: string) => ({ configFile, config: { k3sVersion: version } });

  it.each([
    ["an upgrade", "v1.36.3+k3s1", true, false, false],
    ["no version change", "v1.37.0+k3s1", false, true, true],
  ])("%s: step called %p", async (_what, running, called, stepAnswer, allowed) => {
    const seen: Upgrade[] = [];
    const step = async (u: Upgrade) => {
      seen.push(u);
      return stepAnswer;
    };
    const ok = await upgradeAllowed(
      tofu(state(running)),
      cluster("v1.37.0+k3s1"),
      "clusters/demo/config",
      () => {},
      step,
    );
    expect(seen.length > 0).toBe(called);
    if (called) expect(seen[0]).toMatchObject({ from: ["v1.36.3+k3s1"], to: "v1.37.0+k3s1" });
    expect(ok).toBe(allowed);
  });

  it("a refused version change never reaches the step", async () => {
    const step = jest.fn(async () => true);
    const ok = await upgradeAllowed(
      tofu(state("v1.35.2+k3s1")),
      cluster("v1.37.0+k3s1"),
      "clusters/demo/config",
      () => {},
      step,
    );
    expect(ok).toBe(false);
    expect(step).not.toHaveBeenCalled();
  });
});
