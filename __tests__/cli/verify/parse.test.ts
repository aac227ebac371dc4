/**
 * The readers of cli/verify/parse.ts and parse-net.ts on the recorded
 * outputs of __tests__/fixtures/verify/ (each file's `# ` lines say where
 * its shape comes from).
 */
import {
  Answer,
  canonicalIp,
  k3sMissing,
  parseMembers,
  parseNodes,
  parsePods,
  parseServices,
  parseVolumePath,
  readyzOk,
  said,
  urlHostOf,
} from "../../../cli/verify/parse";
import {
  covers,
  parseFdb,
  parseHandshakes,
  parseProbes,
  parseResolves,
  parseRoutes,
} from "../../../cli/verify/parse-net";
import { Recorded, fixtureHeaders, recorded, sections } from "./recorded";

const answer = (r: Recorded): Answer => ({
  answered: true,
  exitCode: r.exit_code,
  stdout: r.stdout,
  stderr: r.stderr,
});

describe("recorded fixtures", () => {
  it("every file says where its shape comes from", () => {
    const headers = fixtureHeaders();
    expect(headers.size).toBeGreaterThanOrEqual(20);
    // A source file (k3s/etcd/flannel/iproute2/wireguard-tools/Kubernetes/this project) or a man page.
    const source = /\b[\w/.-]+\.(go|c|ts|md|proto)\b|\b[\w-]+\(\d\)/;
    for (const [file, header] of headers)
      expect({ file, cited: source.test(header) }).toEqual({ file, cited: true });
  });
});

describe("parseNodes (k3s kubectl get nodes -o json)", () => {
  const nodes = parseNodes(recorded("nodes-vxlan.out").stdout);

  it("reads every node, Ready, with the 6PN address as first InternalIP and both pod ranges", () => {
    expect(nodes).toHaveLength(5);
    const ctrl0 = nodes?.[0];
    expect(ctrl0?.name).toBe("3d8dd71a0e6089.vm.demo-cp.internal");
    expect(ctrl0?.ready).toBe(true);
    expect(ctrl0?.internalIps).toEqual(["fdaa:0:3b99:a7b:7d:aa55:f2d:2", "172.19.4.2"]);
    expect(ctrl0?.podCidrs).toEqual(["fd00:10:42::/64", "10.42.0.0/24"]);
    expect(ctrl0?.annotations["etcd.k3s.cattle.io/node-address"]).toBe(
      "fdaa:0:3b99:a7b:7d:aa55:f2d:2",
    );
  });

  it("reads a node whose kubelet stopped posting as not Ready", () => {
    const stale = parseNodes(recorded("nodes-renumbered.out").stdout);
    expect(stale?.map((n) => n.ready)).toEqual([true, true, false, true, true]);
  });

  it("refuses what is not a node list", () => {
    expect(parseNodes("error: You must be logged in to the server (Unauthorized)")).toBeUndefined();
    expect(parseNodes('{"kind":"Status"}')).toBeUndefined();
  });
});

describe("/readyz/etcd", () => {
  it("is ok exactly when the body is ok", () => {
    expect(readyzOk(answer(recorded("readyz-ok.out")))).toBe(true);
    const refused = answer(recorded("readyz-refused.out"));
    expect(readyzOk(refused)).toBe(false);
    expect(said(refused)).toBe(
      "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?",
    );
    expect(readyzOk({ answered: false, why: "timeout" })).toBe(false);
  });
});

describe("parseMembers (etcd gateway member list)", () => {
  it("reads ids as strings, names, peer and client URLs", () => {
    const members = parseMembers(recorded("etcd-members.out").stdout);
    expect(members).toHaveLength(3);
    expect(members?.[2]).toEqual({
      id: "14711420011462734102",
      name: "148e21ea7e1389.vm.demo-cp.internal-0f5b8c26",
      peerUrls: ["https://[fdaa:0:3b99:a7b:2b3:4d5e:6f70:2]:2380"],
      clientUrls: ["https://[fdaa:0:3b99:a7b:2b3:4d5e:6f70:2]:2379"],
      isLearner: false,
    });
    expect(urlHostOf(members?.[2].peerUrls[0] ?? "")).toBe("fdaa:0:3b99:a7b:2b3:4d5e:6f70:2");
  });

  it("takes etcdctl's numeric ids and an unstarted member (no name, no client URL)", () => {
    const m = parseMembers(
      '{"header":{},"members":[{"ID":17,"peerURLs":["https://[fdaa::9]:2380"],"isLearner":true}]}',
    );
    expect(m).toEqual([
      { id: "17", name: "", peerUrls: ["https://[fdaa::9]:2380"], clientUrls: [], isLearner: true },
    ]);
  });
});

describe("parseHandshakes (wg show flannel-wg latest-handshakes)", () => {
  it("reads the clock and one peer per line, 0 for never", () => {
    const none = parseHandshakes(sections("wg-handshakes-none.out").get("ctrl-0")?.stdout ?? "");
    expect(none?.now).toBe(1765278170);
    expect(none?.peers).toHaveLength(4);
    expect(none?.peers.every((p) => p.latest === 0)).toBe(true);
    const recent = parseHandshakes(
      sections("wg-handshakes-recent.out").get("worker-ng-a-1")?.stdout ?? "",
    );
    expect(recent?.peers.map((p) => recent.now - p.latest)).toEqual([29, 36, 43, 50]);
  });

  it("refuses wg's error text", () => {
    expect(parseHandshakes("1765278170\nUnable to access interface: No such device\n")).toBe(
      undefined,
    );
  });
});

describe("parseFdb (bridge fdb show dev flannel-v6.1)", () => {
  it("reads each entry's MAC and IPv6 destination", () => {
    const fdb = parseFdb(sections("fdb-vxlan.out").get("ctrl-1")?.stdout ?? "");
    expect(fdb).toEqual([
      { mac: "6a:1f:3c:9e:00:01", dst: "fdaa:0:3b99:a7b:7d:aa55:f2d:2" },
      { mac: "6a:1f:3c:9e:00:03", dst: "fdaa:0:3b99:a7b:2b3:4d5e:6f70:2" },
      { mac: "6a:1f:3c:9e:00:04", dst: "fdaa:0:3b99:a7b:3c4:5e6f:7081:2" },
      { mac: "6a:1f:3c:9e:00:05", dst: "fdaa:0:3b99:a7b:4d5:6f70:8192:2" },
    ]);
    const missing = sections("fdb-vxlan-renumbered.out").get("ctrl-2");
    expect(missing?.exit_code).toBe(255);
    expect(missing?.stderr).toBe('Cannot find device "flannel-v6.1"\n');
  });
});

describe("parseRoutes (ip -6 route show)", () => {
  it("reads destination, device and gateway", () => {
    const vxlan = parseRoutes(sections("routes-vxlan.out").get("ctrl-0")?.stdout ?? "");
    expect(vxlan).toContainEqual({
      dst: "fd00:10:42:1::/64",
      dev: "flannel-v6.1",
      via: "fd00:10:42:1::",
    });
    expect(vxlan.find((r) => r.dst === "default")?.dev).toBe("eth0");
    const wg = parseRoutes(sections("routes-wireguard.out").get("ctrl-0")?.stdout ?? "");
    expect(wg).toContainEqual({ dst: "fd00:10:42::/56", dev: "flannel-wg" });
  });

  it("covers: a route holds a node's pod range when the range is inside it", () => {
    expect(covers("fd00:10:42::/56", "fd00:10:42:3::/64")).toBe(true);
    expect(covers("fd00:10:42:1::/64", "fd00:10:42:1::/64")).toBe(true);
    expect(covers("fd00:10:42:1::/64", "fd00:10:42:2::/64")).toBe(false);
    expect(covers("fd00:10:42::/64", "fd00:10:42::/56")).toBe(false);
    expect(covers("10.42.0.0/16", "fd00:10:42::/64")).toBe(false);
    expect(covers("nonsense", "fd00:10:42::/64")).toBe(false);
  });
});

describe("pods, services, volumes", () => {
  it("parsePods reads node, readiness and both pod addresses, IPv6 first", () => {
    const pods = parsePods(recorded("pods.out").stdout);
    expect(pods).toHaveLength(6);
    expect(pods?.[3]).toEqual({
      name: "verify-net-f5r8w",
      node: "9080524f610e87.vm.demo-ng-a.internal",
      phase: "Running",
      ready: true,
      ips: ["fd00:10:42:3::5", "10.42.3.5"],
      component: "net",
    });
    const pending = parsePods(recorded("pods-renumbered.out").stdout)?.[2];
    expect(pending).toMatchObject({ phase: "Pending", ready: false, ips: [] });
  });

  it("parseServices reads each Service's ClusterIPs", () => {
    expect(parseServices(recorded("services.out").stdout)).toEqual([
      { name: "verify-ipv4", clusterIps: ["10.43.112.9"] },
      { name: "verify-ipv6", clusterIps: ["fd00:10:43::8d2e"] },
    ]);
  });

  it("parseVolumePath reads local-path's hostPath", () => {
    expect(parseVolumePath(recorded("pv.out").stdout)).toBe(
      "/data/k3s/storage/pvc-3f6a2c1e-8b4d-4e7a-9c0f-5d1b2a3c4e6f_fly-k3s-verify_verify-data",
    );
    expect(parseVolumePath('{"spec":{"local":{"path":"/data/x"}}}')).toBe("/data/x");
  });
});

describe("the verify scripts' own lines", () => {
  it("parseProbes reads every target, answered or not, in any order", () => {
    const p = parseProbes(sections("probes-vxlan.out").get("worker-ng-a-0")?.stdout ?? "");
    expect(p).toHaveLength(8);
    expect(p[0]).toEqual({
      target: "[fd00:10:42::5]",
      ok: true,
      answer: "3d8dd71a0e6089.vm.demo-cp.internal",
    });
    expect(p.filter((x) => !x.ok).map((x) => x.target)).toEqual([
      "10.42.0.5",
      "10.42.1.5",
      "10.42.2.5",
      "10.42.4.5",
    ]);
  });

  it("parseResolves reads the address, or what the resolver said", () => {
    expect(parseResolves(recorded("resolve-ok.out").stdout)).toEqual([
      { name: "kubernetes.default", ok: true, text: "fd00:10:43::1" },
      { name: "demo-cp.internal", ok: true, text: "fdaa:0:3b99:a7b:7d:aa55:f2d:2" },
    ]);
    expect(parseResolves(recorded("resolve-dropped.out").stdout)[0]).toEqual({
      name: "kubernetes.default",
      ok: false,
      text: "ping: bad address 'kubernetes.default'",
    });
  });
});

describe("k3sMissing", () => {
  const a = (exitCode: number, stderr: string): Answer => ({
    answered: true,
    exitCode,
    stdout: "",
    stderr,
  });

  it("is true for a shell's 127 or 126 and a runtime's not-found words", () => {
    expect(k3sMissing(a(127, ""))).toBe(true);
    expect(k3sMissing(a(126, "permission denied"))).toBe(true);
    expect(k3sMissing(answer(recorded("exec-k3s-missing-podman.out")))).toBe(true);
    expect(k3sMissing(a(1, 'exec: "k3s": executable file not found in $PATH'))).toBe(true);
  });

  it("is false when k3s answered, or for an exec that never reached the machine", () => {
    expect(k3sMissing(a(0, ""))).toBe(false);
    expect(k3sMissing(a(1, 'level=fatal msg="flag provided but not defined"'))).toBe(false);
    expect(k3sMissing({ answered: false, why: "HTTP 408" })).toBe(false);
  });
});

describe("canonicalIp", () => {
  it("spells an address one way", () => {
    expect(canonicalIp("FDAA:0:3B99:0A7B:0:0:0:2")).toBe(canonicalIp("fdaa:0:3b99:a7b::2"));
    expect(canonicalIp("not an address")).toBe("not an address");
  });
});
