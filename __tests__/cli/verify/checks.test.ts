/**
 * The decisions of cli/verify/check-*.ts that the three recorded scenarios
 * (scenarios.test.ts) do not reach, on the same recorded outputs.
 */
import { checkService } from "../../../cli/verify/check-dns-services";
import { checkEtcdMembers, checkNodes, memberNode } from "../../../cli/verify/check-nodes-etcd";
import {
  HANDSHAKE_MAX_AGE_SEC,
  TunnelFacts,
  checkTunnels,
} from "../../../cli/verify/check-tunnels";
import { checkVolume } from "../../../cli/verify/check-volume";
import { MachineFacts, exitCodeFor, skipped } from "../../../cli/verify/checks";
import { Answer, NodeFacts, parseMembers, parseNodes } from "../../../cli/verify/parse";
import { CTRL2_NEW_IP, Recorded, recorded, sections } from "./recorded";

const answer = (r: Recorded | undefined): Answer =>
  r
    ? { answered: true, exitCode: r.exit_code, stdout: r.stdout, stderr: r.stderr }
    : { answered: false, why: "no fixture" };

const nodesOf = (file: string) => parseNodes(recorded(file).stdout) as NodeFacts[];

/** The fixture cluster's machines, as the Machines API lists them. */
function machines(over: Partial<Record<string, Partial<MachineFacts>>> = {}): MachineFacts[] {
  return nodesOf("nodes-vxlan.out").map((n, i) => {
    const name = ["ctrl-0", "ctrl-1", "ctrl-2", "worker-ng-a-0", "worker-ng-a-1"][i];
    return {
      app: i < 3 ? "demo-cp" : "demo-ng-a",
      name,
      id: n.name.split(".")[0],
      state: "started",
      privateIp: n.internalIps[0],
      server: i < 3,
      node: n.name,
      ...over[name],
    };
  });
}

describe("checkNodes", () => {
  it("names a stopped machine and a node no machine owns", () => {
    const ms = machines({ "worker-ng-a-1": { state: "stopped" } }).filter(
      (m) => m.name !== "ctrl-1",
    );
    const l = checkNodes(ms, nodesOf("nodes-vxlan.out"));
    expect(l.status).toBe("fail");
    expect(l.detail).toBe(
      "worker-ng-a-1 is stopped; node 4d891d2c4e4598.vm.demo-cp.internal belongs to no machine",
    );
  });
});

describe("checkEtcdMembers", () => {
  const members = parseMembers(recorded("etcd-members.out").stdout);
  const servers = machines().filter((m) => m.server);

  it("k3s names a member after its node, with 8 characters after the last dash", () => {
    expect(memberNode("148e21ea7e1389.vm.demo-cp.internal-0f5b8c26")).toBe(
      "148e21ea7e1389.vm.demo-cp.internal",
    );
  });

  it("without a member list, decides from the servers' etcd annotations and says so", () => {
    const ok = checkEtcdMembers({
      servers,
      listWhy: "curl: (7) Failed to connect to 127.0.0.1 port 2379",
      nodes: nodesOf("nodes-vxlan.out"),
    });
    expect(ok.status).toBe("pass");
    expect(ok.detail).toBe(
      "3 started members, each at its server's 6PN address (member list unreadable: curl: (7) " +
        "Failed to connect to 127.0.0.1 port 2379; from the servers' node annotations)",
    );
    const stale = checkEtcdMembers({
      servers: machines({ "ctrl-2": { privateIp: CTRL2_NEW_IP } }).filter((m) => m.server),
      listWhy: "exit 7",
      nodes: nodesOf("nodes-renumbered.out"),
    });
    expect(stale.status).toBe("fail");
    expect(stale.detail).toContain(`machine now at ${CTRL2_NEW_IP} (renumbered)`);
    expect(stale.meaning).toContain("Fly host migration");
  });

  it("fails an unstarted member, a learner, a member of a gone machine and a missing one", () => {
    const [a, b, c] = members ?? [];
    const l = checkEtcdMembers({
      servers,
      members: [
        a,
        { ...b, isLearner: true },
        { ...c, name: "", clientUrls: [] },
        { ...c, id: "1", name: "0000000000aaaa.vm.demo-cp.internal-12345678" },
      ],
      nodes: [],
    });
    expect(l.status).toBe("fail");
    expect(l.detail).toBe(
      "2 started voting members, want 3; 4d891d2c4e4598.vm.demo-cp.internal-a93d4e71 is a learner " +
        "(not voting yet); member 14711420011462734102 (https://[fdaa:0:3b99:a7b:2b3:4d5e:6f70:2]:2380) " +
        "not started; 0000000000aaaa.vm.demo-cp.internal-12345678 belongs to no server machine; " +
        "ctrl-2 has no member",
    );
    expect(l.meaning).toContain("member controller");
  });
});

describe("checkTunnels", () => {
  const facts = (
    nodeFile: string,
    device: Map<string, Recorded>,
    routes: Map<string, Recorded>,
  ): TunnelFacts[] => {
    const ns = nodesOf(nodeFile);
    return machines().map((m, i) => ({
      label: m.name,
      node: ns[i],
      machine: m,
      device: answer(device.get(m.name)),
      routes: answer(routes.get(m.name)),
    }));
  };

  it("wireguard: recent handshakes with every peer and the pod network routed through flannel-wg pass", () => {
    const l = checkTunnels(
      "wireguard",
      facts(
        "nodes-wireguard.out",
        sections("wg-handshakes-recent.out"),
        sections("routes-wireguard.out"),
      ),
    );
    expect(l).toEqual({
      check: "tunnels",
      status: "pass",
      detail:
        "5 nodes: each has a handshake within 180 s and a route via flannel-wg for every other node",
    });
  });

  it("wireguard: a handshake older than Reject-After-Time is named with its age", () => {
    const hs = sections("wg-handshakes-recent.out");
    const ctrl0 = hs.get("ctrl-0") as Recorded;
    const now = Number(ctrl0.stdout.split("\n")[0]);
    const [, first] = ctrl0.stdout.split("\n");
    const key = first.split("\t")[0];
    hs.set("ctrl-0", {
      ...ctrl0,
      stdout: ctrl0.stdout.replace(first, `${key}\t${now - HANDSHAKE_MAX_AGE_SEC - 40}`),
    });
    const l = checkTunnels(
      "wireguard",
      facts("nodes-wireguard.out", hs, sections("routes-wireguard.out")),
    );
    expect(l.status).toBe("fail");
    expect(l.detail).toBe("ctrl-0: no recent handshake with ctrl-1 (220 s ago)");
  });

  it("vxlan: a missing forwarding entry and a missing route are named per node", () => {
    const fdb = sections("fdb-vxlan.out");
    const routes = sections("routes-vxlan.out");
    const w0 = fdb.get("worker-ng-a-0") as Recorded;
    fdb.set("worker-ng-a-0", {
      ...w0,
      stdout: w0.stdout
        .split("\n")
        .filter((l) => !l.includes("fdaa:0:3b99:a7b:7d:aa55:f2d:2"))
        .join("\n"),
    });
    const r1 = routes.get("ctrl-1") as Recorded;
    routes.set("ctrl-1", {
      ...r1,
      stdout: r1.stdout
        .split("\n")
        .filter((l) => !l.startsWith("fd00:10:42:4::/64"))
        .join("\n"),
    });
    const l = checkTunnels("vxlan", facts("nodes-vxlan.out", fdb, routes));
    expect(l.detail).toBe(
      "ctrl-1: no route via flannel-v6.1 to the IPv6 pods of worker-ng-a-1; " +
        "worker-ng-a-0: no forwarding entry for ctrl-0",
    );
    expect(l.meaning).toContain("VXLAN forwarding entries");
  });
});

describe("checkService and checkVolume", () => {
  const to = { label: "worker-ng-a-1", node: "e2865013a59486.vm.demo-ng-a.internal" };

  it("a Service answered by a pod on the wrong node fails", () => {
    const l = checkService({
      family: "IPv6",
      backend: "vxlan",
      clusterIp: "fd00:10:43::8d2e",
      from: "worker-ng-a-0",
      to,
      answer: {
        answered: true,
        exitCode: 0,
        stdout: "probe [fd00:10:43::8d2e] ok 9080524f610e87.vm.demo-ng-a.internal\n",
        stderr: "",
      },
    });
    expect(l.status).toBe("fail");
    expect(l.detail).toContain("answered by 9080524f610e87.vm.demo-ng-a.internal");
  });

  it("data kept outside the Fly volume fails even when read back", () => {
    const back: Answer = { answered: true, exitCode: 0, stdout: "t0k\n", stderr: "" };
    const l = checkVolume({
      node: "worker-ng-a-0",
      token: "t0k",
      path: "/var/lib/rancher/k3s/storage/pvc-1_fly-k3s-verify_verify-data",
      reader: back,
      machine: back,
    });
    expect(l.status).toBe("fail");
    expect(l.detail).toBe(
      "the data is in /var/lib/rancher/k3s/storage/pvc-1_fly-k3s-verify_verify-data, not on the Fly volume (/data)",
    );
  });
});

describe("exitCodeFor", () => {
  it("is 0 with passes and expected failures, 2 with a failure or an unchecked line", () => {
    const pass = { check: "nodes", status: "pass", detail: "" } as const;
    const expected = { check: "pods-ipv4", status: "expected", detail: "" } as const;
    expect(exitCodeFor([pass, expected])).toBe(0);
    expect(exitCodeFor([pass, skipped("volume", "no Ready node")])).toBe(2);
    expect(exitCodeFor([{ ...pass, status: "fail" }])).toBe(2);
  });
});
