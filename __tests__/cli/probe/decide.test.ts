/**
 * What the facts mean (cli/probe/decide*.ts): each line's result, detail and
 * what the node does, table-driven over script outputs built line by line.
 */
import { decideCapabilities, refusals } from "../../../cli/probe/decide";
import { Capability } from "../../../cli/probe/types";
import { FlannelBackend } from "../../../config/schema";
import { FakeMachine, fakeOutput, recordOf } from "./helpers";

const NO_WG: [string, string] = ["failed", "ip: RTNETLINK answers: Operation not supported"];
const NO_WG_IPROUTE: [string, string] = ["failed", "Error: Unknown device type."];

function line(m: FakeMachine, name: string, backend: FlannelBackend = "vxlan", got?: string) {
  const found = decideCapabilities(recordOf(fakeOutput(m), { got }), backend).find(
    (c) => c.name === name,
  );
  if (!found) throw new Error(`no line ${name}`);
  const { result, detail, node } = found;
  return { result, detail, node };
}

describe("the pod network decision (FLANNEL_BACKEND)", () => {
  it.each<[string, FakeMachine, FlannelBackend, Partial<Capability>]>([
    [
      "vxlan, device created",
      { wireguard: NO_WG },
      "vxlan",
      {
        result: "ok",
        detail: "vxlan: ok",
        node: "IPv6 pod traffic across nodes over 6PN, IPv4 within a node (and egress)",
      },
    ],
    [
      "wireguard, no such link type (busybox)",
      { wireguard: NO_WG },
      "wireguard",
      {
        result: "missing",
        detail: "wireguard: missing",
        node: "the node refuses to start; set FLANNEL_BACKEND=vxlan (IPv6 pod traffic across nodes over 6PN, IPv4 within a node (and egress))",
      },
    ],
    [
      "wireguard, no such link type (iproute2)",
      { wireguard: NO_WG_IPROUTE },
      "wireguard",
      { result: "missing", detail: "wireguard: missing" },
    ],
    [
      "wireguard, created",
      {},
      "wireguard",
      {
        result: "ok",
        detail: "wireguard: ok",
        node: "IPv4 and IPv6 pod traffic across nodes, encrypted, over 6PN",
      },
    ],
    [
      "vxlan, not permitted: cannot tell",
      { vxlan: ["failed", "ip: RTNETLINK answers: Operation not permitted"] },
      "vxlan",
      {
        result: "unknown",
        detail: "vxlan: unknown (could not tell: ip: RTNETLINK answers: Operation not permitted)",
        node: "the node tries the device at boot and refuses to start without it",
      },
    ],
    [
      "vxlan, no ip command",
      { vxlan: ["untried", "no ip command in this image"] },
      "vxlan",
      { result: "unknown", detail: "vxlan: unknown (could not try: no ip command in this image)" },
    ],
    [
      "neither backend",
      { wireguard: NO_WG, vxlan: NO_WG },
      "vxlan",
      {
        result: "missing",
        node: "the node refuses to start, and wireguard is not available either: no pod network on this kernel",
      },
    ],
  ])("%s", (_what, machine, backend, want) => {
    expect(line(machine, "pod network", backend)).toMatchObject(want);
  });

  it("says what the other device would give", () => {
    expect(line({}, "wireguard device", "vxlan")).toEqual({
      result: "ok",
      detail: "created and removed",
      node: "not used; FLANNEL_BACKEND=wireguard would work: IPv4 and IPv6 pod traffic across nodes, encrypted, over 6PN",
    });
    expect(line({ wireguard: NO_WG }, "wireguard device", "vxlan")).toEqual({
      result: "missing",
      detail: "ip: RTNETLINK answers: Operation not supported",
      node: "not used (FLANNEL_BACKEND=vxlan)",
    });
  });
});

describe("kernel options, judged as check-kernel.sh judges them", () => {
  it.each<[string, FakeMachine, string, ReturnType<typeof line>]>([
    [
      "a required option set",
      {},
      "CONFIG_OVERLAY_FS",
      {
        result: "ok",
        detail: "=y",
        node: "required: containers: containerd's overlayfs snapshotter (k3s's default)",
      },
    ],
    [
      "a required option not set",
      { options: { CONFIG_OVERLAY_FS: "" } },
      "CONFIG_OVERLAY_FS",
      {
        result: "missing",
        detail: "not set",
        node: "the node refuses to start (required: containers: containerd's overlayfs snapshotter (k3s's default))",
      },
    ],
    [
      "a module on a kernel that cannot load modules",
      { options: { CONFIG_OVERLAY_FS: "m" } },
      "CONFIG_OVERLAY_FS",
      {
        result: "missing",
        detail: "=m, and this kernel cannot load modules",
        node: "the node refuses to start (required: containers: containerd's overlayfs snapshotter (k3s's default))",
      },
    ],
    [
      "a module on a kernel that loads them",
      { modules: "y", options: { CONFIG_OVERLAY_FS: "m" } },
      "CONFIG_OVERLAY_FS",
      {
        result: "ok",
        detail: "=m (a module; this kernel loads modules)",
        node: "required: containers: containerd's overlayfs snapshotter (k3s's default)",
      },
    ],
    [
      "an optional option not set",
      { options: { CONFIG_WIREGUARD: "" } },
      "CONFIG_WIREGUARD",
      {
        result: "missing",
        detail: "not set",
        node: "starts, warns (optional: FLANNEL_BACKEND=wireguard, Mode ipv6: IPv4 and IPv6 pod traffic over 6PN (UDP 51820); not in the original tool's kernel list)",
      },
    ],
    [
      "no readable config",
      { config: "unreadable" },
      "CONFIG_OVERLAY_FS",
      {
        result: "unknown",
        detail: "no readable kernel config",
        node: "cannot check it either; without it k3s fails later (required: containers: containerd's overlayfs snapshotter (k3s's default))",
      },
    ],
  ])("%s", (_what, machine, name, want) => {
    expect(line(machine, name)).toEqual(want);
  });

  it("says why the options cannot be told when the config is not readable", () => {
    expect(line({ config: "none" }, "kernel config")).toEqual({
      result: "unknown",
      detail: "no /proc/config.gz, no /boot/config-6.1.0-fly",
      node: "starts without the kernel check (warns); the options below cannot be told",
    });
  });
});

describe("the machine's network, DNS, exec and limits", () => {
  it.each<[string, FakeMachine, string, Partial<ReturnType<typeof line>>]>([
    [
      "the 6PN address first on eth0",
      {},
      "6PN address",
      {
        result: "ok",
        detail: "fdaa:0:18:a7b:7d:f066:b83b:2 is eth0's first global IPv6 (FLY_PRIVATE_IP)",
      },
    ],
    [
      "the 6PN address after another global IPv6",
      {
        addresses: [
          ["inet6", "2001:db8::5/64", "global", ""],
          ["inet6", "fdaa:0:18:a7b:7d:f066:b83b:2/112", "global", ""],
        ],
      },
      "6PN address",
      {
        result: "ok",
        detail: "fdaa:0:18:a7b:7d:f066:b83b:2 (FLY_PRIVATE_IP) is on eth0, after 2001:db8::5",
      },
    ],
    [
      "the 6PN address not on eth0",
      { addresses: [["inet6", "fdaa:0:18:a7b:7d:f066:b83b:9/112", "global", ""]] },
      "6PN address",
      { result: "missing", node: "the node waits for it on eth0 and never starts k3s" },
    ],
    [
      "no FLY_PRIVATE_IP",
      { privateIp: "" },
      "6PN address",
      { result: "unknown", detail: "FLY_PRIVATE_IP is not set in the exec environment" },
    ],
    [
      "eth0 MTU with vxlan",
      {},
      "eth0 MTU",
      { result: "ok", detail: "1420", node: "flannel VXLAN device 1350, pods 1300" },
    ],
    ["no eth0", { mtu: null }, "eth0 MTU", { result: "missing", detail: "no eth0" }],
    [
      "cgroup v2 with the controllers",
      {},
      "cgroups",
      { result: "ok", detail: "v2 (cgroup2fs): cpuset cpu io memory pids" },
    ],
    [
      "cgroup v2 without memory",
      { cgroup: ["cgroup.fstype\tcgroup2fs", "cgroup.controllers\tcpu pids"] },
      "cgroups",
      { result: "missing", detail: "v2 without memory (has: cpu pids)" },
    ],
    [
      "cgroup v1",
      { cgroup: ["cgroup.fstype\ttmpfs", "cgroup.dirs\tcpu memory pids"] },
      "cgroups",
      { result: "ok", detail: "v1 (tmpfs): cpu memory pids" },
    ],
    [
      "the control name answers",
      {},
      "DNS AAAA local-probe.internal",
      { result: "ok", detail: "fdaa:0:18:a7b:7d:f066:b83b:2 (this probe's own app, the control)" },
    ],
    [
      "the control plane not deployed yet",
      {},
      "DNS AAAA local-cp.internal",
      {
        result: "ok",
        detail:
          "no answer yet: no control-plane machine has started (expected before the first deploy)",
        node: "agents join https://local-cp.internal:6443 once a server runs",
      },
    ],
    [
      "no resolver tool",
      {
        dns: [
          ["local-probe.internal", "AAAA", "none", ""],
          ["local-cp.internal", "AAAA", "none", ""],
        ],
      },
      "DNS AAAA local-probe.internal",
      { result: "unknown", detail: "no resolver tool in this image (getent, nslookup)" },
    ],
    [
      "the control name does not answer",
      {
        dns: [
          ["local-probe.internal", "AAAA", "getent", ""],
          ["local-cp.internal", "AAAA", "getent", ""],
        ],
      },
      "DNS AAAA local-probe.internal",
      { result: "missing", detail: "no answer for this probe's own app after 10 s" },
    ],
    [
      "A records",
      {},
      "DNS A local-probe.internal",
      { result: "ok", detail: "no A answer (6PN names are IPv6 only)" },
    ],
    [
      "iptables legacy absent",
      { tools: { "iptables-legacy": ["absent", ""], "ip6tables-legacy": ["absent", ""] } },
      "iptables legacy",
      {
        result: "unknown",
        detail: "no iptables-legacy in this image; no ip6tables-legacy in this image",
      },
    ],
    [
      "iptables legacy failing",
      {
        tools: {
          "ip6tables-legacy": [
            "failed",
            "can't initialize ip6tables table `nat': Table does not exist",
          ],
        },
      },
      "iptables legacy",
      { result: "missing" },
    ],
    [
      "ipset absent",
      { tools: { ipset: ["absent", ""] } },
      "ipset",
      { result: "missing", detail: "no ipset in this image" },
    ],
    [
      "open files below k3s's",
      {},
      "open files (hard)",
      {
        result: "ok",
        detail: "10240",
        node: "raises it to 1048576 at boot; without CAP_SYS_RESOURCE keeps 10240",
      },
    ],
    [
      "open files unlimited",
      { nofile: "unlimited" },
      "open files (hard)",
      { node: "keeps it (at least 1048576)" },
    ],
  ])("%s", (_what, machine, name, want) => {
    expect(line(machine, name)).toMatchObject(want);
  });

  it("compares the quoting check with what was sent", () => {
    expect(line({}, "exec arguments")).toEqual({
      result: "ok",
      detail: `spaces and quotes arrive as sent: <a b><it's "q">`,
      node: "the deploy's exec steps (join token, decision file) get their arguments as sent",
    });
    expect(line({}, "exec arguments", "vxlan", "<a><b><it's><q>")).toMatchObject({
      result: "missing",
      detail: `sent <a b><it's "q">, got "<a><b><it's><q>" (exit 0)`,
    });
  });
});

describe("refusals", () => {
  it("are the required lines that are missing, each with what the node does", () => {
    const record = recordOf(fakeOutput({ wireguard: NO_WG, options: { CONFIG_VETH: "" } }));
    expect(refusals(decideCapabilities(record, "wireguard"))).toEqual([
      "pod network: wireguard: missing: the node refuses to start; set FLANNEL_BACKEND=vxlan (IPv6 pod traffic across nodes over 6PN, IPv4 within a node (and egress))",
      "CONFIG_VETH: not set: the node refuses to start (required: flannel: its CNI puts each pod on the cni0 bridge through a veth pair)",
    ]);
    expect(refusals(decideCapabilities(recordOf(fakeOutput()), "vxlan"))).toEqual([]);
  });

  it("never come from what could not be told", () => {
    const record = recordOf(
      fakeOutput({
        config: "none",
        vxlan: ["untried", "no ip command in this image"],
        privateIp: "",
      }),
    );
    expect(refusals(decideCapabilities(record, "vxlan"))).toEqual([]);
  });
});
