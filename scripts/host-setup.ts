/**
 * The host changes the local Fly (and the developer tools) need, made only
 * as root, each printed with its reason before it is made, each recorded so
 * that `npm run setup -- --undo-local` restores what was there
 * (scripts/setup-decisions.ts decides; this file looks and acts):
 *
 *   host-setup.ts check [--local] [--dev]   what is still to do (exit 0: nothing, 3: something)
 *   host-setup.ts apply [--local] [--dev]   do it (as root; otherwise print it and exit 3)
 *   host-setup.ts undo                      restore what the record holds (as root)
 *
 * ./k3s.sh runs `check --local` before it starts the local Fly, and stops
 * with its output when something is still to do: it never changes the host.
 *
 *   FLY_K3S_HOST_ROOT=DIR   tests only: DIR stands for / (proc/sys, etc)
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cachePath, cacheRoot } from "../contract/cache-layout";
import { podmanEnv } from "../emulator/podman";
import {
  DEV_PACKAGES,
  EMPTY_RECORD,
  HostChange,
  HostFacts,
  HostRecord,
  Ipv6Snapshot,
  LOCAL_FLY_PACKAGES,
  UndoStep,
  describeChange,
  formatRecord,
  hostPlan,
  parseDefaultRoutes,
  parseRecord,
  undoPlan,
} from "./host-decisions";

const HOST_ROOT = process.env.FLY_K3S_HOST_ROOT ?? "";
const host = (p: string) => path.join(HOST_ROOT || "/", p);
const LEGACY_CONF = "/etc/containers/containers.conf";
const LEGACY_MARK = "fly-k3s scripts/podman-setup.sh";

const say = (line: string) => process.stderr.write(`[host-setup] ${line}\n`);

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "")
    .split(path.delimiter)
    .some((d) => d && fs.existsSync(path.join(d, cmd)));
}

/** Commands that stand for a package where there is no dpkg. */
const PACKAGE_COMMAND: Record<string, string> = {
  podman: "podman",
  runc: "runc",
  iptables: "iptables",
  iproute2: "ip",
  "busybox-static": "busybox",
  uidmap: "newuidmap",
  slirp4netns: "slirp4netns",
  shellcheck: "shellcheck",
};

function missingPackages(names: string[], debian: boolean): string[] {
  if (names.length === 0) return [];
  if (!debian) return names.filter((n) => !onPath(PACKAGE_COMMAND[n] ?? n));
  const r = spawnSync("dpkg-query", ["-W", "-f", "${Package}\\t${Status}\\n", ...names], {
    encoding: "utf8",
  });
  const installed = new Set(
    (r.stdout ?? "")
      .split("\n")
      .filter((l) => l.endsWith("install ok installed"))
      .map((l) => l.split("\t")[0].replace(/:.*$/, "")),
  );
  return names.filter((n) => !installed.has(n));
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return fallback;
  }
}

function ipv6Snapshot(): Ipv6Snapshot | undefined {
  const conf = host("/proc/sys/net/ipv6/conf");
  if (!fs.existsSync(path.join(conf, "all", "forwarding"))) return undefined;
  const acceptRa: Record<string, string> = {};
  for (const dev of fs.readdirSync(conf)) {
    if (dev === "all" || dev === "default") continue;
    const v = readOr(path.join(conf, dev, "accept_ra"), "");
    if (v) acceptRa[dev] = v;
  }
  const ip = spawnSync("ip", ["-6", "route", "show", "default"], { encoding: "utf8" });
  return {
    forwarding: readOr(path.join(conf, "all", "forwarding"), "0"),
    acceptRa,
    defaultRoutes: parseDefaultRoutes(ip.status === 0 ? ip.stdout : ""),
  };
}

function legacyConf(): boolean {
  return readOr(host(LEGACY_CONF), "").includes(LEGACY_MARK);
}

function facts(want: { local: boolean; dev: boolean }): HostFacts {
  const debian = onPath("dpkg-query") && onPath("apt-get");
  const names = [
    ...(want.local && process.platform === "linux" ? Object.keys(LOCAL_FLY_PACKAGES) : []),
    ...(want.dev ? Object.keys(DEV_PACKAGES) : []),
  ];
  return {
    platform: process.platform,
    root: process.getuid?.() === 0,
    debian,
    missingPackages: missingPackages(names, debian),
    ipv6: process.platform === "linux" ? ipv6Snapshot() : undefined,
    legacyContainersConf: want.local && legacyConf(),
  };
}

const recordFile = () =>
  cachePath(cacheRoot(process.env, os.homedir()), "HOST_SETUP_RECORD", (v) => v);

function readRecord(): HostRecord {
  const file = recordFile();
  return fs.existsSync(file) ? parseRecord(fs.readFileSync(file, "utf8"), file) : EMPTY_RECORD;
}

function writeRecord(r: HostRecord): void {
  const file = recordFile();
  if (r.changes.length === 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, formatRecord(r), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

function sysctlFile(key: string): string {
  return host(`/proc/sys/${key.split(".").join("/")}`);
}

function apt(args: string[]): void {
  execFileSync("apt-get", args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

function make(c: HostChange): void {
  if (c.kind === "apt-install") {
    apt(["update", "-qq"]);
    apt(["install", "-y", "-qq", "--no-install-recommends", ...c.packages]);
  } else {
    fs.writeFileSync(sysctlFile(c.key), `${c.to}\n`);
  }
}

function parseWant(args: string[]): { local: boolean; dev: boolean } {
  for (const a of args) {
    if (a !== "--local" && a !== "--dev") throw new Error(`host-setup: unknown option ${a}`);
  }
  return { local: args.includes("--local"), dev: args.includes("--dev") };
}

function podmanReady(): void {
  const env = { ...process.env, ...podmanEnv() };
  const r = spawnSync(
    "podman",
    ["info", "--format", "{{.Version.Version}} {{.Host.OCIRuntime.Name}} {{.Host.NetworkBackend}}"],
    { encoding: "utf8", env },
  );
  if (r.status !== 0) {
    say(`podman is installed but 'podman info' fails: ${(r.stderr ?? "").trim()}`);
    process.exitCode = 1;
    return;
  }
  const [version, runtime, backend] = r.stdout.trim().split(" ");
  const named = Object.entries(podmanEnv())
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  say(
    `podman ${version} ready for the local Fly (runtime ${runtime}, network backend ${backend}; settings ${named}, read only by the emulator's podman)`,
  );
}

/** check and apply: 0 when nothing is left to do, 3 when something is (printed). */
function checkOrApply(apply: boolean, want: { local: boolean; dev: boolean }): number {
  const plan = hostPlan(facts(want), want);
  for (const n of plan.notes) say(`note: ${n}`);
  if (plan.changes.length === 0 && plan.blockers.length === 0) {
    say(
      `nothing to change on this host (${[want.local && "local Fly", want.dev && "developer tools"].filter(Boolean).join(", ")})`,
    );
    if (apply && want.local && process.platform === "linux") podmanReady();
    return 0;
  }
  if (!apply || plan.blockers.length > 0) {
    for (const c of plan.changes) say(`to do: ${describeChange(c)}`);
    for (const b of plan.blockers) say(`to do: ${b}`);
    if (plan.changes.length > 0) say("undo later with: npm run setup -- --undo-local");
    return 3;
  }
  let record = readRecord();
  for (const c of plan.changes) {
    say(`changing: ${describeChange(c)}`);
    // Recorded first: undoing a change that failed half-way restores the old value.
    record = { ...record, changes: [...record.changes, { ...c, at: new Date().toISOString() }] };
    writeRecord(record);
    make(c);
  }
  say(`recorded in ${recordFile()}; npm run setup -- --undo-local restores the previous state`);
  if (want.local && process.platform === "linux") podmanReady();
  return 0;
}

function describeStep(s: UndoStep): string {
  switch (s.kind) {
    case "apt-remove":
      return `remove the Debian packages setup installed: ${s.packages.join(" ")} (apt-get remove)`;
    case "sysctl":
      return `sysctl ${s.key} back to ${s.to}`;
    case "remove-legacy-conf":
      return `remove ${LEGACY_CONF} (written by an earlier fly-k3s set-up), restoring the newest ${LEGACY_CONF}.bak.* it kept, if any`;
    case "keep":
      return `keeping ${s.what}: ${s.why}`;
  }
}

function removeLegacyConf(): void {
  const file = host(LEGACY_CONF);
  const dir = path.dirname(file);
  const baks = fs
    .readdirSync(dir)
    .filter((f) => /^containers\.conf\.bak\.\d+$/.test(f))
    .sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()));
  const newest = baks.pop();
  if (newest) fs.renameSync(path.join(dir, newest), file);
  else fs.rmSync(file, { force: true });
}

function undo(): number {
  const record = readRecord();
  const steps = undoPlan(record, {
    ipv6: process.platform === "linux" ? ipv6Snapshot() : undefined,
    legacyContainersConf: legacyConf(),
  });
  if (steps.length === 0) {
    say(`nothing to undo (no record in ${recordFile()})`);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    for (const s of steps) say(`to undo: ${describeStep(s)}`);
    say("undoing needs root: run npm run setup -- --undo-local as root (sudo)");
    return 3;
  }
  const done = new Set<number>();
  let kept = 0;
  for (const s of steps) {
    if (s.kind === "keep") {
      say(describeStep(s));
      kept++;
      continue;
    }
    say(`undoing: ${describeStep(s)}`);
    if (s.kind === "apt-remove") apt(["remove", "-y", "-qq", ...s.packages]);
    else if (s.kind === "sysctl") fs.writeFileSync(sysctlFile(s.key), `${s.to}\n`);
    else removeLegacyConf();
    if ("index" in s) {
      done.add(s.index);
      writeRecord({ ...record, changes: record.changes.filter((_, i) => !done.has(i)) });
    }
  }
  say(kept ? `${kept} change(s) kept; the record keeps them` : "every recorded change undone");
  return kept ? 3 : 0;
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd === "check") return checkOrApply(false, parseWant(rest));
  if (cmd === "apply") return checkOrApply(true, parseWant(rest));
  if (cmd === "undo" && rest.length === 0) return undo();
  process.stderr.write("usage: host-setup.ts check|apply [--local] [--dev] | undo\n");
  return 2;
}

try {
  const code = main(process.argv.slice(2));
  process.exitCode = process.exitCode || code;
} catch (e) {
  process.stderr.write(`host-setup: error: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
