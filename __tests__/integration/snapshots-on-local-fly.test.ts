/**
 * The Fly half of the etcd snapshots, on the local Fly (real containers, the
 * test image: busybox, no k3s): the S3 keys travel onto the servers' volumes
 * through exec stdin (mode 0600), are not rewritten when unchanged, and are
 * found in no machine config and nowhere in the local Fly's own state; and
 * --snapshot/--snapshots send their argv through exec to a stand-in `k3s`
 * that answers in k3s's documented forms (what k3s itself does is left to k3s).
 */
import * as fs from "fs";
import * as path from "path";
import { Machine, Volume } from "../../contract/machines-api-types";
import { S3_CREDENTIALS_FILE } from "../../contract/node-paths";
import { listEtcdSnapshots, takeEtcdSnapshot } from "../../ops/etcd-snapshot";
import { MachinesApi } from "../../ops/machines-api";
import { credentialsFileText, syncS3Credentials } from "../../ops/s3-credentials";
import { LocalFly, TEST_IMAGE, startLocalFly } from "./local-fly";

jest.setTimeout(240_000);

// Built at run time so that no key-shaped literal is committed.
const KEY_ID = ["tid", "LOCALFLY".repeat(2)].join("_");
const SECRET = ["tsec", "local/Fly+Secret=".repeat(2)].join("_");
const CREDS = { accessKeyId: KEY_ID, secretAccessKey: SECRET };

/**
 * A stand-in for k3s on the test image (/bin/k3s: its PATH is /bin:/sbin): `etcd-snapshot save [--name N]` logs
 * as k3s does (the config reader's warning, then "Snapshot <name> saved."
 * for the local file and the S3 copy) and remembers the name; `kubectl get
 * etcdsnapshotfiles.k3s.cattle.io -o json` lists what it saved as
 * ETCDSnapshotFile records. Any other argv fails.
 */
const FAKE_K3S = `#!/bin/sh
log=/tmp/fake-k3s.saved
if [ "$1 $2" = "etcd-snapshot save" ]; then
  base=on-demand
  if [ "$3" = "--name" ]; then base=$4; fi
  name="$base-$(hostname)-1753178523"
  echo "$name" >>"$log"
  echo "WARN[0000] Unknown flag --cluster-cidr found in config.yaml, skipping" >&2
  echo "INFO[0001] Snapshot $name saved." >&2
  echo "INFO[0001] Snapshot $name saved." >&2
  exit 0
fi
if [ "$*" = "kubectl get etcdsnapshotfiles.k3s.cattle.io -o json" ]; then
  sep=""
  printf '{"apiVersion":"v1","kind":"List","items":['
  for n in $(cat "$log" 2>/dev/null); do
    printf '%s{"spec":{"snapshotName":"%s","nodeName":"ctrl-0","location":"file:///data/k3s/server/db/snapshots/%s"},"status":{"size":"2891808","creationTime":"2025-07-22T10:02:03Z","readyToUse":true}}' "$sep" "$n" "$n"
    printf ',{"spec":{"snapshotName":"%s","nodeName":"s3","location":"s3://local-etcd/local/%s","s3":{"bucket":"local-etcd"}},"status":{"size":"2891808","creationTime":"2025-07-22T10:02:03Z","readyToUse":true}}' "$n" "$n"
    sep=","
  done
  printf ']}\\n'
  exit 0
fi
echo "fake k3s: unexpected argv: $*" >&2
exit 2
`;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

describe("etcd snapshots on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  const cp = "snaptest-cp";
  const ng = "snaptest-ng-0";
  const servers: Machine[] = [];
  let worker: Machine;

  beforeAll(async () => {
    fly = await startLocalFly("snapshots-test-token");
    api = new MachinesApi({ baseUrl: fly.emu.url, token: fly.emu.token, retryDelayMs: 200 });
    // What the provider creates: a control plane whose servers name a bucket, and a worker.
    for (const app of [cp, ng]) {
      await api.request("POST", "/apps", { app_name: app, org_slug: "personal" });
    }
    const guest = { cpu_kind: "shared", cpus: 1, memory_mb: 256 };
    for (let i = 0; i < 2; i++) {
      const vol = await api.request<Volume>("POST", `/apps/${cp}/volumes`, {
        name: "snap_data",
        region: "sjc",
        size_gb: 1,
        require_unique_zone: true,
      });
      const m = await api.request<Machine>("POST", `/apps/${cp}/machines`, {
        name: `ctrl-${i}`,
        region: "sjc",
        config: {
          image: TEST_IMAGE,
          env: { K3S_ROLE: "server", K3S_SNAPSHOT_S3_BUCKET: "local-etcd" },
          guest,
          mounts: [{ volume: vol.id, path: "/data" }],
        },
      });
      await api.waitForState(cp, m.id, "started", 60);
      servers.push(m);
    }
    worker = await api.request<Machine>("POST", `/apps/${ng}/machines`, {
      name: "worker-ng-0-0",
      region: "sjc",
      config: {
        image: TEST_IMAGE,
        env: { K3S_ROLE: "agent", K3S_SNAPSHOT_S3_BUCKET: "local-etcd" },
        guest,
      },
    });
    await api.waitForState(ng, worker.id, "started", 60);
  });

  afterAll(async () => {
    await fly?.stop();
  });

  const onServer = async (i: number, script: string) =>
    (await api.exec(cp, servers[i].id, ["sh", "-c", script])).stdout.trim();

  it("writes the keys onto each server's volume, 0600, and onto no agent", async () => {
    const r = await syncS3Credentials(api, [cp, ng], CREDS);
    expect(r.written).toEqual([`${cp}/ctrl-0`, `${cp}/ctrl-1`]);
    expect(r.failed).toEqual([]);
    for (const i of [0, 1]) {
      expect(await onServer(i, `stat -c %a ${S3_CREDENTIALS_FILE}`)).toBe("600");
      expect(await onServer(i, `cat ${S3_CREDENTIALS_FILE}`)).toBe(
        credentialsFileText(CREDS).trim(),
      );
      // No temporary file is left behind.
      expect(await onServer(i, `ls /data/fly-k3s`)).toBe("s3-credentials");
    }
    const onWorker = await api.exec(ng, worker.id, ["test", "-e", S3_CREDENTIALS_FILE]);
    expect(onWorker.exit_code).not.toBe(0);
  });

  it("leaves identical keys alone and rewrites changed ones", async () => {
    const same = await syncS3Credentials(api, [cp], CREDS);
    expect(same).toMatchObject({ written: [], unchanged: [`${cp}/ctrl-0`, `${cp}/ctrl-1`] });
    const rotated = { ...CREDS, secretAccessKey: `${SECRET}2` };
    const again = await syncS3Credentials(api, [cp], rotated);
    expect(again.written).toEqual([`${cp}/ctrl-0`, `${cp}/ctrl-1`]);
    expect(await onServer(1, `tail -n 1 ${S3_CREDENTIALS_FILE}`)).toBe(
      `etcd-s3-secret-key=${SECRET}2`,
    );
    await syncS3Credentials(api, [cp], CREDS);
  });

  it("leaves the keys in no machine config and nowhere in the local Fly's state", async () => {
    for (const [app, m] of [...servers.map((s) => [cp, s] as const), [ng, worker] as const]) {
      const seen = JSON.stringify(await api.getMachine(app, m.id));
      expect(seen).not.toContain(KEY_ID);
      expect(seen).not.toContain(SECRET);
    }
    const stateFiles = filesUnder(fly.emu.stateDir);
    expect(stateFiles.length).toBeGreaterThan(0);
    for (const f of stateFiles) {
      const text = fs.readFileSync(f, "utf8");
      expect(text).not.toContain(KEY_ID);
      expect(text).not.toContain(SECRET.slice(0, 20));
    }
  });

  it("--snapshot and --snapshots send k3s's argv through exec and read its documented answers", async () => {
    const install = await api.exec(
      cp,
      servers[0].id,
      ["sh", "-c", "cat > /bin/k3s && chmod 0755 /bin/k3s"],
      { stdin: FAKE_K3S },
    );
    expect(install.exit_code).toBe(0);
    const lines: string[] = [];
    const taken = await takeEtcdSnapshot(
      api,
      cp,
      "ctrl-0",
      (l) => lines.push(l),
      "pre-upgrade-v1.37.0-k3s1",
    );
    expect(lines).toEqual([`${cp}/ctrl-0: k3s etcd-snapshot save --name pre-upgrade-v1.37.0-k3s1`]);
    expect(taken.names).toHaveLength(1);
    expect(taken.names[0]).toMatch(/^pre-upgrade-v1\.37\.0-k3s1-.+-1753178523$/);
    expect(taken.rows.map((r) => r.storage).sort()).toEqual(["local", "s3"]);

    await takeEtcdSnapshot(api, cp, "ctrl-0", () => {});
    const rows = await listEtcdSnapshots(api, cp, "ctrl-0");
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.name.split("-")[0]).sort()).toEqual(["on", "on", "pre", "pre"]);
    expect(rows.every((r) => r.sizeBytes === 2891808 && r.ready)).toBe(true);
  });
});
