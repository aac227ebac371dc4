/**
 * The node's side of ./k3s.sh --restore (ops/restore.ts): the one-shot
 * instructions it leaves in a server's state dir, as render-config.sh renders
 * them (k3s's documented form: `--cluster-reset --cluster-reset-restore-path`,
 * plus `--etcd-s3=false` for a local file) and as the entrypoint follows them
 * (rejoin before anything else; restore: k3s once, then normally). k3s cannot
 * run here: the restore run is a fake `k3s` on PATH, in a harness that runs
 * the entrypoint's instruction section alone.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  NODE_STATE_DIR,
  REJOIN_FILE,
  RESTORE_FAILED_FILE,
  RESTORE_FILE,
} from "../../contract/node-paths";
import { NODE_ENV_VARS } from "../../contract/node-env";
import {
  checkKernelScript,
  datastoreScript,
  entrypointScript,
  imageDir,
  kernelFragment,
  renderScript,
  renumberScript,
  run,
  tempDir,
  writeKernelConfig,
} from "./helpers";

const V6 = "fdaa:0:18:a7b:7d:f066:b83b:2";
const NEW_V6 = "fdaa:0:18:a7b:99:f066:b83b:2";
const SNAPSHOT = "etcd-snapshot-e2865013a1d386.vm.demo-cp.internal-1767225600";

let dir: string;
let dataDir: string;
let stateDir: string;
let tokenFile: string;
let out: string;

beforeEach(() => {
  dir = tempDir("restore-boot");
  dataDir = path.join(dir, "data", "k3s");
  stateDir = path.join(dir, "data", "fly-k3s");
  tokenFile = path.join(dir, "data", "k3s-token");
  out = path.join(dir, "etc", "config.yaml");
  fs.mkdirSync(stateDir, { recursive: true });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const instruct = (name: "restore" | "rejoin", text: string) =>
  fs.writeFileSync(path.join(stateDir, name), text, { mode: 0o600 });
const wal = () =>
  fs.mkdirSync(path.join(dataDir, "server", "db", "etcd", "member", "wal"), { recursive: true });

const serverEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  FLY_PRIVATE_IP: V6,
  FLY_MACHINE_ID: "e2865013a1d386",
  FLY_APP_NAME: "demo-cp",
  K3S_ROLE: "server",
  K3S_BOOTSTRAP: "true",
  K3S_CP_APP: "demo-cp",
  K3S_CLUSTER_CIDR: "dead:beef:1:0::/56,10.1.0.0/16",
  K3S_SERVICE_CIDR: "dead:beef:1:1::/112,10.2.0.0/16",
  K3S_CLUSTER_DNS: "dead:beef:1:1::10",
  K3S_DATA_DIR: dataDir,
  K3S_TOKEN_FILE: tokenFile,
  K3S_ETH0_IPV4: "172.19.0.2",
  K3S_ETH0_MTU: "1420",
  K3S_CGROUP_FSTYPE: "cgroup2fs",
  K3S_FLANNEL_BACKEND: "vxlan",
  K3S_DECISION_FILE: path.join(stateDir, "cluster-decision"),
  ...extra,
});

describe("the contract paths", () => {
  it("are the files the node reads in its default state dir", () => {
    const stateDefault = NODE_ENV_VARS.K3S_STATE_DIR.shellDefault;
    expect(stateDefault).toBe('$(dirname -- "$K3S_DATA_DIR")/fly-k3s');
    expect(NODE_STATE_DIR).toBe(
      `${path.posix.dirname(NODE_ENV_VARS.K3S_DATA_DIR.default ?? "")}/fly-k3s`,
    );
    expect([RESTORE_FILE, RESTORE_FAILED_FILE, REJOIN_FILE]).toEqual([
      `${NODE_STATE_DIR}/restore`,
      `${NODE_STATE_DIR}/restore.failed`,
      `${NODE_STATE_DIR}/rejoin`,
    ]);
    const entrypoint = fs.readFileSync(entrypointScript, "utf8");
    expect(entrypoint).toContain('restore_file="$state_dir/restore"');
    expect(entrypoint).toContain('rejoin_file="$state_dir/rejoin"');
    expect(entrypoint).toContain('"$restore_file.failed"');
  });
});

describe("render-config.sh with a restore instruction", () => {
  function render(env: Record<string, string>) {
    const r = run(renderScript, ["--out", out], env);
    expect(r).toMatchObject({ status: 0 });
    const text = fs.readFileSync(out, "utf8");
    return { config: parse(text) as Record<string, unknown>, text };
  }

  it("renders k3s's reset from a snapshot name (from S3), neither cluster-init nor server", () => {
    wal();
    instruct("restore", `${SNAPSHOT}\n`);
    const { config, text } = render(serverEnv());
    expect(config).toMatchObject({
      "cluster-reset": true,
      "cluster-reset-restore-path": SNAPSHOT,
    });
    expect(config).not.toHaveProperty("cluster-init");
    expect(config).not.toHaveProperty("server");
    expect(config).not.toHaveProperty("etcd-s3");
    expect(text).toContain("# datastore: restore (datastore.sh)");
    // Last, so nothing rendered later replaces them (k3s: a later key wins).
    expect(text.trimEnd().split("\n").slice(-2)).toEqual([
      "cluster-reset: true",
      `cluster-reset-restore-path: "${SNAPSHOT}"`,
    ]);
  });

  it("restores a file on the volume with etcd-s3 off, as the last line", () => {
    wal();
    const file = `${dataDir}/server/db/snapshots/${SNAPSHOT}`;
    instruct("restore", `${file}\n`);
    const { config, text } = render(serverEnv());
    expect(config["cluster-reset-restore-path"]).toBe(file);
    expect(text.trimEnd().split("\n").at(-1)).toBe("etcd-s3: false");
  });

  it("restores on a server without etcd data, with the token file the restore wrote", () => {
    fs.writeFileSync(tokenFile, "K10fake::server:not-a-secret");
    instruct("restore", `${SNAPSHOT}\n`);
    const { config } = render(serverEnv());
    expect(config).toMatchObject({ "cluster-reset": true, "token-file": tokenFile });
  });

  it("starts the member normally once the instruction is gone", () => {
    wal();
    const { config } = render(serverEnv());
    expect(config).not.toHaveProperty("cluster-reset");
    expect(config).not.toHaveProperty("cluster-reset-restore-path");
  });

  it.each([["../etc/shadow"], ["/data/../etc/shadow"], ["two words"], ["rel/path"], [""]])(
    "refuses a restore instruction holding %j",
    (held) => {
      wal();
      instruct("restore", `${held}\n`);
      const r = run(renderScript, ["--out", out], serverEnv());
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        "expected an etcd snapshot name, or the absolute path of a snapshot file on this volume",
      );
      expect(fs.existsSync(out)).toBe(false);
    },
  );

  it("renders nothing while a rejoin is pending (the entrypoint clears the data first)", () => {
    wal();
    instruct("rejoin", "rejoin\n");
    const r = run(renderScript, ["--out", out], serverEnv({ K3S_BOOTSTRAP: "false" }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("rejoin: the entrypoint moves this server's etcd data aside first");
  });

  it("ignores an instruction on an agent", () => {
    instruct("restore", `${SNAPSHOT}\n`);
    fs.writeFileSync(tokenFile, "K10fake::server:not-a-secret");
    const { config } = render({
      ...serverEnv({ K3S_ROLE: "agent", K3S_BOOTSTRAP: "false", FLY_APP_NAME: "demo-ng-1" }),
    });
    expect(config.server).toBe("https://demo-cp.internal:6443");
    expect(config).not.toHaveProperty("cluster-reset");
  });
});

describe("entrypoint.sh, before the kernel check (which fails here, so nothing else is touched)", () => {
  let image: string;
  let env: (extra: Record<string, string>) => Record<string, string>;

  beforeEach(() => {
    image = path.join(dir, "opt", "fly-k3s");
    const bin = path.join(dir, "bin");
    fs.mkdirSync(path.join(image, "kernel"), { recursive: true });
    fs.mkdirSync(bin);
    for (const [from, to] of [
      [entrypointScript, "entrypoint.sh"],
      [renderScript, "render-config.sh"],
      [renumberScript, "renumber.sh"],
      [datastoreScript, "datastore.sh"],
      [path.join(imageDir, "node-env.sh"), "node-env.sh"],
      [checkKernelScript, "kernel/check-kernel.sh"],
      [kernelFragment, "kernel/k3s-fly.config"],
    ]) {
      fs.copyFileSync(from, path.join(image, to));
    }
    fs.writeFileSync(path.join(bin, "curl"), "#!/bin/sh\necho pong\n", { mode: 0o755 });
    const kernel = writeKernelConfig(path.join(dir, "no-veth.config"), { CONFIG_VETH: null });
    env = (extra) => ({
      ...serverEnv(extra),
      PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      K3S_KERNEL_CONFIG: kernel,
      K3S_SYSCTL_DIR: path.join(dir, "sys"),
      K3S_CONFIG_FILE: out,
      K3S_WAIT_TIMEOUT: "0",
    });
  });
  const boot = (extra: Record<string, string> = {}) =>
    run(path.join(image, "entrypoint.sh"), [], env(extra));
  const db = () => path.join(dataDir, "server", "db");

  it("rejoin: moves the etcd data aside, keeps the local snapshots, removes the instruction", () => {
    wal();
    fs.mkdirSync(path.join(db(), "snapshots"), { recursive: true });
    fs.writeFileSync(path.join(db(), "snapshots", SNAPSHOT), "snapshot");
    instruct("rejoin", "rejoin\n");
    const r = boot({ K3S_BOOTSTRAP: "false" });
    expect(r.stderr).toContain(
      `rejoin (${stateDir}/rejoin, from ./k3s.sh --restore): etcd data moved to ${dataDir}/server/db.before-restore`,
    );
    expect(fs.existsSync(path.join(stateDir, "rejoin"))).toBe(false);
    expect(fs.existsSync(path.join(db(), "etcd"))).toBe(false);
    expect(
      fs.existsSync(path.join(dataDir, "server", "db.before-restore", "etcd", "member", "wal")),
    ).toBe(true);
    expect(fs.readFileSync(path.join(db(), "snapshots", SNAPSHOT), "utf8")).toBe("snapshot");
    // The 6PN check then sees a server without etcd data; the kernel check stops the boot.
    expect(r.stderr).toContain("first boot; recording it");
    expect(r.stderr).toContain("refusing to start k3s: required kernel options are missing");
  });

  it("rejoin without etcd data: says so and removes the instruction", () => {
    instruct("rejoin", "rejoin\n");
    const r = boot({ K3S_BOOTSTRAP: "false" });
    expect(r.stderr).toContain("no etcd data here; joining the restored cluster");
    expect(fs.existsSync(path.join(stateDir, "rejoin"))).toBe(false);
  });

  it("restore on a renumbered server with etcd data: the reset replaces the member, so it goes on", () => {
    fs.writeFileSync(path.join(stateDir, "last-address"), `${V6}\n`);
    wal();
    instruct("restore", `${SNAPSHOT}\n`);
    const r = boot({ FLY_PRIVATE_IP: NEW_V6 });
    expect(r.stderr).not.toContain("etcdctl");
    expect(r.stderr).toContain(`6PN address changed from ${V6} to ${NEW_V6} (server-fresh)`);
    expect(fs.existsSync(path.join(stateDir, "restore"))).toBe(true);
  });
});

describe("entrypoint.sh's restore run (its instruction section, in a harness)", () => {
  /** The entrypoint's section between its instruction header and the boot. */
  function section(): string {
    const text = fs.readFileSync(entrypointScript, "utf8");
    const start = text.indexOf("# --- One-shot instructions");
    const end = text.indexOf("# --- Boot");
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    return text.slice(start, end);
  }

  function restoreRun(k3sExit: number) {
    const fake = path.join(dir, "fake");
    const calls = path.join(dir, "calls");
    fs.mkdirSync(fake);
    // k3s records its argv and whether a node variable reached it; render-config its call.
    fs.writeFileSync(
      path.join(fake, "k3s"),
      `#!/bin/sh\necho "k3s $* K3S_DATA_DIR=\${K3S_DATA_DIR:-unset}" >>'${calls}'\nexit ${k3sExit}\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(
      path.join(fake, "render-config.sh"),
      `#!/bin/sh\necho "render $*" >>'${calls}'\n`,
      { mode: 0o755 },
    );
    const script = [
      "set -euo pipefail",
      `log() { printf '%s\\n' "$*" >&2; }`,
      'die() { log "$*"; exit 1; }',
      "NODE_ENV_NAMES=(K3S_DATA_DIR K3S_TOKEN_FILE)",
      `role=server state_dir='${stateDir}' data_dir='${dataDir}'`,
      `token_file='${tokenFile}' config_file='${out}' here='${fake}'`,
      section(),
      "follow_restore",
      "echo done >&2",
    ].join("\n");
    const r = spawnSync("bash", ["-c", script], {
      env: { PATH: `${fake}:${process.env.PATH ?? "/usr/bin:/bin"}`, K3S_DATA_DIR: dataDir },
      encoding: "utf8",
    });
    const called = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
    return { status: r.status, stderr: r.stderr, called };
  }

  it("runs k3s once with the rendered reset, then removes the instruction and renders again", () => {
    instruct("restore", `${SNAPSHOT}\n`);
    const r = restoreRun(0);
    expect(r.status).toBe(0);
    expect(r.called).toEqual([
      `k3s server --config ${out} K3S_DATA_DIR=unset`,
      `render --out ${out}`,
    ]);
    expect(fs.existsSync(path.join(stateDir, "restore"))).toBe(false);
    expect(r.stderr).toContain(`restoring etcd from snapshot ${SNAPSHOT}`);
    expect(r.stderr).toContain(`etcd restored from ${SNAPSHOT}: this server is its only member`);
    expect(r.stderr).toContain("done");
  });

  it("keeps a failed restore's instruction as restore.failed and stops", () => {
    instruct("restore", `${SNAPSHOT}\n`);
    const r = restoreRun(1);
    expect(r.status).toBe(1);
    expect(r.called).toEqual([`k3s server --config ${out} K3S_DATA_DIR=unset`]);
    expect(fs.existsSync(path.join(stateDir, "restore"))).toBe(false);
    expect(fs.readFileSync(path.join(stateDir, "restore.failed"), "utf8")).toBe(`${SNAPSHOT}\n`);
    expect(r.stderr).toContain(`the restore from ${SNAPSHOT} failed: k3s exited 1`);
    expect(r.stderr).not.toContain("done");
  });

  it("does nothing without an instruction", () => {
    const r = restoreRun(0);
    expect(r).toMatchObject({ status: 0, called: [] });
  });
});
