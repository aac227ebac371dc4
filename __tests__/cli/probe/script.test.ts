/**
 * What the probe sends (cli/probe/script.ts) and the capability script itself
 * (images/k3s-node/capabilities.sh): the option names come from
 * k3s-fly.config in front of the script, and the script runs with nothing but
 * a POSIX shell, dash and busybox sh, printing the documented lines. The
 * script runs in a network namespace of its own (`unshare -rn`), so the
 * devices it tries never touch this host's network.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  CAPABILITY_SCRIPT_PATH,
  QUOTING_COMMAND,
  QUOTING_EXPECTED,
  buildProbeScript,
  probeCommand,
} from "../../../cli/probe/script";
import { parseProbeOutput } from "../../../cli/probe/parse";
import { ROOT, kernelOptions } from "./helpers";

const SCRIPT = fs.readFileSync(path.join(ROOT, CAPABILITY_SCRIPT_PATH), "utf8");

describe("the probe's script text", () => {
  it("puts the option names of k3s-fly.config, in file order, in front of the script", () => {
    const options = kernelOptions();
    const text = buildProbeScript(SCRIPT, options);
    const [first, ...rest] = text.split("\n");
    expect(first).toBe(`probe_options='${options.map((o) => o.name).join(" ")}'`);
    expect(rest.join("\n")).toBe(SCRIPT);
    expect(options.length).toBeGreaterThan(50);
  });

  it("refuses a name that is not a kernel option", () => {
    expect(() =>
      buildProbeScript(SCRIPT, [{ name: "CONFIG_X; rm -rf /", required: true, reason: "r" }]),
    ).toThrow("not a kernel option name: CONFIG_X; rm -rf /");
  });

  it("runs the script from stdin with the two names to resolve", () => {
    expect(probeCommand("c-cp.internal", "c-probe.internal")).toEqual([
      "sh",
      "-s",
      "--",
      "c-cp.internal",
      "c-probe.internal",
    ]);
  });

  it("checks quoting with an argv whose words hold spaces and quotes", () => {
    const r = spawnSync(QUOTING_COMMAND[0], QUOTING_COMMAND.slice(1), { encoding: "utf8" });
    expect(r.stdout).toBe(QUOTING_EXPECTED);
    expect(QUOTING_EXPECTED).toBe(`<a b><it's "q">`);
  });
});

describe("images/k3s-node/capabilities.sh with only a POSIX shell", () => {
  const text = buildProbeScript(SCRIPT, kernelOptions());
  beforeAll(() => {
    for (const tool of ["dash", "busybox", "unshare"]) {
      if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
        throw new Error(`${tool} is not installed: run npm run setup (scripts/podman-setup.sh)`);
      }
    }
  });

  it.each([
    ["dash", ["dash"]],
    ["busybox sh", ["busybox", "sh"]],
  ])("%s prints every documented line and ends with `end`", (_name, shell) => {
    const r = spawnSync("unshare", ["-rn", ...shell, "-s", "--", "local-cp.internal", ""], {
      input: text,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const facts = parseProbeOutput(r.stdout);
    const keys = new Set(r.stdout.split("\n").map((l) => l.split("\t")[0]));
    for (const k of ["kernel.release", "kernel.config", "link", "tool", "cgroup.fstype"])
      expect([k, keys.has(k)]).toEqual([k, true]);
    expect(Object.keys(facts.links).sort()).toEqual(["vxlan", "wireguard"]);
    expect(Object.keys(facts.tools).sort()).toEqual([
      "ip6tables-legacy",
      "ipset",
      "iptables-legacy",
      "iptables-nft",
    ]);
    expect(facts.dns.map((d) => [d.name, d.type])).toEqual([
      ["local-cp.internal", "AAAA"],
      ["local-cp.internal", "A"],
    ]);
    if (facts.kernelConfig.state === "read")
      expect(Object.keys(facts.options)).toEqual(kernelOptions().map((o) => o.name));
    expect(facts.nofileHard).toMatch(/^(\d+|unlimited)$/);
  });

  it("refuses to run without the option names, saying who sets them", () => {
    const r = spawnSync("dash", ["-s"], { input: SCRIPT, encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("probe_options is not set");
  });
});
