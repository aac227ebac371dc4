/**
 * Reading the capability script's lines (cli/probe/parse.ts) and the kernel
 * option list (cli/probe/kernel-options.ts), table-driven over recorded and
 * built outputs. Recorded outputs are in __tests__/fixtures/probe/.
 */
import { parseKernelOptionList } from "../../../cli/probe/kernel-options";
import { parseProbeOutput } from "../../../cli/probe/parse";
import { decideCapabilities } from "../../../cli/probe/decide";
import { fakeOutput, fixture, kernelOptions, recordOf } from "./helpers";

describe("parseProbeOutput", () => {
  it("reads every documented line", () => {
    const f = parseProbeOutput(fakeOutput({ modules: "y", options: { CONFIG_VXLAN: "m" } }));
    expect(f).toMatchObject({
      kernelRelease: "6.1.0-fly",
      kernelConfig: { state: "read", path: "/proc/config.gz" },
      kernelModules: "y",
      links: { wireguard: { state: "created", message: "" }, vxlan: { state: "created" } },
      tools: { "iptables-legacy": { state: "ok", message: "iptables v1.8.9 (legacy)" } },
      cgroup: { fstype: "cgroup2fs", controllers: "cpuset cpu io memory pids" },
      eth0: {
        mtu: 1420,
        addresses: [
          { family: "inet", address: "172.19.4.18/29", scope: "global", flags: [] },
          {
            family: "inet6",
            address: "fdaa:0:18:a7b:7d:f066:b83b:2/112",
            scope: "global",
            flags: [],
          },
          { family: "inet6", address: "fe80::3c:1ff:fe2a:b1/64", scope: "link", flags: [] },
        ],
      },
      flyPrivateIp: "fdaa:0:18:a7b:7d:f066:b83b:2",
      nofileHard: "10240",
    });
    expect(f.options.CONFIG_VXLAN).toBe("m");
    expect(Object.keys(f.options)).toEqual(kernelOptions().map((o) => o.name));
    expect(f.dns[0]).toEqual({
      name: "local-probe.internal",
      type: "AAAA",
      tool: "getent",
      answers: ["fdaa:0:18:a7b:7d:f066:b83b:2"],
    });
  });

  it.each<[string, string, Partial<ReturnType<typeof parseProbeOutput>>]>([
    [
      "a config that cannot be read: no option lines",
      fakeOutput({ config: "unreadable" }),
      { kernelConfig: { state: "unreadable", path: "/proc/config.gz" }, options: {} },
    ],
    ["no eth0", fakeOutput({ mtu: null, addresses: [] }), { eth0: { addresses: [] } }],
    [
      "flags on an address",
      fakeOutput({ addresses: [["inet6", "fdaa::2/112", "global", "tentative dadfailed"]] }),
      {
        eth0: {
          mtu: 1420,
          addresses: [
            {
              family: "inet6",
              address: "fdaa::2/112",
              scope: "global",
              flags: ["tentative", "dadfailed"],
            },
          ],
        },
      },
    ],
    [
      "lines a newer script prints, and comments",
      `# recorded by hand\nkernel.release\tx\nsomething.new\t1\t2\n${fakeOutput().split("\n").slice(1).join("\n")}`,
      { kernelRelease: "x", kernelConfig: { state: "read", path: "/proc/config.gz" } },
    ],
  ])("%s", (_what, text, want) => {
    expect(parseProbeOutput(text)).toMatchObject(want);
  });

  it.each([
    [
      "output cut short",
      fakeOutput({ end: false }),
      "the capability script stopped before its last line (no `end`): its output was cut short",
    ],
    [
      "a state the script never prints",
      fakeOutput().replace("link\tvxlan\tcreated", "link\tvxlan\tmaybe"),
      'capability line 95 ("link\\tvxlan\\tmaybe\\t"): "maybe" is not one of created, failed, untried',
    ],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parseProbeOutput(text)).toThrow(message);
  });
});

/** A recorded output's lines, as (name, result, detail) for the names asked. */
function judged(file: string, names: string[], backend: "vxlan" | "wireguard" = "vxlan") {
  const lines = decideCapabilities(recordOf(fixture(file)), backend);
  return names.map((n) => {
    const c = lines.find((l) => l.name === n);
    return [n, c?.result, c?.detail];
  });
}

describe("recorded outputs (__tests__/fixtures/probe/)", () => {
  it.each<[string, Partial<ReturnType<typeof parseProbeOutput>>, string[][]]>([
    [
      "local-fly-6.18.44-fc.out",
      {
        kernelRelease: "6.18.44-fc-v1300",
        kernelConfig: { state: "read", path: "/proc/config.gz" },
        links: {
          wireguard: { state: "failed", message: "ip: RTNETLINK answers: Operation not supported" },
          vxlan: { state: "created", message: "" },
        },
        tools: {
          ipset: { state: "absent", message: "" },
          "iptables-legacy": { state: "absent", message: "" },
          "ip6tables-legacy": { state: "absent", message: "" },
          "iptables-nft": { state: "absent", message: "" },
        },
        cgroup: {
          fstype: "tmpfs",
          dirs: "blkio cpu cpuacct cpuset devices freezer memory pids systemd",
        },
        flyPrivateIp: "fdaa:0:b560:1:7d6f:f5cd:8781:2",
        nofileHard: "20000",
      },
      [
        ["pod network", "ok", "vxlan: ok"],
        ["wireguard device", "missing", "ip: RTNETLINK answers: Operation not supported"],
        ["CONFIG_WIREGUARD", "missing", "not set"],
        ["CONFIG_VXLAN", "ok", "=y"],
        [
          "iptables legacy",
          "unknown",
          "no iptables-legacy in this image; no ip6tables-legacy in this image",
        ],
        ["ipset", "missing", "no ipset in this image"],
        [
          "cgroups",
          "ok",
          "v1 (tmpfs): blkio cpu cpuacct cpuset devices freezer memory pids systemd",
        ],
        ["eth0 MTU", "ok", "1420"],
        [
          "6PN address",
          "ok",
          "fdaa:0:b560:1:7d6f:f5cd:8781:2 is eth0's first global IPv6 (FLY_PRIVATE_IP)",
        ],
        [
          "DNS AAAA local-probe.internal",
          "ok",
          "fdaa:0:b560:1:7d6f:f5cd:8781:2 (this probe's own app, the control)",
        ],
        [
          "DNS AAAA local-cp.internal",
          "ok",
          "no answer yet: no control-plane machine has started (expected before the first deploy)",
        ],
        ["open files (hard)", "ok", "20000"],
      ],
    ],
    [
      "host-netns-dash-iproute2.out",
      {
        links: {
          wireguard: { state: "failed", message: "Error: Unknown device type." },
          vxlan: { state: "failed", message: 'Cannot find device "eth0"' },
        },
        tools: expect.objectContaining({
          "iptables-legacy": { state: "ok", message: "iptables v1.8.9 (legacy)" },
        }),
        eth0: { mtu: 1400, addresses: [] },
        flyPrivateIp: "",
      },
      [
        ["pod network", "unknown", 'vxlan: unknown (could not tell: Cannot find device "eth0")'],
        ["wireguard device", "missing", "Error: Unknown device type."],
        ["iptables legacy", "ok", "iptables v1.8.9 (legacy); ip6tables v1.8.9 (legacy)"],
        ["6PN address", "unknown", "FLY_PRIVATE_IP is not set in the exec environment"],
        [
          "DNS AAAA local-probe.internal",
          "unknown",
          "no resolver tool in this image (getent, nslookup)",
        ],
      ],
    ],
  ])("%s", (file, facts, lines) => {
    expect(parseProbeOutput(fixture(file))).toMatchObject(facts);
    expect(
      judged(
        file,
        lines.map((l) => l[0]),
      ),
    ).toEqual(lines);
  });

  it("this machine's kernel refuses FLANNEL_BACKEND=wireguard, and only that", () => {
    const lines = decideCapabilities(recordOf(fixture("local-fly-6.18.44-fc.out")), "wireguard");
    expect(lines.filter((c) => c.required && c.result === "missing").map((c) => c.name)).toEqual([
      "pod network",
    ]);
  });
});

describe("parseKernelOptionList", () => {
  it("reads images/k3s-node/kernel/k3s-fly.config as check-kernel.sh does", () => {
    const options = kernelOptions();
    expect(options.find((o) => o.name === "CONFIG_WIREGUARD")).toMatchObject({ required: false });
    expect(options.find((o) => o.name === "CONFIG_OVERLAY_FS")).toEqual({
      name: "CONFIG_OVERLAY_FS",
      required: true,
      reason: "containers: containerd's overlayfs snapshotter (k3s's default)",
    });
  });

  it.each([
    [
      "CONFIG_A=y",
      'x.config:1: expected CONFIG_NAME=y  # required|optional: <why> (got "CONFIG_A=y")',
    ],
    [
      "# c\nCONFIG_A=m  # required: r",
      'x.config:2: expected CONFIG_NAME=y  # required|optional: <why> (got "CONFIG_A=m  # required: r")',
    ],
  ])("refuses %j", (text, message) => {
    expect(() => parseKernelOptionList(text, "x.config")).toThrow(message);
  });
});
