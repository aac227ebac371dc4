import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  checkKernelScript,
  fragmentOptions,
  kernelFragment,
  repoRoot,
  run,
  tempDir,
  writeKernelConfig,
} from "./helpers";

/** Files of the checkout (not dependencies, generated code, build output or tests' fixtures). */
function checkoutFiles(dir: string): string[] {
  const skip = new Set(["node_modules", ".git", ".gen", "cdktf.out", "__tests__"]);
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return skip.has(e.name) ? [] : checkoutFiles(full);
    return e.isFile() ? [full] : [];
  });
}

describe("images/k3s-node/kernel/k3s-fly.config", () => {
  const options = fragmentOptions();
  const byName = new Map(options.map((o) => [o.name, o]));

  it("is the one list of kernel options: no other file holds CONFIG_…=y lines", () => {
    const others = checkoutFiles(repoRoot)
      .filter((f) => f !== kernelFragment)
      .filter((f) => /^\s*CONFIG_[A-Z0-9_]+=[ym]\b/m.test(fs.readFileSync(f, "latin1")))
      .map((f) => path.relative(repoRoot, f));
    expect(others).toEqual([]);
  });

  it("lists each option once", () => {
    const names = options.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("gives a reason for every option, required or optional", () => {
    const withoutReason = options.filter((o) => o.reason.trim() === "");
    expect(withoutReason.map((o) => o.name)).toEqual([]);
  });

  // Required means: needed by a choice this cluster makes. Each required
  // option's reason names the choice, so dropping a choice shows what to relax.
  it.each<[string, RegExp, string[]]>([
    [
      "kube-proxy in iptables mode",
      /kube-proxy \(iptables mode\)/,
      [
        "CONFIG_NETFILTER_XT_MATCH_STATISTIC",
        "CONFIG_NETFILTER_XT_MATCH_MULTIPORT",
        "CONFIG_NETFILTER_XT_MATCH_ADDRTYPE",
        "CONFIG_NETFILTER_XT_MARK",
        "CONFIG_IP_NF_MANGLE",
        "CONFIG_NF_CT_NETLINK",
      ],
    ],
    [
      "the network policy controller",
      /network policy controller/,
      [
        "CONFIG_IP_SET",
        "CONFIG_IP_SET_HASH_IP",
        "CONFIG_IP_SET_HASH_NET",
        "CONFIG_NETFILTER_XT_SET",
        "CONFIG_NETFILTER_XT_MATCH_PHYSDEV",
        "CONFIG_NETFILTER_XT_TARGET_NFLOG",
      ],
    ],
    ["flannel masquerading", /flannel masquerades/, ["CONFIG_IP6_NF_TARGET_MASQUERADE"]],
    ["iptables-legacy", /iptables-legacy/, ["CONFIG_IP_NF_IPTABLES", "CONFIG_IP6_NF_IPTABLES"]],
  ])("requires, for %s, each option with that reason", (_choice, reason, names) => {
    for (const name of names) {
      const o = byName.get(name);
      expect({ name, optional: o?.optional, reason: o?.reason }).toEqual({
        name,
        optional: false,
        reason: expect.stringMatching(reason),
      });
    }
  });

  it("marks the IPVS options optional because kube-proxy runs in iptables mode", () => {
    const ipvs = options.filter((o) => /IP_VS/.test(o.name));
    expect(ipvs.length).toBeGreaterThan(3);
    for (const o of ipvs) {
      expect({ name: o.name, optional: o.optional, reason: o.reason }).toEqual({
        name: o.name,
        optional: true,
        reason: "kube-proxy ipvs mode only; we use iptables mode",
      });
    }
  });

  // The pod network's device depends on FLANNEL_BACKEND, so neither is
  // required here: the entrypoint creates one of the chosen type at boot.
  it.each(["CONFIG_VXLAN", "CONFIG_WIREGUARD"])(
    "leaves %s to the boot-time device check",
    (name) => {
      expect(byName.get(name)).toMatchObject({
        optional: true,
        reason: expect.stringContaining("FLANNEL_BACKEND="),
      });
    },
  );

  it.each([
    "CONFIG_VETH",
    "CONFIG_BRIDGE",
    "CONFIG_BRIDGE_NETFILTER",
    "CONFIG_OVERLAY_FS",
    "CONFIG_NF_NAT",
    "CONFIG_NF_CONNTRACK",
    "CONFIG_IP6_NF_NAT",
    "CONFIG_IP6_NF_TARGET_MASQUERADE",
    "CONFIG_IP6_NF_TARGET_REJECT",
    "CONFIG_IP_NF_TARGET_MASQUERADE",
    "CONFIG_NETFILTER_XT_MATCH_MULTIPORT",
    "CONFIG_NETFILTER_XT_MATCH_COMMENT",
    "CONFIG_NETFILTER_XT_MATCH_STATISTIC",
    "CONFIG_NETFILTER_XT_MATCH_ADDRTYPE",
    "CONFIG_NETFILTER_XT_MATCH_PHYSDEV",
    "CONFIG_IP_SET",
    "CONFIG_MEMCG",
  ])("requires %s (flannel's CNI, iptables kube-proxy, network policy)", (name) => {
    expect(byName.get(name)?.optional).toBe(false);
  });

  it.each([
    "CONFIG_IP_VS",
    "CONFIG_IP_VS_RR",
    "CONFIG_NETFILTER_XT_MATCH_IPVS",
    "CONFIG_NET_CLS_CGROUP",
    "CONFIG_INET_ESP",
    "CONFIG_NFS_V4",
    "CONFIG_AUTOFS_FS",
    "CONFIG_NETFILTER_XT_TARGET_TPROXY",
  ])("marks %s optional (not used by our design)", (name) => {
    expect(byName.get(name)?.optional).toBe(true);
  });
});

describe("images/k3s-node/kernel/check-kernel.sh", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("kernel");
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const check = (config: string, ...args: string[]) =>
    run(checkKernelScript, ["--kernel-config", config, ...args]);

  it("passes a complete kernel config", () => {
    const config = writeKernelConfig(path.join(dir, "complete.config"));
    const result = check(config);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^check-kernel: ok: \d+ options checked/);
    expect(result.stdout).toContain("0 optional missing");
  });

  it("reads a gzipped config such as /proc/config.gz", () => {
    const plain = writeKernelConfig(path.join(dir, "complete-gz.config"));
    const gz = `${plain}.gz`;
    fs.writeFileSync(gz, execFileSync("gzip", ["-c", plain]));
    expect(check(gz).status).toBe(0);
  });

  it("fails and names the option when a required one is missing", () => {
    const config = writeKernelConfig(path.join(dir, "no-veth.config"), {
      CONFIG_VETH: null,
    });
    const result = check(config);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "missing: CONFIG_VETH is not set (required: flannel: its CNI puts each pod on the cni0 bridge through a veth pair)",
    );
    const summary = result.stderr.trim().split("\n").pop();
    expect(summary).toMatch(/1 required kernel option\(s\) missing .*: CONFIG_VETH\./);
  });

  it("rejects =m options on a kernel that cannot load modules", () => {
    const config = writeKernelConfig(path.join(dir, "modules.config"), {}, "m");
    const result = check(config);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "missing: CONFIG_VETH is a module (=m), but this kernel cannot load modules",
    );
    const required = fragmentOptions().filter((o) => !o.optional);
    const summary = result.stderr.trim().split("\n").pop() ?? "";
    expect(summary).toContain(`${required.length} required kernel option(s) missing`);
  });

  it("accepts =m options when the kernel can load modules", () => {
    const config = writeKernelConfig(
      path.join(dir, "modules-ok.config"),
      { CONFIG_MODULES: "y" },
      "m",
    );
    expect(check(config).status).toBe(0);
  });

  it("only warns about missing optional options, and --quiet hides the warnings", () => {
    const config = writeKernelConfig(path.join(dir, "no-ipvs.config"), {
      CONFIG_IP_VS: null,
      CONFIG_NETFILTER_XT_MATCH_IPVS: null,
      CONFIG_VXLAN: null,
    });
    const loud = check(config);
    expect(loud.status).toBe(0);
    expect(loud.stderr).toMatch(/^warning: CONFIG_IP_VS is not set \(optional: .+\)$/m);
    expect(loud.stderr).toMatch(/^warning: CONFIG_VXLAN is not set/m);
    expect(loud.stdout).toContain("3 optional missing");

    const quiet = check(config, "--quiet");
    expect(quiet).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  it("still lists missing required options with --quiet", () => {
    const config = writeKernelConfig(path.join(dir, "quiet-fail.config"), {
      CONFIG_VETH: null,
      CONFIG_IP_VS: null,
    });
    const result = check(config, "--quiet");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("missing: CONFIG_VETH");
    expect(result.stderr).not.toContain("CONFIG_IP_VS");
  });

  it("exits 2 when the kernel config cannot be found", () => {
    const result = check(path.join(dir, "does-not-exist"));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("cannot read kernel config");
  });

  it("exits 2 when the file is not a kernel config", () => {
    const empty = path.join(dir, "empty.config");
    fs.writeFileSync(empty, "hello\n");
    expect(check(empty).status).toBe(2);
  });

  it("exits 64 on a malformed option list", () => {
    const config = writeKernelConfig(path.join(dir, "for-bad-fragment.config"));
    const fragment = path.join(dir, "bad-fragment.config");
    fs.writeFileSync(fragment, "CONFIG_VXLAN=y  # required: vxlan\nCONFIG_IP_SET_MAX=256\n");
    const result = check(config, "--fragment", fragment);
    expect(result.status).toBe(64);
    expect(result.stderr).toContain(`${fragment}:2: expected CONFIG_NAME=y`);
  });

  it.each([
    ["CONFIG_VXLAN=y\n"],
    ["CONFIG_VXLAN=y  # optional:\n"],
    ["CONFIG_VXLAN=y  # needed\n"],
  ])("exits 64 on an option without its reason: %j", (line) => {
    const config = writeKernelConfig(path.join(dir, "for-no-reason.config"));
    const fragment = path.join(dir, "no-reason.config");
    fs.writeFileSync(fragment, line);
    const result = check(config, "--fragment", fragment);
    expect(result.status).toBe(64);
    expect(result.stderr).toContain(
      `${fragment}:1: CONFIG_VXLAN needs its reason: "# required: <why>" or "# optional: <why>"`,
    );
  });

  it("prints the reason of a missing required option", () => {
    const config = writeKernelConfig(path.join(dir, "no-ipset.config"), { CONFIG_IP_SET: null });
    const result = check(config);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "missing: CONFIG_IP_SET is not set (required: network policy controller: keeps pod and namespace selectors in ipsets)",
    );
  });
});
