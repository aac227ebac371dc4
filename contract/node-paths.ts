/**
 * Paths inside a node machine: the stack puts them in the machine env, the
 * provisioners use them through exec, the image's scripts read them. Pure.
 */

/** Where the Fly volume is mounted. */
export const VOLUME_MOUNT_PATH = "/data";
/** k3s data directory, on the volume. */
export const K3S_DATA_DIR = `${VOLUME_MOUNT_PATH}/k3s`;
/** The secure-format server token the bootstrap server writes. */
export const SERVER_TOKEN_FILE = `${K3S_DATA_DIR}/server/token`;
/** Where the join provisioner writes the token on a joining node (mode 0600, on the volume). */
export const JOIN_TOKEN_FILE = `${VOLUME_MOUNT_PATH}/k3s-token`;
/** The admin kubeconfig k3s writes on servers. */
export const ADMIN_KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";
/**
 * Where the deploy tells a bootstrap server without etcd data whether to found
 * the cluster (`found`) or join a running server (`join <URL>`); on the
 * volume, next to the node's other fly-k3s state.
 */
export const DECISION_FILE = `${VOLUME_MOUNT_PATH}/fly-k3s/cluster-decision`;
/** etcd's write-ahead log: k3s restarts an etcd member exactly when it exists. */
export const ETCD_WAL_DIR = `${K3S_DATA_DIR}/server/db/etcd/member/wal`;

// --- ./k3s.sh --restore (ops/restore.ts): one-shot instructions for a server's next boot ---
// In the node's state dir (K3S_STATE_DIR: by default fly-k3s/ next to the data dir, as here);
// the entrypoint follows and removes them (images/k3s-node/datastore.sh has the table).

/** The node's fly-k3s state on the volume (K3S_STATE_DIR's default). */
export const NODE_STATE_DIR = `${VOLUME_MOUNT_PATH}/fly-k3s`;
/** Names the etcd snapshot this server restores (cluster-reset) at its next boot. */
export const RESTORE_FILE = `${NODE_STATE_DIR}/restore`;
/** What RESTORE_FILE becomes when k3s did not complete the restore. */
export const RESTORE_FAILED_FILE = `${NODE_STATE_DIR}/restore.failed`;
/** Tells this server to move its etcd data aside at its next boot and join the restored one. */
export const REJOIN_FILE = `${NODE_STATE_DIR}/rejoin`;
/** Where k3s keeps local etcd snapshots by default (`etcd-snapshot-dir`). */
export const ETCD_SNAPSHOT_DIR = `${K3S_DATA_DIR}/server/db/snapshots`;

// --- etcd snapshots to S3 (ops/s3-credentials.ts writes, images/k3s-node/render-config.sh reads) ---

/**
 * The S3 credentials of the etcd snapshots: written by the deploy through exec
 * stdin (mode 0600, on the volume), never in a machine's environment; one
 * `etcd-s3-access-key=…` and one `etcd-s3-secret-key=…` line.
 */
export const S3_CREDENTIALS_FILE = `${VOLUME_MOUNT_PATH}/fly-k3s/s3-credentials`;
/**
 * The sha256 of the credentials file that render-config.sh last rendered into
 * config.yaml, i.e. those k3s started with: the deploy compares it with the file.
 */
export const S3_CREDENTIALS_RENDERED_FILE = `${S3_CREDENTIALS_FILE}.rendered`;
