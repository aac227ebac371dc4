import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  CURRENT_K3S_RELEASE,
  FLOOR_MINOR,
  K3S_VERSION_FLOOR,
  RENDERED_FLAGS,
  RenderedFlag,
  parseK3sVersion,
} from "../../config/k3s-flags";
import { renderScript, repoRoot, run, tempDir } from "./helpers";

// Every flag render-config.sh emits, for every role, must be in the table the
// K3S_VERSION floor is derived from, and must exist at that floor.

interface Emitted {
  readonly component: RenderedFlag["component"];
  readonly name: string;
}

/** Not a variable of the node: the restore instruction the test writes first. */
const RESTORE = "TEST_RESTORE_INSTRUCTION";

const ROLES: Record<string, Record<string, string>> = {
  "bootstrap server": { K3S_ROLE: "server", K3S_BOOTSTRAP: "true" },
  "joining server": {
    K3S_ROLE: "server",
    K3S_BOOTSTRAP: "false",
    K3S_BOOTSTRAP_SERVER: "b00t5742a1d386.vm.demo-cp.internal",
  },
  agent: { K3S_ROLE: "agent" },
  "bootstrap server with snapshots to S3": {
    K3S_ROLE: "server",
    K3S_BOOTSTRAP: "true",
    K3S_SNAPSHOT_SCHEDULE: "0 */6 * * *",
    K3S_SNAPSHOT_RETENTION: "7",
    K3S_SNAPSHOT_S3_BUCKET: "demo-etcd",
    K3S_SNAPSHOT_S3_ENDPOINT: "fly.storage.tigris.dev",
    K3S_SNAPSHOT_S3_REGION: "auto",
    K3S_SNAPSHOT_S3_FOLDER: "demo",
    K3S_SNAPSHOT_S3_INSECURE: "true",
  },
  "bootstrap server told to restore (./k3s.sh --restore)": {
    K3S_ROLE: "server",
    K3S_BOOTSTRAP: "true",
    [RESTORE]: "/data/k3s/server/db/snapshots/pre-upgrade-v1.36.3-k3s1",
  },
};

function emittedFlags(role: Record<string, string>): Emitted[] {
  const dir = tempDir("flags");
  try {
    const stateDir = path.join(dir, "state");
    fs.mkdirSync(stateDir);
    const { [RESTORE]: restore, ...roleEnv } = role;
    if (restore) fs.writeFileSync(path.join(stateDir, "restore"), `${restore}\n`);
    const credentials = path.join(dir, "s3-credentials");
    fs.writeFileSync(credentials, "etcd-s3-access-key=tid_FAKE\netcd-s3-secret-key=tsec_FAKE\n");
    const tokenFile = path.join(dir, "k3s-token");
    fs.writeFileSync(tokenFile, "fake"); // so token-file is rendered for the bootstrap server too
    const out = path.join(dir, "etc", "config.yaml");
    // The bootstrap server founds (cluster-init is one of the flags to check).
    const decisionFile = path.join(dir, "cluster-decision");
    fs.writeFileSync(decisionFile, "found\n");
    const result = run(renderScript, ["--out", out], {
      FLY_PRIVATE_IP: "fdaa:0:18:a7b:7d:f066:b83b:2",
      FLY_MACHINE_ID: "e2865013a1d386",
      FLY_APP_NAME: "demo-cp",
      FLY_REGION: "sjc",
      K3S_ZONE: "09cd",
      K3S_CP_APP: "demo-cp",
      K3S_CLUSTER_CIDR: "dead:beef:1:0::/56,10.1.0.0/16",
      K3S_SERVICE_CIDR: "dead:beef:2::/112,10.2.0.0/16",
      K3S_CLUSTER_DNS: "dead:beef:2::10",
      K3S_DATA_DIR: path.join(dir, "k3s"),
      K3S_TOKEN_FILE: tokenFile,
      K3S_ETH0_IPV4: "172.19.0.2",
      K3S_CGROUP_FSTYPE: "tmpfs", // cgroup v1: the kubelet-arg path
      K3S_ETH0_MTU: "1420",
      K3S_FLANNEL_BACKEND: "vxlan",
      K3S_DECISION_FILE: decisionFile,
      K3S_STATE_DIR: stateDir,
      K3S_S3_CREDENTIALS_FILE: credentials,
      ...roleEnv,
    });
    expect(result.status).toBe(0);
    const config = parse(fs.readFileSync(out, "utf8")) as Record<string, unknown>;
    const flags: Emitted[] = Object.keys(config).map((name) => ({ component: "k3s", name }));
    const args = (key: string, component: Emitted["component"]) => {
      for (const arg of (config[key] as string[] | undefined) ?? []) {
        flags.push({ component, name: arg.split("=")[0] });
      }
    };
    args("kubelet-arg", "kubelet");
    args("kube-proxy-arg", "kube-proxy");
    return flags;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const key = (f: Emitted) => `${f.component} ${f.name}`;
const table = new Map(RENDERED_FLAGS.map((f) => [key(f), f]));

describe("config/k3s-flags.ts", () => {
  const emitted = Object.entries(ROLES).map(([role, env]) => [role, emittedFlags(env)] as const);

  it.each(emitted)(
    "%s: every emitted flag is in the table and exists at the floor",
    (_r, flags) => {
      expect(flags.length).toBeGreaterThan(5);
      for (const f of flags) {
        const entry = table.get(key(f));
        expect({ flag: key(f), listed: entry !== undefined }).toEqual({
          flag: key(f),
          listed: true,
        });
        expect({ flag: key(f), since: entry?.since }).toEqual({
          flag: key(f),
          since: expect.any(Number),
        });
        expect(entry!.since).toBeLessThanOrEqual(FLOOR_MINOR);
      }
    },
  );

  it("lists no flag the node does not render (the table stays honest)", () => {
    const all = new Set(emitted.flatMap(([, flags]) => flags.map(key)));
    expect([...table.keys()].filter((k) => !all.has(k))).toEqual([]);
  });

  it("names a public source for every flag, and lists each once", () => {
    expect(RENDERED_FLAGS.filter((f) => f.source.trim() === "")).toEqual([]);
    expect(table.size).toBe(RENDERED_FLAGS.length);
  });

  it("puts the floor at the newest flag: kubelet fail-cgroupv1, Kubernetes 1.31", () => {
    expect(Math.max(...RENDERED_FLAGS.map((f) => f.since))).toBe(FLOOR_MINOR);
    expect(K3S_VERSION_FLOOR).toBe("v1.31.0+k3s1");
    expect(table.get("kubelet fail-cgroupv1")).toMatchObject({ since: 31, firstRelease: true });
  });

  it("keeps the current release at or above the floor and in step with the image and clusters/local", () => {
    expect(parseK3sVersion(CURRENT_K3S_RELEASE)!.minor).toBeGreaterThanOrEqual(FLOOR_MINOR);
    const dockerfile = fs.readFileSync(path.join(repoRoot, "images/k3s-node/Dockerfile"), "utf8");
    expect(dockerfile).toContain(`ARG K3S_VERSION=${CURRENT_K3S_RELEASE}`);
    // The ARG default (a build without --build-arg; `npm run image` always
    // passes one) and the build example in its comment, too.
    const named = [...dockerfile.matchAll(/K3S_VERSION=(v[^\s"]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThanOrEqual(2);
    expect(named.filter((v) => v !== CURRENT_K3S_RELEASE)).toEqual([]);
    const local = fs.readFileSync(path.join(repoRoot, "clusters/local/config"), "utf8");
    expect(local).toContain(`K3S_VERSION="${CURRENT_K3S_RELEASE}"`);
  });
});
