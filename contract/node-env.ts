/**
 * The node environment contract: `NODE_ENV_VARS` is the one place that names
 * every variable the node image reads and gives its default. The stack sets
 * the machine env from it (constructs/node-env.ts); the image's scripts source
 * `images/k3s-node/node-env.sh`, which `nodeEnvScript` writes from it
 * (`npm run image -- --write-env`), and __tests__/node-image/node-env.test.ts
 * fails when the file is stale, when a script uses a K3S_* name the table does
 * not define, or when no script reads an entry. Pure.
 */
import {
  K3S_API_PORT,
  apiServerUrlOn,
  appInternalHost,
  machineInternalName,
} from "../config/naming";
import { DECISION_FILE, JOIN_TOKEN_FILE, K3S_DATA_DIR, S3_CREDENTIALS_FILE } from "./node-paths";

/**
 * Who sets a variable: the stack (machine env), an operator (knob), a test, or
 * nobody: a constant the image shares with the TypeScript side (image).
 */
export type NodeEnvSetBy = "stack" | "knob" | "test" | "image";

export interface NodeEnvVar {
  readonly setBy: NodeEnvSetBy;
  /** What it means, in the operator's words. */
  readonly doc: string;
  /**
   * Literal default, applied when the variable is unset or empty; for an
   * `image` constant, its value. @default none
   */
  readonly default?: string;
  /**
   * Default computed in the shell from variables defined before it in the
   * table (a bash word, double-quoted context). @default none
   */
  readonly shellDefault?: string;
}

/** Every variable the node image reads, in the order the defaults are applied. */
export const NODE_ENV_VARS = {
  K3S_ROLE: { setBy: "stack", doc: "server or agent" },
  K3S_BOOTSTRAP: {
    setBy: "stack",
    doc: "true on the server the stack names to found the cluster; without etcd data of its own it founds only when the deploy says so in K3S_DECISION_FILE (datastore.sh)",
    default: "false",
  },
  K3S_CLUSTER_NAME: { setBy: "stack", doc: "cluster name (written as a comment)" },
  K3S_VERSION: {
    setBy: "stack",
    doc: "k3s release; written as a comment and compared with `k3s --version` (warning only)",
  },
  K3S_CP_APP: {
    setBy: "stack",
    doc: `control-plane app; agents join ${apiServerUrlOn("<cp-app>.internal")}, servers add it to tls-san`,
  },
  K3S_BOOTSTRAP_SERVER: {
    setBy: "stack",
    doc: "joining servers: the server to join (host, host:port, IPv6 literal or URL)",
  },
  K3S_API_PORT: {
    setBy: "image",
    doc: "the port k3s serves its API on (config/naming.ts); added to a K3S_BOOTSTRAP_SERVER that names none",
    default: String(K3S_API_PORT),
  },
  K3S_CLUSTER_CIDR: {
    setBy: "stack",
    doc: "pod ranges, IPv6 first (every node: flannel net-conf)",
  },
  K3S_SERVICE_CIDR: { setBy: "stack", doc: "servers: service ranges, IPv6 first" },
  K3S_CLUSTER_DNS: { setBy: "stack", doc: "servers: cluster DNS address (IPv6)" },
  K3S_ZONE: { setBy: "stack", doc: "volume zone; node label topology.kubernetes.io/zone" },
  K3S_DATA_DIR: { setBy: "stack", doc: "k3s data dir, on the volume", default: K3S_DATA_DIR },
  K3S_TOKEN_FILE: {
    setBy: "stack",
    doc: "join token file, written by the join step through exec (only the path goes into the config)",
    default: JOIN_TOKEN_FILE,
  },
  K3S_FLANNEL_BACKEND: {
    setBy: "stack",
    doc: "flannel backend of the whole cluster, wireguard or vxlan (config FLANNEL_BACKEND); the node refuses to start when its kernel cannot create that device",
  },
  K3S_DECISION_FILE: {
    setBy: "stack",
    doc: "where the deploy writes, on a bootstrap server without etcd data, found or join <server URL> (ops/bootstrap.ts)",
    default: DECISION_FILE,
  },
  K3S_STATE_DIR: {
    setBy: "knob",
    doc: "fly-k3s state on the volume (last 6PN address, config history)",
    shellDefault: '$(dirname -- "$K3S_DATA_DIR")/fly-k3s',
  },
  K3S_CONFIG_FILE: {
    setBy: "knob",
    doc: "where the k3s config is rendered",
    default: "/etc/rancher/k3s/config.yaml",
  },
  K3S_NODE_LABELS: {
    setBy: "knob",
    doc: "extra node labels k=v,k2=v2 (the stack does not set it)",
  },
  K3S_WAIT_TIMEOUT: {
    setBy: "knob",
    doc: "seconds to wait for the 6PN address and the join token (the restart policy retries after)",
    default: "3600",
  },
  K3S_SKIP_KERNEL_CHECK: {
    setBy: "knob",
    doc: "1: start even if required kernel options are missing",
    default: "0",
  },
  K3S_KERNEL_CONFIG: {
    setBy: "knob",
    doc: "kernel config to check instead of /proc/config.gz",
  },
  K3S_ETH0_IPV4: {
    setBy: "test",
    doc: "eth0's IPv4 instead of asking ip (set and empty: none)",
  },
  K3S_ETH0_MTU: { setBy: "test", doc: "eth0's MTU instead of /sys/class/net/eth0/mtu" },
  K3S_LINK_TYPES: {
    setBy: "test",
    doc: "link types the kernel can create (wireguard vxlan), instead of trying ip link add",
  },
  K3S_CGROUP_FSTYPE: { setBy: "test", doc: "instead of stat -fc %T /sys/fs/cgroup" },
  K3S_SYSCTL_DIR: { setBy: "test", doc: "instead of /proc/sys", default: "/proc/sys" },
  K3S_CP_HOST: {
    setBy: "knob",
    doc: "the control plane's .internal name (config/naming.ts): agents' server URL, servers' tls-san",
    shellDefault: appInternalHost("${K3S_CP_APP:-}"),
  },
  K3S_SERVER_URL: {
    setBy: "knob",
    doc: "the API server URL agents join (config/naming.ts)",
    shellDefault: apiServerUrlOn("${K3S_CP_HOST}"),
  },
  K3S_NODE_NAME: {
    setBy: "knob",
    doc: "the Kubernetes node name: the machine's own .internal name (config/naming.ts)",
    shellDefault: machineInternalName("${FLY_APP_NAME:-}", "${FLY_MACHINE_ID:-}"),
  },
  K3S_PEER_PING_URL: {
    setBy: "test",
    doc: "the URL that tells whether another server is up",
    shellDefault: "${K3S_SERVER_URL}/ping",
  },
  // etcd snapshots, servers only (config SNAPSHOT_*: config/snapshots.ts snapshotNodeEnv; README
  // "Etcd snapshots"). Unset: render-config.sh leaves the setting to k3s's default.
  K3S_SNAPSHOT_SCHEDULE: {
    setBy: "stack",
    doc: "servers: etcd-snapshot-schedule-cron, the cron schedule of k3s's scheduled snapshots (config SNAPSHOT_SCHEDULE)",
  },
  K3S_SNAPSHOT_RETENTION: {
    setBy: "stack",
    doc: "servers: etcd-snapshot-retention, scheduled snapshots kept (config SNAPSHOT_RETENTION)",
  },
  K3S_SNAPSHOT_S3_BUCKET: {
    setBy: "stack",
    doc: "servers: etcd-s3-bucket; set: snapshots also go to S3 (etcd-s3: true), with the credentials of K3S_S3_CREDENTIALS_FILE (config SNAPSHOT_S3_BUCKET)",
  },
  K3S_SNAPSHOT_S3_ENDPOINT: {
    setBy: "stack",
    doc: "servers with a bucket: etcd-s3-endpoint, host[:port] (config SNAPSHOT_S3_ENDPOINT)",
  },
  K3S_SNAPSHOT_S3_REGION: {
    setBy: "stack",
    doc: "servers with a bucket: etcd-s3-region (config SNAPSHOT_S3_REGION)",
  },
  K3S_SNAPSHOT_S3_FOLDER: {
    setBy: "stack",
    doc: "servers with a bucket: etcd-s3-folder (config SNAPSHOT_S3_FOLDER)",
  },
  K3S_SNAPSHOT_S3_INSECURE: {
    setBy: "stack",
    doc: "servers with a bucket: true renders etcd-s3-insecure, plain HTTP (config SNAPSHOT_S3_INSECURE)",
  },
  K3S_S3_CREDENTIALS_FILE: {
    setBy: "knob",
    doc: "the S3 credentials file the deploy writes through exec (0600, on the volume; ops/s3-credentials.ts); rendered into config.yaml, never in the machine env",
    default: S3_CREDENTIALS_FILE,
  },
} as const satisfies Record<string, NodeEnvVar>;

export type NodeEnvName = keyof typeof NODE_ENV_VARS;

/** Where the image keeps the rendered contract, relative to the repository root. */
export const NODE_ENV_SCRIPT_PATH = "images/k3s-node/node-env.sh";

/** The shell file the image's scripts source: names, docs and defaults. Pure. */
export function nodeEnvScript(): string {
  const lines = [
    "# shellcheck shell=bash",
    "# Generated from NODE_ENV_VARS in contract/node-env.ts by `npm run image -- --write-env`;",
    "# do not edit. The node environment: every variable the image's scripts read, who",
    "# sets it, and its default. entrypoint.sh and render-config.sh source this file.",
  ];
  for (const [name, v] of Object.entries(NODE_ENV_VARS) as [string, NodeEnvVar][]) {
    lines.push("", `# ${name} (${v.setBy}): ${v.doc}`);
    if (v.setBy === "image") {
      // A constant: assigned, not defaulted, so no environment changes it.
      lines.push("# shellcheck disable=SC2034", `${name}=${v.default}`);
    } else if (v.default !== undefined) {
      if (!/^[A-Za-z0-9_./:-]*$/.test(v.default)) {
        throw new Error(`${name}: default ${JSON.stringify(v.default)} needs quoting`);
      }
      lines.push(`: "\${${name}:=${v.default}}"`);
    } else if (v.shellDefault !== undefined) {
      lines.push(`: "\${${name}:=${v.shellDefault}}"`);
    }
  }
  lines.push(
    "",
    "# Every name above: the entrypoint clears them all before it execs k3s, which",
    "# reads several of the same names (K3S_DATA_DIR, K3S_TOKEN_FILE, K3S_CONFIG_FILE).",
    "# shellcheck disable=SC2034",
    `NODE_ENV_NAMES=(${Object.keys(NODE_ENV_VARS).join(" ")})`,
  );
  return lines.join("\n") + "\n";
}
