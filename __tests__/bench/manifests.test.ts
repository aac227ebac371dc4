import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";

const repoRoot = path.resolve(__dirname, "..", "..");
const manifestsDir = path.join(repoRoot, "bench", "manifests");

const API_VERSION_OF_KIND: Record<string, string> = {
  ConfigMap: "v1",
  Job: "batch/v1",
  Kustomization: "kustomize.config.k8s.io/v1beta1",
  PersistentVolumeClaim: "v1",
  Pod: "v1",
  Service: "v1",
};

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function load(relative: string): Obj[] {
  const text = fs.readFileSync(path.join(manifestsDir, relative), "utf8");
  return parseAllDocuments(text).map((doc) => doc.toJS() as Obj);
}

function find(docs: Obj[], kind: string): Obj {
  const matches = docs.filter((d) => d.kind === kind);
  expect(matches).toHaveLength(1);
  return matches[0];
}

describe("bench/manifests", () => {
  const files = yamlFiles(manifestsDir);

  it("finds the benchmark manifests", () => {
    const names = files.map((f) => path.relative(manifestsDir, f)).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        "benchmarks/fio-job.yaml",
        "benchmarks/iperf3-client.yaml",
        "benchmarks/iperf3-server.yaml",
      ]),
    );
  });

  it.each(files.map((f) => [path.relative(repoRoot, f), f]))(
    "%s parses, and every document has a known kind and its apiVersion",
    (_name, file) => {
      const docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(doc.errors).toEqual([]);
        const obj = doc.toJS() as Obj;
        expect(Object.keys(API_VERSION_OF_KIND)).toContain(obj.kind);
        expect(obj.apiVersion).toBe(API_VERSION_OF_KIND[obj.kind]);
        if (obj.kind !== "Kustomization") {
          expect(typeof obj.metadata?.name).toBe("string");
        }
      }
    },
  );

  it("lists every benchmark in the kustomization", () => {
    const kustomization = find(load("benchmarks/kustomization.yaml"), "Kustomization");
    const others = files
      .filter((f) => path.dirname(f) === path.join(manifestsDir, "benchmarks"))
      .map((f) => path.basename(f))
      .filter((f) => f !== "kustomization.yaml")
      .sort();
    expect([...kustomization.resources].sort()).toEqual(others);
  });

  describe("iperf3", () => {
    const server = find(load("benchmarks/iperf3-server.yaml"), "Pod");
    const client = find(load("benchmarks/iperf3-client.yaml"), "Pod");

    it.each([
      ["server", server],
      ["client", client],
    ])("%s avoids control-plane nodes and any node already running the other pod", (_n, pod) => {
      const antiAffinity =
        pod.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      expect(antiAffinity).toHaveLength(1);
      expect(antiAffinity[0].topologyKey).toBe("kubernetes.io/hostname");
      // The selector must match both pods, whichever is scheduled first.
      for (const [key, value] of Object.entries(antiAffinity[0].labelSelector.matchLabels)) {
        expect(server.metadata.labels[key]).toBe(value);
        expect(client.metadata.labels[key]).toBe(value);
      }
      const nodeTerms =
        pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
          .nodeSelectorTerms;
      expect(nodeTerms[0].matchExpressions).toContainEqual({
        key: "node-role.kubernetes.io/control-plane",
        operator: "DoesNotExist",
      });
      expect(pod.spec.tolerations).toBeUndefined();
      expect(pod.spec.containers[0].image).toBe("fly-k3s/iperf3:latest");
    });

    it("serves on 5201 behind an IPv6-first dual-stack Service", () => {
      expect(server.spec.containers[0].command).toEqual(["iperf3", "--server", "--port", "5201"]);
      const service = find(load("benchmarks/iperf3-server.yaml"), "Service");
      expect(service.spec.ipFamilies).toEqual(["IPv6", "IPv4"]);
      expect(service.spec.selector).toEqual({
        "app.kubernetes.io/name": server.metadata.labels["app.kubernetes.io/name"],
      });
    });
  });

  describe("fio", () => {
    const docs = load("benchmarks/fio-job.yaml");
    const job = find(docs, "Job");
    const claim = find(docs, "PersistentVolumeClaim");
    const jobFile: string = find(docs, "ConfigMap").data["benchmark.fio"];

    it("runs on a local-path volume and prints JSON", () => {
      expect(claim.spec.storageClassName).toBe("local-path");
      const pod = job.spec.template.spec;
      expect(pod.volumes).toContainEqual({
        name: "data",
        persistentVolumeClaim: { claimName: claim.metadata.name },
      });
      expect(pod.containers[0].command).toContain("--output-format=json");
      expect(pod.containers[0].image).toBe("fly-k3s/fio:latest");
    });

    it("measures 4k random read/write and 1M sequential read/write with direct I/O", () => {
      const sections = jobFile.split(/^\[/m).slice(1);
      const jobs = Object.fromEntries(
        sections.map((s) => {
          const [name, ...body] = s.split("\n");
          const opts = Object.fromEntries(
            body.filter((l) => l.includes("=")).map((l) => l.trim().split("=", 2)),
          );
          return [name.replace("]", ""), opts];
        }),
      );
      expect(jobs.global).toMatchObject({ direct: "1", ioengine: "libaio" });
      expect(jobs["rand-read-4k"]).toMatchObject({ rw: "randread", bs: "4k" });
      expect(jobs["rand-write-4k"]).toMatchObject({ rw: "randwrite", bs: "4k" });
      expect(jobs["seq-read-1m"]).toMatchObject({ rw: "read", bs: "1m" });
      expect(jobs["seq-write-1m"]).toMatchObject({ rw: "write", bs: "1m" });
    });
  });
});
