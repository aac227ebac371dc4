/** The objects `--verify` applies (cli/verify/manifests.ts), read back from their YAML. */
import { parseAllDocuments } from "yaml";
import {
  HTTP_PORT,
  NAMES,
  VERIFY_IMAGE,
  VERIFY_NAMESPACE,
  namespace,
  netDaemonSet,
  serviceObjects,
  toYaml,
  tolerationFor,
  volumeReaderObject,
  volumeWriterObjects,
} from "../../../cli/verify/manifests";
import { CONTROL_PLANE_TAINT } from "../../../ops/taint";

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

const NODE = "9080524f610e87.vm.demo-ng-a.internal";
const OTHER = "e2865013a59486.vm.demo-ng-a.internal";

function all(): K8sObject[] {
  const yaml = toYaml([
    namespace(),
    netDaemonSet(),
    ...serviceObjects(OTHER),
    ...volumeWriterObjects(NODE, "verify.txt", "t0k"),
    volumeReaderObject(NODE, "verify.txt"),
  ]);
  return parseAllDocuments(yaml).map((d) => d.toJSON() as K8sObject);
}

const podSpecs = (objs: K8sObject[]) =>
  objs.flatMap((o) =>
    o.kind === "Pod"
      ? [o.spec]
      : o.kind === "DaemonSet"
        ? [(o.spec.template as { spec: Record<string, unknown> }).spec]
        : [],
  );

describe("verify manifests", () => {
  it("are one YAML stream, every object in the verify namespace", () => {
    const objs = all();
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      `Namespace/${VERIFY_NAMESPACE}`,
      `DaemonSet/${NAMES.daemonSet}`,
      `Pod/${NAMES.backend}`,
      `Service/${NAMES.serviceV6}`,
      `Service/${NAMES.serviceV4}`,
      `PersistentVolumeClaim/${NAMES.claim}`,
      `Pod/${NAMES.writer}`,
      `Pod/${NAMES.reader}`,
    ]);
    for (const o of objs.slice(1)) expect(o.metadata.namespace).toBe(VERIFY_NAMESPACE);
  });

  it("every pod tolerates the control-plane taint the project applies, runs busybox and holds no token", () => {
    const specs = podSpecs(all());
    expect(specs).toHaveLength(4);
    for (const s of specs) {
      expect(s.tolerations).toEqual([tolerationFor(CONTROL_PLANE_TAINT)]);
      expect(s.automountServiceAccountToken).toBe(false);
      for (const c of s.containers as { image: string }[]) expect(c.image).toBe(VERIFY_IMAGE);
    }
    expect(tolerationFor(CONTROL_PLANE_TAINT)).toEqual({
      key: "CriticalAddonsOnly",
      operator: "Equal",
      value: "true",
      effect: "NoExecute",
    });
  });

  it("the DaemonSet selects its own pods, which serve their node name", () => {
    const ds = all()[1];
    const tmpl = ds.spec.template as {
      metadata: { labels: Record<string, string> };
      spec: { containers: { command: string[]; env: unknown[]; ports: unknown[] }[] };
    };
    expect((ds.spec.selector as { matchLabels: unknown }).matchLabels).toEqual(
      tmpl.metadata.labels,
    );
    const [c] = tmpl.spec.containers;
    expect(c.command.join(" ")).toContain(`httpd -f -p ${HTTP_PORT}`);
    expect(c.env).toEqual([
      { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
    ]);
  });

  it("one single-stack Service per family selects the backend pod, pinned to its node", () => {
    const objs = all();
    const backend = objs.find((o) => o.metadata.name === NAMES.backend) as K8sObject;
    for (const [name, family] of [
      [NAMES.serviceV6, "IPv6"],
      [NAMES.serviceV4, "IPv4"],
    ]) {
      const svc = objs.find((o) => o.metadata.name === name) as K8sObject;
      expect(svc.spec).toMatchObject({
        type: "ClusterIP",
        ipFamilyPolicy: "SingleStack",
        ipFamilies: [family],
        selector: backend.metadata.labels,
      });
    }
    expect(JSON.stringify(backend.spec.affinity)).toContain(
      `{"key":"metadata.name","operator":"In","values":["${OTHER}"]}`,
    );
  });

  it("the claim is on local-path, and writer and reader run on the same node through the scheduler", () => {
    const objs = all();
    const claim = objs.find((o) => o.kind === "PersistentVolumeClaim") as K8sObject;
    expect(claim.spec.storageClassName).toBe("local-path");
    for (const name of [NAMES.writer, NAMES.reader]) {
      const pod = objs.find((o) => o.metadata.name === name) as K8sObject;
      // Not nodeName: a claim bound on first use is provisioned only for a scheduled pod.
      expect(pod.spec.nodeName).toBeUndefined();
      expect(JSON.stringify(pod.spec.affinity)).toContain(NODE);
      expect(pod.spec.restartPolicy).toBe("Never");
    }
  });

  it("tolerationFor reads key=value:Effect and key:Effect, and refuses anything else", () => {
    expect(tolerationFor("dedicated:NoSchedule")).toEqual({
      key: "dedicated",
      operator: "Exists",
      effect: "NoSchedule",
    });
    expect(() => tolerationFor("CriticalAddonsOnly=true")).toThrow(
      'not a taint of the form key=value:Effect: "CriticalAddonsOnly=true"',
    );
  });
});
