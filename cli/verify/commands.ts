/**
 * Every command `--verify` runs, as the argv the Machines API's exec endpoint
 * takes (one element per argument, never a shell line built from values), and
 * the two small scripts it runs inside its own pods. The scripts take their
 * inputs as arguments (`sh -c SCRIPT NAME ARG...`), so no value is ever pasted
 * into shell text. Their output formats are read by parse.ts. Pure.
 */
import { K3S_DATA_DIR } from "../../contract/node-paths";
import { HTTP_PORT, NAMES, VERIFY_NAMESPACE } from "./manifests";

const kubectl = (...args: string[]): string[] => ["k3s", "kubectl", ...args];
const inNamespace = (...args: string[]): string[] => kubectl("-n", VERIFY_NAMESPACE, ...args);

/** Exit 0 when the node image holds k3s; a missing binary is what tells "no Kubernetes". */
export const K3S_VERSION = ["k3s", "--version"] as const;

/** The node list (k8s.io/api core/v1 NodeList) as this server's API server sees it. */
export const GET_NODES = kubectl("get", "nodes", "-o", "json");

/** `ok` when this server's API server can read from etcd (a quorum read through its own member). */
export const ETCD_READYZ = kubectl("get", "--raw", "/readyz/etcd");

/**
 * etcd's own member list, from the local member's gRPC gateway
 * (`POST /v3/cluster/member/list`, etcd server/embed/serve.go), with the
 * client certificate k3s gives kube-apiserver for etcd
 * (`--etcd-certfile=<data-dir>/server/tls/etcd/client.crt`). k3s bundles no
 * etcdctl, and its own `/db/info` member list wants the `k3s:server` role
 * (pkg/server/auth/auth.go HasRole), which the admin kubeconfig does not have.
 * curl is in the node image (images/k3s-node/Dockerfile).
 */
export const ETCD_MEMBERS = [
  "curl",
  "--silent",
  "--show-error",
  "--fail",
  "--max-time",
  "10",
  "--cacert",
  `${K3S_DATA_DIR}/server/tls/etcd/server-ca.crt`,
  "--cert",
  `${K3S_DATA_DIR}/server/tls/etcd/client.crt`,
  "--key",
  `${K3S_DATA_DIR}/server/tls/etcd/client.key`,
  "--request",
  "POST",
  "--header",
  "Content-Type: application/json",
  "--data",
  "{}",
  "https://127.0.0.1:2379/v3/cluster/member/list",
] as const;

/** Applies the YAML given on stdin. */
export const APPLY = kubectl("apply", "-f", "-");

/**
 * Removes the namespace and everything in it. `--wait=false`: the API server
 * finishes the removal on its own, so an interrupted run leaves nothing
 * behind even if this process exits right after.
 */
export const DELETE_NAMESPACE = kubectl(
  "delete",
  "namespace",
  VERIFY_NAMESPACE,
  "--ignore-not-found",
  "--wait=false",
);

/** Removes a namespace an earlier run left, and waits until it is gone (before applying anew). */
export const kubectlDeleteNamespaceAndWait = (timeoutSec: number): string[] =>
  kubectl(
    "delete",
    "namespace",
    VERIFY_NAMESPACE,
    "--ignore-not-found",
    "--wait=true",
    `--timeout=${timeoutSec}s`,
  );

/** The namespace's pods (k8s.io/api core/v1 PodList). */
export const GET_PODS = inNamespace("get", "pods", "-o", "json");

/** The namespace's Services (core/v1 ServiceList). */
export const GET_SERVICES = inNamespace("get", "services", "-o", "json");

/** Waits until the DaemonSet has a Ready pod on every node it targets. */
export const waitDaemonSet = (name: string, timeoutSec: number): string[] =>
  inNamespace("rollout", "status", `daemonset/${name}`, `--timeout=${timeoutSec}s`);

/** Waits for one pod to be Ready. */
export const waitPodReady = (pod: string, timeoutSec: number): string[] =>
  inNamespace("wait", "--for=condition=Ready", `pod/${pod}`, `--timeout=${timeoutSec}s`);

/** Waits for one pod to run to completion. */
export const waitPodSucceeded = (pod: string, timeoutSec: number): string[] =>
  inNamespace(
    "wait",
    "--for=jsonpath={.status.phase}=Succeeded",
    `pod/${pod}`,
    `--timeout=${timeoutSec}s`,
  );

export const deletePod = (pod: string, timeoutSec: number): string[] =>
  inNamespace("delete", "pod", pod, "--wait=true", `--timeout=${timeoutSec}s`);

export const podLogs = (pod: string): string[] => inNamespace("logs", pod);

/** The claim's PersistentVolume name. */
export const CLAIM_VOLUME = inNamespace(
  "get",
  "pvc",
  NAMES.claim,
  "-o",
  "jsonpath={.spec.volumeName}",
);

export const getVolume = (pv: string): string[] => kubectl("get", "pv", pv, "-o", "json");

/**
 * Asks every target `http://TARGET:PORT/` at once and prints one line each:
 * `probe TARGET ok ANSWER` (the answer is the serving pod's node name) or
 * `probe TARGET fail`. busybox's `timeout` bounds each attempt, so a dropped
 * packet costs seconds, not a TCP timeout.
 */
export const PROBE_SCRIPT = [
  'for t in "$@"; do',
  "  (",
  `    if a=$(timeout 5 wget -q -O - "http://$t:${HTTP_PORT}/" 2>/dev/null); then`,
  '      echo "probe $t ok $(echo "$a" | head -n 1)"',
  "    else",
  '      echo "probe $t fail"',
  "    fi",
  "  ) &",
  "done",
  "wait",
].join("\n");

/**
 * Resolves every name with the pod's own resolver (search path and ndots of
 * its resolv.conf, as applications see them): busybox `ping` resolves through
 * libc and prints `PING NAME (ADDRESS)` before it sends anything (busybox
 * networking/ping.c). busybox `nslookup` is no use here: it reads only the
 * `nameserver` lines of resolv.conf (networking/nslookup.c
 * parse_resolvconf), so `kubernetes.default` would never be expanded.
 * One line each: `resolve NAME ok ADDRESS` or `resolve NAME fail WHAT`.
 */
export const RESOLVE_SCRIPT = [
  'for n in "$@"; do',
  '  out=$(ping -c 1 -W 2 "$n" 2>&1)',
  "  a=$(echo \"$out\" | sed -n 's/^PING [^ ]* (\\([^)]*\\)).*/\\1/p' | head -n 1)",
  '  if [ -n "$a" ]; then echo "resolve $n ok $a"; else echo "resolve $n fail $(echo "$out" | head -n 1)"; fi',
  "done",
].join("\n");

/** Runs a script in a pod of the namespace, the targets as its arguments. */
export const inPod = (pod: string, script: string, args: readonly string[]): string[] =>
  inNamespace("exec", pod, "--", "sh", "-c", script, "verify", ...args);

/** How a pod is asked for an address: IPv6 literals in brackets, as in a URL. */
export const urlHost = (ip: string): string => (ip.includes(":") ? `[${ip}]` : ip);

/** flannel's devices (render-config.sh; flannel pkg/backend/wireguard/wireguard.go, pkg/backend/vxlan/vxlan.go). */
export const FLANNEL_WG_DEVICE = "flannel-wg";
export const FLANNEL_VXLAN_V6_DEVICE = "flannel-v6.1";

/**
 * The machine's clock, then `wg show flannel-wg latest-handshakes` (one
 * `PUBLIC-KEY<TAB>UNIX-SECONDS` line per peer, 0 for never: wireguard-tools
 * src/show.c). Run on the machine, not in a pod.
 */
export const WG_HANDSHAKES = [
  "sh",
  "-c",
  `date +%s && wg show ${FLANNEL_WG_DEVICE} latest-handshakes`,
] as const;

/** The IPv6 VXLAN device's forwarding entries, one per remote node (iproute2 bridge/fdb.c). */
export const VXLAN_FDB = ["bridge", "fdb", "show", "dev", FLANNEL_VXLAN_V6_DEVICE] as const;

/** The machine's IPv6 routes (iproute2 ip/iproute.c). */
export const IPV6_ROUTES = ["ip", "-6", "route", "show"] as const;

/** Reads the file the writer pod left, from the machine's side of the volume. */
export const readOnMachine = (dir: string): string[] => ["cat", `${dir}/${VOLUME_FILE}`];

/** The file the volume check writes in its claim. */
export const VOLUME_FILE = "verify.txt";
