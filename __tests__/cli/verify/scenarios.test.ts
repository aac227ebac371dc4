/**
 * `--verify` on three recorded clusters (__tests__/fixtures/verify/, each file
 * saying where its shape comes from), through runVerify with a cluster that
 * answers every exec with those outputs: the tables as printed, and what
 * each scenario must say.
 */
import { parse } from "yaml";
import { CHECKS, VerifyLine } from "../../../cli/verify/checks";
import * as cmd from "../../../cli/verify/commands";
import { VERIFY_NAMESPACE } from "../../../cli/verify/manifests";
import { VerifyReport } from "../../../cli/verify/report";
import { ROUND_SEC } from "../../../cli/verify/apply";
import { runVerify } from "../../../cli/verify/run";
import { FlannelBackend } from "../../../config/schema";
import { Call, Scenario, TOKEN, demoConfig, scriptedCluster } from "./recorded";

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
}

const noSignals = { on: () => undefined, off: () => undefined };

async function verify(scenario: Scenario, backend: FlannelBackend, json = false) {
  const { api, calls } = scriptedCluster(scenario);
  let text = "";
  const log: string[] = [];
  const r = await runVerify({
    config: demoConfig({ flannelBackend: backend }),
    nodeGroups: ["a"],
    api,
    log: (l) => log.push(l),
    json,
    out: (t) => (text += t),
    token: TOKEN,
    signals: noSignals,
  });
  return { ...r, text, calls, log };
}

const statuses = (lines: readonly VerifyLine[]) =>
  Object.fromEntries(lines.map((l) => [l.check, l.status]));
const isApply = (c: Call) => c.command.join(" ") === cmd.APPLY.join(" ");
const isCleanup = (c: Call) => c.command.join(" ") === cmd.DELETE_NAMESPACE.join(" ");

const HEALTHY = `verify demo (flannel vxlan)
CHECK         RESULT    DETAIL
nodes         pass      5 nodes Ready, each at its machine's 6PN address
etcd-members  pass      3 started members, each at its server's 6PN address
etcd-readyz   pass      ok through ctrl-0, ctrl-1, ctrl-2
pods-ipv6     pass      20 of 20 pod-to-pod probes across nodes answered over IPv6
pods-ipv4     expected  0 of 20 pod-to-pod probes across nodes answered over IPv4
                        -> expected with vxlan: flannel's IPv4 VXLAN device tunnels over eth0's
                        IPv4, which Fly does not route between machines, so IPv4 between pods on
                        different nodes is dropped (within a node and to the internet it works). Use
                        IPv6 between pods (Services and DNS are IPv6 first), or set
                        FLANNEL_BACKEND=wireguard to carry IPv4 across nodes too.
dns           pass      kubernetes.default -> fd00:10:43::1, demo-cp.internal -> fdaa:0:3b99:a7b:7d:aa55:f2d:2
service-ipv6  pass      worker-ng-a-0 -> fd00:10:43::8d2e -> pod on worker-ng-a-1: answered
service-ipv4  expected  worker-ng-a-0 -> 10.43.112.9 -> pod on worker-ng-a-1: no answer
                        -> expected with vxlan: flannel's IPv4 VXLAN device tunnels over eth0's
                        IPv4, which Fly does not route between machines, so IPv4 between pods on
                        different nodes is dropped (within a node and to the internet it works). Use
                        IPv6 between pods (Services and DNS are IPv6 first), or set
                        FLANNEL_BACKEND=wireguard to carry IPv4 across nodes too.
volume        pass      written, pod deleted, read back by a new pod on worker-ng-a-0 from /data/k3s/storage/pvc-3f6a2c1e-8b4d-4e7a-9c0f-5d1b2a3c4e6f_fly-k3s-verify_verify-data
tunnels       pass      5 nodes: each has a forwarding entry at its 6PN address and a route via flannel-v6.1 for every other node

pods-ipv4 matrix (a row asks each column: ok, fail, - itself, ? no pod or address):
                 ctrl-0         ctrl-1         ctrl-2         worker-ng-a-0  worker-ng-a-1
  ctrl-0         -              fail           fail           fail           fail
  ctrl-1         fail           -              fail           fail           fail
  ctrl-2         fail           fail           -              fail           fail
  worker-ng-a-0  fail           fail           fail           -              fail
  worker-ng-a-1  fail           fail           fail           fail           -

8 pass, 2 expected, 0 fail, 0 skipped: exit 0
`;

const DROPPED = `verify demo (flannel wireguard)
CHECK         RESULT  DETAIL
nodes         pass    5 nodes Ready, each at its machine's 6PN address
etcd-members  pass    3 started members, each at its server's 6PN address
etcd-readyz   pass    ok through ctrl-0, ctrl-1, ctrl-2
pods-ipv6     fail    0 of 20 pod-to-pod probes across nodes answered over IPv6
                      -> pod traffic between nodes over 6PN is dropped: see the tunnels line.
                      wireguard needs UDP 51820 between the machines, vxlan UDP 8472 over IPv6.
pods-ipv4     fail    0 of 20 pod-to-pod probes across nodes answered over IPv4
                      -> IPv4 between pods rides the same WireGuard tunnel as IPv6: if IPv6 passes,
                      the node's IPv4 pod route or flannel's IPv4 lease is missing; if it fails too,
                      see the tunnels line.
dns           fail    kubernetes.default: ping: bad address 'kubernetes.default'; demo-cp.internal: ping: bad address 'demo-cp.internal'
                      -> kubernetes.default is answered by the cluster DNS (CoreDNS at CLUSTER_DNS);
                      <cluster>-cp.internal by Fly's resolver, which CoreDNS forwards to through the
                      node's resolv.conf. Check the coredns pods in kube-system and that the node
                      resolves .internal names.
service-ipv6  fail    worker-ng-a-0 -> fd00:10:43::8d2e -> pod on worker-ng-a-1: no answer
                      -> the Service's ClusterIP did not reach its pod on another node: kube-proxy's
                      rules, or the pod network between the two nodes (see the pods and tunnels
                      lines).
service-ipv4  fail    worker-ng-a-0 -> 10.43.112.9 -> pod on worker-ng-a-1: no answer
                      -> the Service's ClusterIP did not reach its pod on another node: kube-proxy's
                      rules, or the pod network between the two nodes (see the pods and tunnels
                      lines).
volume        pass    written, pod deleted, read back by a new pod on worker-ng-a-0 from /data/k3s/storage/pvc-3f6a2c1e-8b4d-4e7a-9c0f-5d1b2a3c4e6f_fly-k3s-verify_verify-data
tunnels       fail    every node: no handshake ever with any of its 4 peers
                      -> flannel's WireGuard tunnel to those nodes carries nothing: a handshake
                      older than 180 s is dead (WireGuard's Reject-After-Time). Check that UDP 51820
                      passes between the machines and that every node runs the same net-conf
                      (README, Pod network); a node missing its device is not running k3s.

pods-ipv6 matrix (a row asks each column: ok, fail, - itself, ? no pod or address):
                 ctrl-0         ctrl-1         ctrl-2         worker-ng-a-0  worker-ng-a-1
  ctrl-0         -              fail           fail           fail           fail
  ctrl-1         fail           -              fail           fail           fail
  ctrl-2         fail           fail           -              fail           fail
  worker-ng-a-0  fail           fail           fail           -              fail
  worker-ng-a-1  fail           fail           fail           fail           -

pods-ipv4 matrix (a row asks each column: ok, fail, - itself, ? no pod or address):
                 ctrl-0         ctrl-1         ctrl-2         worker-ng-a-0  worker-ng-a-1
  ctrl-0         -              fail           fail           fail           fail
  ctrl-1         fail           -              fail           fail           fail
  ctrl-2         fail           fail           -              fail           fail
  worker-ng-a-0  fail           fail           fail           -              fail
  worker-ng-a-1  fail           fail           fail           fail           -

4 pass, 0 expected, 6 fail, 0 skipped: exit 2
`;

const RENUMBERED = `verify demo (flannel vxlan)
CHECK         RESULT    DETAIL
nodes         fail      ctrl-2 NotReady, first InternalIP fdaa:0:3b99:a7b:2b3:4d5e:6f70:2 but the machine is at fdaa:0:3b99:a7b:9e1:aa02:77c3:2
                        -> a machine whose node is missing, NotReady or at another address is not
                        serving pods. ./k3s.sh --status shows the machines; read the machine's log
                        (fly logs -a APP -i ID, or ./k3s.sh -s locally). A node whose machine is
                        gone stays NotReady until deleted (k3s kubectl delete node NAME; for servers
                        the deploy's bootstrap step does it).
etcd-members  fail      ctrl-2's member at fdaa:0:3b99:a7b:2b3:4d5e:6f70:2, machine now at fdaa:0:3b99:a7b:9e1:aa02:77c3:2 (renumbered)
                        -> a server's 6PN address changed (Fly host migration) and its etcd member
                        still advertises the old one, so it cannot rejoin; the server refuses to
                        start until the member's peer URL is updated. Its log names the member and
                        the etcdctl member update to run on a healthy server (README, Renumbering).
                        Quorum holds with 2 of 3 members: fix it before anything else restarts.
etcd-readyz   fail      ctrl-2: The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?
                        -> the API server on that server cannot read through etcd: its member is
                        down or quorum is lost. With one server failing the cluster still serves;
                        with two it does not. Read the server's log; bring its machine back
                        (./k3s.sh -c).
pods-ipv6     fail      12 of 12 pod-to-pod probes across nodes answered over IPv6; no Ready verify pod on ctrl-2
                        -> a node without a Ready verify pod can neither ask nor be asked: it is
                        NotReady (see the nodes line) or could not pull or start the pod (k3s
                        kubectl -n fly-k3s-verify describe pod, while --verify runs).
pods-ipv4     fail      0 of 12 pod-to-pod probes across nodes answered over IPv4; no Ready verify pod on ctrl-2
                        -> a node without a Ready verify pod can neither ask nor be asked: it is
                        NotReady (see the nodes line) or could not pull or start the pod (k3s
                        kubectl -n fly-k3s-verify describe pod, while --verify runs). Between the
                        nodes that have one, IPv4 failing is expected with vxlan (flannel's IPv4
                        VXLAN device tunnels over eth0's IPv4, which Fly does not route between
                        machines).
dns           pass      kubernetes.default -> fd00:10:43::1, demo-cp.internal -> fdaa:0:3b99:a7b:7d:aa55:f2d:2
service-ipv6  pass      worker-ng-a-0 -> fd00:10:43::8d2e -> pod on worker-ng-a-1: answered
service-ipv4  expected  worker-ng-a-0 -> 10.43.112.9 -> pod on worker-ng-a-1: no answer
                        -> expected with vxlan: flannel's IPv4 VXLAN device tunnels over eth0's
                        IPv4, which Fly does not route between machines, so IPv4 between pods on
                        different nodes is dropped (within a node and to the internet it works). Use
                        IPv6 between pods (Services and DNS are IPv6 first), or set
                        FLANNEL_BACKEND=wireguard to carry IPv4 across nodes too.
volume        pass      written, pod deleted, read back by a new pod on worker-ng-a-0 from /data/k3s/storage/pvc-3f6a2c1e-8b4d-4e7a-9c0f-5d1b2a3c4e6f_fly-k3s-verify_verify-data
tunnels       fail      ctrl-2: Cannot find device "flannel-v6.1"
                        -> flannel has not programmed the VXLAN forwarding entries or routes for
                        those nodes (it has not seen their leases), or the node is not running k3s
                        (no device). Check flannel in the node's k3s log.

pods-ipv6 matrix (a row asks each column: ok, fail, - itself, ? no pod or address):
                 ctrl-0         ctrl-1         ctrl-2         worker-ng-a-0  worker-ng-a-1
  ctrl-0         -              ok             ?              ok             ok
  ctrl-1         ok             -              ?              ok             ok
  ctrl-2         ?              ?              -              ?              ?
  worker-ng-a-0  ok             ok             ?              -              ok
  worker-ng-a-1  ok             ok             ?              ok             -

pods-ipv4 matrix (a row asks each column: ok, fail, - itself, ? no pod or address):
                 ctrl-0         ctrl-1         ctrl-2         worker-ng-a-0  worker-ng-a-1
  ctrl-0         -              fail           ?              fail           fail
  ctrl-1         fail           -              ?              fail           fail
  ctrl-2         ?              ?              -              ?              ?
  worker-ng-a-0  fail           fail           ?              -              fail
  worker-ng-a-1  fail           fail           ?              fail           -

3 pass, 1 expected, 6 fail, 0 skipped: exit 2
`;

describe("--verify on recorded clusters", () => {
  it("(a) healthy, vxlan: every check passes, cross-node IPv4 is reported as expected (exit 0)", async () => {
    const r = await verify("healthy", "vxlan");
    expect(r.text).toBe(HEALTHY);
    expect(r.exitCode).toBe(0);
    expect(r.lines.map((l) => l.check)).toEqual([...CHECKS]);
    expect(statuses(r.lines)).toEqual({
      nodes: "pass",
      "etcd-members": "pass",
      "etcd-readyz": "pass",
      "pods-ipv6": "pass",
      "pods-ipv4": "expected",
      dns: "pass",
      "service-ipv6": "pass",
      "service-ipv4": "expected",
      volume: "pass",
      tunnels: "pass",
    });
    // Every expected failure says what it means and what to do.
    for (const l of r.lines.filter((x) => x.status === "expected"))
      expect(l.meaning).toMatch(/^expected with vxlan: .*FLANNEL_BACKEND=wireguard/);
  });

  it("(b) wireguard with cross-node traffic dropped: no handshakes, the pod matrix fails (exit 2)", async () => {
    const r = await verify("dropped", "wireguard");
    expect(r.text).toBe(DROPPED);
    expect(r.exitCode).toBe(2);
    expect(statuses(r.lines)).toMatchObject({
      nodes: "pass",
      "etcd-members": "pass",
      "pods-ipv6": "fail",
      "pods-ipv4": "fail",
      "service-ipv4": "fail",
      volume: "pass",
      tunnels: "fail",
    });
    const pods = r.lines.find((l) => l.check === "pods-ipv4");
    expect(pods?.matrix?.rows.flat().filter((c) => c === "ok")).toEqual([]);
    // With wireguard IPv4 crosses nodes too: never "expected".
    expect(r.lines.some((l) => l.status === "expected")).toBe(false);
  });

  it("(c) a server renumbered: its etcd member at the stale address fails the etcd line (exit 2)", async () => {
    const r = await verify("renumbered", "vxlan");
    expect(r.text).toBe(RENUMBERED);
    expect(r.exitCode).toBe(2);
    const etcd = r.lines.find((l) => l.check === "etcd-members");
    expect(etcd?.status).toBe("fail");
    expect(etcd?.detail).toContain("ctrl-2's member at fdaa:0:3b99:a7b:2b3:4d5e:6f70:2");
    expect(etcd?.meaning).toContain("etcdctl member update");
    expect(statuses(r.lines)["etcd-readyz"]).toBe("fail");
    // The node without a pod is a failure even for IPv4 under vxlan.
    expect(statuses(r.lines)["pods-ipv4"]).toBe("fail");
    // The DaemonSet's wait failed at once (not a full round): it is not asked again.
    const waits = r.calls.filter((c) => c.command.includes("rollout"));
    expect(waits.map((c) => c.command.join(" "))).toEqual([
      cmd.waitDaemonSet("verify-net", ROUND_SEC).join(" "),
    ]);
    expect(r.log).toContain(
      "not every verify pod is Ready (error: timed out waiting for the condition); checking with those that are",
    );
  });

  it("applies into its own namespace only after removing a leftover one, and removes it last", async () => {
    const r = await verify("healthy", "vxlan");
    const pre = r.calls.findIndex(
      (c) => c.command.join(" ") === cmd.kubectlDeleteNamespaceAndWait(ROUND_SEC).join(" "),
    );
    const firstApply = r.calls.findIndex(isApply);
    expect(pre).toBeGreaterThan(-1);
    expect(firstApply).toBeGreaterThan(pre);
    expect(isCleanup(r.calls[r.calls.length - 1])).toBe(true);
    for (const c of r.calls.filter(isApply)) {
      const docs = (c.stdin ?? "").split(/^---$/m).map((d) => parse(d) as Doc);
      for (const d of docs)
        expect(d.kind === "Namespace" ? d.metadata.name : d.metadata.namespace).toBe(
          VERIFY_NAMESPACE,
        );
    }
    expect(r.log).toContain(`namespace ${VERIFY_NAMESPACE} removed`);
  });

  it("--json carries the same lines and the exit code", async () => {
    const r = await verify("renumbered", "vxlan", true);
    const report = JSON.parse(r.text) as VerifyReport;
    expect(report.exitCode).toBe(2);
    expect(report.cluster).toBe("demo");
    expect(report.flannelBackend).toBe("vxlan");
    expect(report.lines).toEqual(JSON.parse(JSON.stringify(r.lines)));
  });
});
