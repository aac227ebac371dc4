/**
 * The recorded outputs of __tests__/fixtures/verify/ and a cluster that
 * answers `--verify`'s exec calls with them.
 *
 * Fixture format: `# ` lines say where the shape comes from; `#! exit N` and
 * `#! stderr` set the exit status and the stream (default 0, stdout);
 * `## NAME` starts a section (one per machine, or per target), whose own
 * `#!` lines apply to it. Everything else is the output, byte for byte.
 */
import * as fs from "fs";
import * as path from "path";
import { ClusterConfig } from "../../../config/schema";
import { Machine } from "../../../contract/machines-api-types";
import * as cmd from "../../../cli/verify/commands";
import { VerifyApi } from "../../../cli/verify/exec";
import { NAMES } from "../../../cli/verify/manifests";
import { ROUND_SEC } from "../../../cli/verify/apply";
import { ExecResult } from "../../../contract/machines-api-types";

const DIR = path.join(__dirname, "../../fixtures/verify");

export interface Recorded {
  readonly exit_code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function parseBlock(lines: string[]): Recorded {
  let exit = 0;
  let stderr = false;
  const body: string[] = [];
  for (const l of lines) {
    const d = /^#! (exit (\d+)|stderr)$/.exec(l);
    if (d) {
      if (d[2] !== undefined) exit = Number(d[2]);
      else stderr = true;
    } else if (!(body.length === 0 && /^# /.test(l))) body.push(l);
  }
  const text = body.join("\n");
  return { exit_code: exit, stdout: stderr ? "" : text, stderr: stderr ? text : "" };
}

function read(name: string): string {
  return fs.readFileSync(path.join(DIR, name), "utf8");
}

/** A fixture without sections. */
export function recorded(name: string): Recorded {
  return parseBlock(read(name).split("\n"));
}

/** A fixture's sections, by name. */
export function sections(name: string): Map<string, Recorded> {
  const out = new Map<string, Recorded>();
  let current: string | undefined;
  let block: string[] = [];
  const flush = () => {
    if (current !== undefined) out.set(current, parseBlock(block.length ? [...block, ""] : []));
  };
  for (const l of read(name).split("\n")) {
    const s = /^## (.+)$/.exec(l);
    if (s) {
      flush();
      current = s[1];
      block = [];
    } else if (current !== undefined) block.push(l);
  }
  if (block[block.length - 1] === "") block.pop();
  flush();
  return out;
}

/** Every fixture file and its provenance header (the `# ` lines). */
export function fixtureHeaders(): Map<string, string> {
  return new Map(
    fs
      .readdirSync(DIR)
      .sort()
      .map((f) => [
        f,
        read(f)
          .split("\n")
          .filter((l) => l.startsWith("# "))
          .join("\n"),
      ]),
  );
}

export const TOKEN = "5f0c3e1a9b7d4c2e8a6b0d1f3e5c7a9b";
export const K3S_IMAGE = "registry.fly.io/demo-images:v1.36.3-k3s1-8c1d2e3f";

const ok = (stdout = ""): Recorded => ({ exit_code: 0, stdout, stderr: "" });

/** The fixture cluster's machines: demo-cp (3) and demo-ng-a (2). */
const MACHINES: [string, string, string, string][] = [
  ["demo-cp", "ctrl-0", "3d8dd71a0e6089", "fdaa:0:3b99:a7b:7d:aa55:f2d:2"],
  ["demo-cp", "ctrl-1", "4d891d2c4e4598", "fdaa:0:3b99:a7b:1a2:3c4d:5e6f:2"],
  ["demo-cp", "ctrl-2", "148e21ea7e1389", "fdaa:0:3b99:a7b:2b3:4d5e:6f70:2"],
  ["demo-ng-a", "worker-ng-a-0", "9080524f610e87", "fdaa:0:3b99:a7b:3c4:5e6f:7081:2"],
  ["demo-ng-a", "worker-ng-a-1", "e2865013a59486", "fdaa:0:3b99:a7b:4d5:6f70:8192:2"],
];
/** ctrl-2's address after its host migration (scenario "renumbered"). */
export const CTRL2_NEW_IP = "fdaa:0:3b99:a7b:9e1:aa02:77c3:2";

export function demoConfig(over: Partial<ClusterConfig> = {}): ClusterConfig {
  const range = (ipv6: string, ipv4: string) => ({ ipv6, ipv4, value: `${ipv6},${ipv4}` });
  return {
    clusterName: "demo",
    clusterCidr: range("fd00:10:42::/56", "10.42.0.0/16"),
    serviceCidr: range("fd00:10:43::/112", "10.43.0.0/16"),
    clusterDns: "fd00:10:43::a",
    region: "sjc",
    nodeGroupSize: 2,
    volumeSizeGb: 5,
    volumeName: "demo_data",
    worker: { size: "shared-cpu-1x", cpuKind: "shared", cpus: 1, memoryMb: 2048 },
    controlPlane: { size: "shared-cpu-2x", cpuKind: "shared", cpus: 2, memoryMb: 2048 },
    k3sVersion: "v1.36.3+k3s1",
    orgName: "demo-org",
    nodeImage: K3S_IMAGE,
    flannelBackend: "vxlan",
    ...over,
  } as ClusterConfig;
}

export type Scenario = "healthy" | "dropped" | "renumbered";

/** One exec as the scripted cluster saw it. */
export interface Call {
  readonly app: string;
  readonly machine: string;
  readonly command: readonly string[];
  readonly stdin?: string;
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * A cluster that answers with the recorded outputs: `healthy` (vxlan), `dropped`
 * (wireguard, UDP 51820 dropped between machines), `renumbered` (vxlan, ctrl-2
 * back from a host migration at a new 6PN address, k3s refusing to start).
 */
export function scriptedCluster(
  scenario: Scenario,
  over: { image?: string; onExec?: (c: Call) => Recorded | undefined } = {},
): { api: VerifyApi; calls: Call[] } {
  const calls: Call[] = [];
  const wireguard = scenario === "dropped";
  const renumbered = scenario === "renumbered";
  const machines: Machine[] = MACHINES.map(([app, name, id, ip]) => ({
    id,
    name,
    state: "started",
    region: "sjc",
    instance_id: `01J${id.toUpperCase()}`,
    private_ip: renumbered && name === "ctrl-2" ? CTRL2_NEW_IP : ip,
    config: { image: over.image ?? K3S_IMAGE, env: {} },
    app,
  }));
  const nodes = recorded(
    wireguard ? "nodes-wireguard.out" : renumbered ? "nodes-renumbered.out" : "nodes-vxlan.out",
  );
  const pods = recorded(renumbered ? "pods-renumbered.out" : "pods.out");
  const probes = sections(
    wireguard ? "probes-dropped.out" : renumbered ? "probes-renumbered.out" : "probes-vxlan.out",
  );
  const servicesProbes = sections(
    wireguard ? "service-probes-dropped.out" : "service-probes-vxlan.out",
  );
  const resolve = recorded(wireguard ? "resolve-dropped.out" : "resolve-ok.out");
  const device = sections(
    wireguard
      ? "wg-handshakes-none.out"
      : renumbered
        ? "fdb-vxlan-renumbered.out"
        : "fdb-vxlan.out",
  );
  const routes = sections(
    wireguard
      ? "routes-wireguard.out"
      : renumbered
        ? "routes-vxlan-renumbered.out"
        : "routes-vxlan.out",
  );
  const pv = recorded("pv.out");
  const podNames = new Map<string, string>(
    (
      JSON.parse(pods.stdout) as {
        items: { metadata: { name: string }; spec: { nodeName: string } }[];
      }
    ).items.map((p) => [p.metadata.name, p.spec.nodeName]),
  );
  const labelOfNode = (node: string) =>
    machines.find((m) => node.startsWith(`${m.id}.vm.`))?.name ?? "?";

  function answer(c: Call): Recorded {
    const down = renumbered && c.machine === "ctrl-2";
    const k = c.command;
    if (same(k, cmd.K3S_VERSION))
      return ok("k3s version v1.36.3+k3s1 (a7c1e2d4)\ngo version go1.26.6\n");
    if (same(k, cmd.GET_NODES)) return down ? recorded("readyz-refused.out") : nodes;
    if (same(k, cmd.ETCD_MEMBERS)) return recorded("etcd-members.out");
    if (same(k, cmd.ETCD_READYZ))
      return down ? recorded("readyz-refused.out") : recorded("readyz-ok.out");
    if (same(k, cmd.kubectlDeleteNamespaceAndWait(ROUND_SEC))) return ok();
    if (same(k, cmd.DELETE_NAMESPACE)) return ok('namespace "fly-k3s-verify" deleted\n');
    if (same(k, cmd.APPLY)) return ok("applied\n");
    if (same(k, cmd.waitDaemonSet(NAMES.daemonSet, ROUND_SEC)))
      return renumbered
        ? {
            exit_code: 1,
            stdout:
              'Waiting for daemon set "verify-net" rollout to finish: 4 of 5 updated pods are available...\n',
            stderr: "error: timed out waiting for the condition\n",
          }
        : ok('daemon set "verify-net" successfully rolled out\n');
    if (same(k, cmd.GET_PODS)) return pods;
    if (same(k, cmd.waitPodReady(NAMES.backend, ROUND_SEC)))
      return ok("pod/verify-backend condition met\n");
    if (same(k, cmd.GET_SERVICES)) return recorded("services.out");
    if (same(k, cmd.waitPodSucceeded(NAMES.writer, ROUND_SEC)))
      return ok("pod/verify-writer condition met\n");
    if (same(k, cmd.waitPodSucceeded(NAMES.reader, ROUND_SEC)))
      return ok("pod/verify-reader condition met\n");
    if (same(k, cmd.CLAIM_VOLUME)) return ok("pvc-3f6a2c1e-8b4d-4e7a-9c0f-5d1b2a3c4e6f");
    if (same(k, cmd.getVolume("pvc-3f6a2c1e-8b4d-4e7a-9c0f-5d1b2a3c4e6f"))) return pv;
    if (same(k, cmd.deletePod(NAMES.writer, ROUND_SEC))) return ok('pod "verify-writer" deleted\n');
    if (same(k, cmd.podLogs(NAMES.reader))) return ok(`${TOKEN}\n`);
    if (k[0] === "cat") return ok(`${TOKEN}\n`);
    if (same(k, cmd.WG_HANDSHAKES) || same(k, cmd.VXLAN_FDB))
      return device.get(c.machine) ?? { exit_code: 1, stdout: "", stderr: "no fixture" };
    if (same(k, cmd.IPV6_ROUTES)) return routes.get(c.machine) ?? ok();
    const at = k.indexOf("exec");
    if (at > 0) {
      const pod = k[at + 1];
      const script = k[at + 5];
      const args = k.slice(at + 7);
      if (script === cmd.RESOLVE_SCRIPT) return resolve;
      if (script === cmd.PROBE_SCRIPT) {
        if (args.length === 1 && servicesProbes.has(args[0]))
          return servicesProbes.get(args[0]) as Recorded;
        const from = labelOfNode(podNames.get(pod) ?? "");
        return probes.get(from) ?? { exit_code: 1, stdout: "", stderr: `no probes from ${from}` };
      }
    }
    return { exit_code: 1, stdout: "", stderr: `scripted cluster: no answer for ${k.join(" ")}` };
  }

  const byApp = (app: string) =>
    machines.filter((m) => (m as Machine & { app: string }).app === app);
  const api: VerifyApi = {
    listMachines: async (app: string) => byApp(app),
    exec: async (app, id, command, opts = {}): Promise<ExecResult> => {
      const m = machines.find((x) => x.id === id);
      const c: Call = {
        app,
        machine: m?.name ?? id,
        command: [...command],
        ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
      };
      calls.push(c);
      return over.onExec?.(c) ?? answer(c);
    },
  };
  return { api, calls };
}
