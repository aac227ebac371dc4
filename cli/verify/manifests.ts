/**
 * The Kubernetes objects `--verify` applies, built as plain objects and
 * written as YAML for `k3s kubectl apply -f -`. Everything lives in one
 * namespace, removed afterwards. Pure.
 *
 * The image is busybox (docker.io/library/busybox, the musl build): about
 * 1 MB, with `httpd`, `wget`, `ping` and `timeout`; musl's resolver applies
 * the pod's search path and ndots as an application's would.
 */
import { stringify } from "yaml";
import { CONTROL_PLANE_TAINT } from "../../ops/taint";

export const VERIFY_NAMESPACE = "fly-k3s-verify";
export const VERIFY_IMAGE = "docker.io/library/busybox:1.37.0-musl";
/** The port every verify pod serves its node name on. */
export const HTTP_PORT = 8080;

export const NAMES = {
  daemonSet: "verify-net",
  backend: "verify-backend",
  serviceV6: "verify-ipv6",
  serviceV4: "verify-ipv4",
  claim: "verify-data",
  writer: "verify-writer",
  reader: "verify-reader",
} as const;

const PART_OF = "app.kubernetes.io/part-of";
const COMPONENT = "app.kubernetes.io/component";

type Obj = Record<string, unknown>;

/** `key=value:Effect` (the project's taint) as the toleration that lets a pod run there. */
export function tolerationFor(taint: string): Obj {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(taint);
  if (!m) throw new Error(`not a taint of the form key=value:Effect: ${JSON.stringify(taint)}`);
  const [, key, value, effect] = m;
  return value === undefined
    ? { key, operator: "Exists", effect }
    : { key, operator: "Equal", value, effect };
}

const labels = (component: string): Record<string, string> => ({
  [PART_OF]: "fly-k3s-verify",
  [COMPONENT]: component,
});

/** Pins a pod to one node through the scheduler (a claim bound on first use needs the scheduler). */
const onNode = (node: string): Obj => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        { matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] },
      ],
    },
  },
});

/** What every verify pod shares: it runs on control-plane nodes too, stops at once, holds no token. */
const podBasics = (): Obj => ({
  tolerations: [tolerationFor(CONTROL_PLANE_TAINT)],
  terminationGracePeriodSeconds: 1,
  automountServiceAccountToken: false,
  enableServiceLinks: false,
});

const resources = { requests: { cpu: "10m", memory: "8Mi" }, limits: { memory: "32Mi" } };

/** busybox httpd serving the pod's node name, so every answer says who answered. */
const httpContainer = (): Obj => ({
  name: "http",
  image: VERIFY_IMAGE,
  command: [
    "sh",
    "-c",
    `mkdir -p /www && echo "$NODE_NAME" > /www/index.html && exec httpd -f -p ${HTTP_PORT} -h /www`,
  ],
  env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
  ports: [{ name: "http", containerPort: HTTP_PORT }],
  readinessProbe: { tcpSocket: { port: HTTP_PORT }, periodSeconds: 2 },
  resources,
});

export function namespace(): Obj {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: VERIFY_NAMESPACE } };
}

/** One pod on every node, control-plane nodes included: the ends of the pod matrix. */
export function netDaemonSet(): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: NAMES.daemonSet, namespace: VERIFY_NAMESPACE, labels: labels("net") },
    spec: {
      selector: { matchLabels: labels("net") },
      template: {
        metadata: { labels: labels("net") },
        spec: { ...podBasics(), containers: [httpContainer()] },
      },
    },
  };
}

/** A pod on `node` behind one single-stack ClusterIP Service per family. */
export function serviceObjects(node: string): Obj[] {
  const service = (name: string, family: "IPv6" | "IPv4"): Obj => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: VERIFY_NAMESPACE, labels: labels("backend") },
    spec: {
      type: "ClusterIP",
      ipFamilyPolicy: "SingleStack",
      ipFamilies: [family],
      selector: labels("backend"),
      ports: [{ name: "http", port: HTTP_PORT, targetPort: HTTP_PORT }],
    },
  });
  return [
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: NAMES.backend, namespace: VERIFY_NAMESPACE, labels: labels("backend") },
      spec: { ...podBasics(), affinity: onNode(node), containers: [httpContainer()] },
    },
    service(NAMES.serviceV6, "IPv6"),
    service(NAMES.serviceV4, "IPv4"),
  ];
}

/** The file the volume pods share, under the claim's mount. */
const MOUNT = "/verify";

const volumePod = (name: string, node: string, command: string[], env: Obj[] = []): Obj => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: VERIFY_NAMESPACE, labels: labels("volume") },
  spec: {
    ...podBasics(),
    affinity: onNode(node),
    restartPolicy: "Never",
    containers: [
      {
        name: "volume",
        image: VERIFY_IMAGE,
        command,
        env,
        volumeMounts: [{ name: "data", mountPath: MOUNT }],
        resources,
      },
    ],
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: NAMES.claim } }],
  },
});

/** A claim on k3s's local-path class and the pod that writes `token` into it on `node`. */
export function volumeWriterObjects(node: string, file: string, token: string): Obj[] {
  return [
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: NAMES.claim, namespace: VERIFY_NAMESPACE, labels: labels("volume") },
      spec: {
        storageClassName: "local-path",
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "16Mi" } },
      },
    },
    volumePod(
      NAMES.writer,
      node,
      ["sh", "-c", `echo "$TOKEN" > ${MOUNT}/${file} && sync`],
      [{ name: "TOKEN", value: token }],
    ),
  ];
}

/** A new pod, on the same node, that prints what the writer left. */
export function volumeReaderObject(node: string, file: string): Obj {
  return volumePod(NAMES.reader, node, ["cat", `${MOUNT}/${file}`]);
}

/** Objects as one YAML stream for `kubectl apply -f -`. */
export function toYaml(objects: readonly Obj[]): string {
  return objects.map((o) => stringify(o)).join("---\n");
}
