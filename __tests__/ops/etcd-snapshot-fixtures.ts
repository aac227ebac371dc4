/**
 * k3s's documented etcd snapshot output forms (k3s-io/docs
 * docs/cli/etcd-snapshot.md), for the tests of ops/etcd-snapshot.ts and the
 * --snapshot/--snapshots verbs: the `save` log, and ETCDSnapshotFile records
 * as `kubectl get -o json` lists them (fields: k3s pkg/apis/k3s.cattle.io/v1
 * types.go).
 */

/** What `k3s etcd-snapshot save` logs with S3 configured (the docs' example). */
export const SAVE_LOG = [
  "WARN[0000] Unknown flag --cluster-cidr found in config.yaml, skipping",
  "WARN[0000] Unknown flag --etcd-snapshot-schedule-cron found in config.yaml, skipping",
  "INFO[0155] Snapshot on-demand-server-0-1753178523 saved. ",
  "INFO[0155] Snapshot on-demand-server-0-1753178523 saved. ",
].join("\n");

/** An ETCDSnapshotFile as `kubectl get -o json` lists it (the docs' `describe` example). */
export const snapshotFile = (
  name: string,
  node: string,
  s3: boolean,
  status: Record<string, unknown> = {
    size: "2891808",
    creationTime: "2024-10-30T17:20:16Z",
    readyToUse: true,
  },
) => ({
  apiVersion: "k3s.cattle.io/v1",
  kind: "ETCDSnapshotFile",
  metadata: {
    name: `${s3 ? "s3" : "local"}-${name}-79b15c`,
    labels: { "etcd.k3s.cattle.io/snapshot-storage-node": s3 ? "s3" : node },
  },
  spec: {
    snapshotName: name,
    nodeName: s3 ? "s3" : node,
    location: s3
      ? `s3://etcd/k3s-test/${name}`
      : `file:///var/lib/rancher/k3s/server/db/snapshots/${name}`,
    ...(s3
      ? {
          s3: {
            bucket: "etcd",
            endpoint: "s3.example.com",
            prefix: "k3s-test",
            region: "us-east-1",
            skipSSLVerify: true,
          },
        }
      : {}),
  },
  status,
});

export const LIST = JSON.stringify({
  apiVersion: "v1",
  kind: "List",
  items: [
    snapshotFile("on-demand-k3s-server-1-1730308816", "k3s-server-1", false),
    snapshotFile("on-demand-k3s-server-1-1730308816", "k3s-server-1", true),
    snapshotFile("etcd-snapshot-k3s-server-1-1730390400", "k3s-server-1", false, {
      size: "3M",
      creationTime: "2024-10-31T16:00:00Z",
      readyToUse: true,
    }),
    snapshotFile("etcd-snapshot-k3s-server-1-1730390400", "k3s-server-1", true, {
      readyToUse: false,
      error: {
        time: "2024-10-31T16:00:01Z",
        message: "failed to test for existence of bucket etcd: Access Denied.",
      },
    }),
  ],
});
