/**
 * Every flag the node renders into its k3s config (images/k3s-node/render-config.sh),
 * with the Kubernetes minor release it is known to exist in, and where that fact
 * comes from. The supported K3S_VERSION floor is derived from this table, and
 * __tests__/node-image/k3s-flags.test.ts checks that every flag render-config.sh
 * emits, for every role, is listed here.
 *
 * `since` is exact (`firstRelease: true`) when the source names the release that
 * added the flag. Otherwise it is a release the source shows the flag in, which
 * is enough for the floor as long as it is not above it.
 */

/** Who reads the flag: k3s itself, or a component k3s passes it to. */
export type FlagComponent = "k3s" | "kubelet" | "kube-proxy";

export interface RenderedFlag {
  readonly component: FlagComponent;
  /** As written: a config.yaml key for k3s, the flag name inside kubelet-arg / kube-proxy-arg. */
  readonly name: string;
  /** Kubernetes minor version (1.<since>) of the first k3s release known to have it. */
  readonly since: number;
  readonly firstRelease: boolean;
  /** Public source of the fact. */
  readonly source: string;
}

const K3S_SERVER_DOCS = "k3s-io/docs docs/cli/server.md (flag list of the v1.21+ k3s server)";
const K3S_AGENT_DOCS = "k3s-io/docs docs/cli/agent.md (flag list of the v1.21+ k3s agent)";
const K3S_DUAL_STACK =
  "k3s-io/docs docs/networking/basic-network-options.md (dual-stack node-ip / cluster-cidr / service-cidr, k3s v1.21+)";

const K3S_SNAPSHOT_DOCS =
  "k3s-io/docs docs/cli/etcd-snapshot.md (etcd-snapshot-* and etcd-s3-* server flags, k3s v1.21+); k3s-io/k3s pkg/cli/cmds/server.go";
const K3S_RESTORE_DOCS =
  "k3s-io/docs docs/cli/etcd-snapshot.md (cluster-reset-restore-path, restoring a snapshot); k3s-io/k3s pkg/etcd/etcd.go Reset";
const snapshotFlag = (name: string): RenderedFlag => ({
  component: "k3s",
  name,
  since: 21,
  firstRelease: false,
  source: K3S_SNAPSHOT_DOCS,
});

export const RENDERED_FLAGS: readonly RenderedFlag[] = [
  ...[
    "etcd-snapshot-schedule-cron",
    "etcd-snapshot-retention",
    "etcd-s3",
    "etcd-s3-endpoint",
    "etcd-s3-bucket",
    "etcd-s3-region",
    "etcd-s3-folder",
    "etcd-s3-insecure",
    "etcd-s3-access-key",
    "etcd-s3-secret-key",
  ].map(snapshotFlag),
  {
    component: "k3s",
    name: "cluster-reset",
    since: 21,
    firstRelease: false,
    source: K3S_RESTORE_DOCS,
  },
  {
    component: "k3s",
    name: "cluster-reset-restore-path",
    since: 21,
    firstRelease: false,
    source: K3S_RESTORE_DOCS,
  },
  { component: "k3s", name: "data-dir", since: 21, firstRelease: false, source: K3S_SERVER_DOCS },
  { component: "k3s", name: "node-name", since: 21, firstRelease: false, source: K3S_AGENT_DOCS },
  { component: "k3s", name: "node-ip", since: 21, firstRelease: false, source: K3S_DUAL_STACK },
  { component: "k3s", name: "node-label", since: 21, firstRelease: false, source: K3S_AGENT_DOCS },
  {
    component: "k3s",
    name: "flannel-iface",
    since: 21,
    firstRelease: false,
    source: K3S_AGENT_DOCS,
  },
  {
    component: "k3s",
    name: "flannel-conf",
    since: 21,
    firstRelease: false,
    source: `${K3S_AGENT_DOCS}; k3s-io/k3s pkg/agent/flannel/setup.go (FlannelConfOverride: the file is used as is)`,
  },
  { component: "k3s", name: "kubelet-arg", since: 21, firstRelease: false, source: K3S_AGENT_DOCS },
  {
    component: "k3s",
    name: "kube-proxy-arg",
    since: 21,
    firstRelease: false,
    source: K3S_AGENT_DOCS,
  },
  { component: "k3s", name: "server", since: 21, firstRelease: false, source: K3S_AGENT_DOCS },
  { component: "k3s", name: "token-file", since: 21, firstRelease: false, source: K3S_AGENT_DOCS },
  {
    component: "k3s",
    name: "cluster-cidr",
    since: 21,
    firstRelease: false,
    source: K3S_DUAL_STACK,
  },
  {
    component: "k3s",
    name: "service-cidr",
    since: 21,
    firstRelease: false,
    source: K3S_DUAL_STACK,
  },
  {
    component: "k3s",
    name: "cluster-dns",
    since: 21,
    firstRelease: false,
    source: K3S_SERVER_DOCS,
  },
  {
    component: "k3s",
    name: "flannel-backend",
    since: 21,
    firstRelease: false,
    source: K3S_SERVER_DOCS,
  },
  {
    component: "k3s",
    name: "flannel-ipv6-masq",
    since: 21,
    firstRelease: false,
    source:
      "k3s-io/k3s#4952 (2022-01, 'Add IPv6 NAT'; a maintainer's comment on k3s-io/k3s#4725 says it ships in the next 1.21, 1.22 and master releases)",
  },
  { component: "k3s", name: "tls-san", since: 21, firstRelease: false, source: K3S_SERVER_DOCS },
  { component: "k3s", name: "disable", since: 21, firstRelease: false, source: K3S_SERVER_DOCS },
  {
    component: "k3s",
    name: "cluster-init",
    since: 21,
    firstRelease: false,
    source: "k3s-io/docs docs/datastore/ha-embedded.md",
  },
  {
    component: "kubelet",
    name: "fail-cgroupv1",
    since: 31,
    firstRelease: true,
    source:
      "kubernetes/kubernetes#126031 (KEP-4569 'Kubelet option to disable cgroup v1 support', merged for v1.31); default true from v1.35 (kubernetes/kubernetes#134298, KEP-5573)",
  },
  {
    component: "kube-proxy",
    name: "conntrack-max-per-core",
    since: 21,
    firstRelease: false,
    source: "kubernetes/kubernetes cmd/kube-proxy/app/server.go (flag --conntrack-max-per-core)",
  },
];

/** The release the project builds and tests with (clusters/local, the node image default). */
export const CURRENT_K3S_RELEASE = "v1.36.3+k3s1";

/** The flag that sets the floor: the one that appeared last. */
export const FLOOR_FLAG: RenderedFlag = RENDERED_FLAGS.reduce((a, b) =>
  b.since > a.since ? b : a,
);

/** Kubernetes minor of the oldest supported k3s release. */
export const FLOOR_MINOR = FLOOR_FLAG.since;

/** The oldest supported k3s release: the first of the floor's minor line. */
export const K3S_VERSION_FLOOR = `v1.${FLOOR_MINOR}.0+k3s1`;

export interface K3sVersion {
  readonly minor: number;
  readonly patch: number;
  readonly build: number;
}

const K3S_RELEASE = /^v1\.(\d+)\.(\d+)\+k3s(\d+)$/;

/** Parses `v1.<minor>.<patch>+k3s<build>`; undefined for anything else. */
export function parseK3sVersion(s: string): K3sVersion | undefined {
  const m = K3S_RELEASE.exec(s);
  if (!m) return undefined;
  const [minor, patch, build] = [m[1], m[2], m[3]].map(Number);
  if (![minor, patch, build].every(Number.isSafeInteger)) return undefined;
  return { minor, patch, build };
}

/** Why `version` is below the floor, or undefined when it is supported. */
export function versionFloorProblem(raw: string, version: K3sVersion): string | undefined {
  if (version.minor >= FLOOR_MINOR) return undefined;
  const f = FLOOR_FLAG;
  return `${raw} is older than the supported floor ${K3S_VERSION_FLOOR} (the node renders ${f.component} flag ${f.name}, added in Kubernetes 1.${f.since}); use ${CURRENT_K3S_RELEASE} or newer`;
}
