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
