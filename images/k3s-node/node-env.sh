# shellcheck shell=bash
# Generated from NODE_ENV_VARS in contract/node-env.ts by `npm run image -- --write-env`;
# do not edit. The node environment: every variable the image's scripts read, who
# sets it, and its default. entrypoint.sh and render-config.sh source this file.

# K3S_ROLE (stack): server or agent

# K3S_BOOTSTRAP (stack): true on the server the stack names to found the cluster; without etcd data of its own it founds only when the deploy says so in K3S_DECISION_FILE (datastore.sh)
: "${K3S_BOOTSTRAP:=false}"

# K3S_CLUSTER_NAME (stack): cluster name (written as a comment)

# K3S_VERSION (stack): k3s release; written as a comment and compared with `k3s --version` (warning only)

# K3S_CP_APP (stack): control-plane app; agents join https://<cp-app>.internal:6443, servers add it to tls-san

# K3S_BOOTSTRAP_SERVER (stack): joining servers: the server to join (host, host:port, IPv6 literal or URL)

# K3S_API_PORT (image): the port k3s serves its API on (config/naming.ts); added to a K3S_BOOTSTRAP_SERVER that names none
# shellcheck disable=SC2034
K3S_API_PORT=6443

# K3S_CLUSTER_CIDR (stack): pod ranges, IPv6 first (every node: flannel net-conf)

# K3S_SERVICE_CIDR (stack): servers: service ranges, IPv6 first

# K3S_CLUSTER_DNS (stack): servers: cluster DNS address (IPv6)

# K3S_ZONE (stack): volume zone; node label topology.kubernetes.io/zone

# K3S_DATA_DIR (stack): k3s data dir, on the volume
: "${K3S_DATA_DIR:=/data/k3s}"

# K3S_TOKEN_FILE (stack): join token file, written by the join step through exec (only the path goes into the config)
: "${K3S_TOKEN_FILE:=/data/k3s-token}"

# K3S_FLANNEL_BACKEND (stack): flannel backend of the whole cluster, wireguard or vxlan (config FLANNEL_BACKEND); the node refuses to start when its kernel cannot create that device

# K3S_DECISION_FILE (stack): where the deploy writes, on a bootstrap server without etcd data, found or join <server URL> (ops/bootstrap.ts)
: "${K3S_DECISION_FILE:=/data/fly-k3s/cluster-decision}"

# K3S_STATE_DIR (knob): fly-k3s state on the volume (last 6PN address, config history)
: "${K3S_STATE_DIR:=$(dirname -- "$K3S_DATA_DIR")/fly-k3s}"

# K3S_CONFIG_FILE (knob): where the k3s config is rendered
: "${K3S_CONFIG_FILE:=/etc/rancher/k3s/config.yaml}"

# K3S_NODE_LABELS (knob): extra node labels k=v,k2=v2 (the stack does not set it)

# K3S_WAIT_TIMEOUT (knob): seconds to wait for the 6PN address and the join token (the restart policy retries after)
: "${K3S_WAIT_TIMEOUT:=3600}"

# K3S_SKIP_KERNEL_CHECK (knob): 1: start even if required kernel options are missing
: "${K3S_SKIP_KERNEL_CHECK:=0}"

# K3S_KERNEL_CONFIG (knob): kernel config to check instead of /proc/config.gz

# K3S_ETH0_IPV4 (test): eth0's IPv4 instead of asking ip (set and empty: none)

# K3S_ETH0_MTU (test): eth0's MTU instead of /sys/class/net/eth0/mtu

# K3S_LINK_TYPES (test): link types the kernel can create (wireguard vxlan), instead of trying ip link add

# K3S_CGROUP_FSTYPE (test): instead of stat -fc %T /sys/fs/cgroup

# K3S_SYSCTL_DIR (test): instead of /proc/sys
: "${K3S_SYSCTL_DIR:=/proc/sys}"

# K3S_CP_HOST (knob): the control plane's .internal name (config/naming.ts): agents' server URL, servers' tls-san
: "${K3S_CP_HOST:=${K3S_CP_APP:-}.internal}"

# K3S_SERVER_URL (knob): the API server URL agents join (config/naming.ts)
: "${K3S_SERVER_URL:=https://${K3S_CP_HOST}:6443}"

# K3S_NODE_NAME (knob): the Kubernetes node name: the machine's own .internal name (config/naming.ts)
: "${K3S_NODE_NAME:=${FLY_MACHINE_ID:-}.vm.${FLY_APP_NAME:-}.internal}"

# K3S_PEER_PING_URL (test): the URL that tells whether another server is up
: "${K3S_PEER_PING_URL:=${K3S_SERVER_URL}/ping}"

# K3S_SNAPSHOT_SCHEDULE (stack): servers: etcd-snapshot-schedule-cron, the cron schedule of k3s's scheduled snapshots (config SNAPSHOT_SCHEDULE)

# K3S_SNAPSHOT_RETENTION (stack): servers: etcd-snapshot-retention, scheduled snapshots kept (config SNAPSHOT_RETENTION)

# K3S_SNAPSHOT_S3_BUCKET (stack): servers: etcd-s3-bucket; set: snapshots also go to S3 (etcd-s3: true), with the credentials of K3S_S3_CREDENTIALS_FILE (config SNAPSHOT_S3_BUCKET)

# K3S_SNAPSHOT_S3_ENDPOINT (stack): servers with a bucket: etcd-s3-endpoint, host[:port] (config SNAPSHOT_S3_ENDPOINT)

# K3S_SNAPSHOT_S3_REGION (stack): servers with a bucket: etcd-s3-region (config SNAPSHOT_S3_REGION)

# K3S_SNAPSHOT_S3_FOLDER (stack): servers with a bucket: etcd-s3-folder (config SNAPSHOT_S3_FOLDER)

# K3S_SNAPSHOT_S3_INSECURE (stack): servers with a bucket: true renders etcd-s3-insecure, plain HTTP (config SNAPSHOT_S3_INSECURE)

# K3S_S3_CREDENTIALS_FILE (knob): the S3 credentials file the deploy writes through exec (0600, on the volume; ops/s3-credentials.ts); rendered into config.yaml, never in the machine env
: "${K3S_S3_CREDENTIALS_FILE:=/data/fly-k3s/s3-credentials}"

# Every name above: the entrypoint clears them all before it execs k3s, which
# reads several of the same names (K3S_DATA_DIR, K3S_TOKEN_FILE, K3S_CONFIG_FILE).
# shellcheck disable=SC2034
NODE_ENV_NAMES=(K3S_ROLE K3S_BOOTSTRAP K3S_CLUSTER_NAME K3S_VERSION K3S_CP_APP K3S_BOOTSTRAP_SERVER K3S_API_PORT K3S_CLUSTER_CIDR K3S_SERVICE_CIDR K3S_CLUSTER_DNS K3S_ZONE K3S_DATA_DIR K3S_TOKEN_FILE K3S_FLANNEL_BACKEND K3S_DECISION_FILE K3S_STATE_DIR K3S_CONFIG_FILE K3S_NODE_LABELS K3S_WAIT_TIMEOUT K3S_SKIP_KERNEL_CHECK K3S_KERNEL_CONFIG K3S_ETH0_IPV4 K3S_ETH0_MTU K3S_LINK_TYPES K3S_CGROUP_FSTYPE K3S_SYSCTL_DIR K3S_CP_HOST K3S_SERVER_URL K3S_NODE_NAME K3S_PEER_PING_URL K3S_SNAPSHOT_SCHEDULE K3S_SNAPSHOT_RETENTION K3S_SNAPSHOT_S3_BUCKET K3S_SNAPSHOT_S3_ENDPOINT K3S_SNAPSHOT_S3_REGION K3S_SNAPSHOT_S3_FOLDER K3S_SNAPSHOT_S3_INSECURE K3S_S3_CREDENTIALS_FILE)
