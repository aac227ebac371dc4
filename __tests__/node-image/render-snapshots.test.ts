/**
 * render-config.sh's etcd snapshot settings (servers only): the K3S_SNAPSHOT_*
 * environment becomes k3s's etcd-snapshot-* and etcd-s3-* keys, and the S3
 * keys come from the credentials file on the volume, never from the env.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { renderScript, run, tempDir } from "./helpers";

// Built at run time so that no key-shaped literal is committed.
const FAKE_KEY_ID = ["tid", "FAKE".repeat(4)].join("_");
const FAKE_SECRET = ["tsec", "fake/SECRET+key=".repeat(2)].join("_");
const CREDENTIALS = `etcd-s3-access-key=${FAKE_KEY_ID}\netcd-s3-secret-key=${FAKE_SECRET}\n`;

type Config = Record<string, unknown>;

describe("render-config.sh: etcd snapshots", () => {
  let dir: string;
  let out: string;
  let credentials: string;

  beforeEach(() => {
    dir = tempDir("render-snap");
    out = path.join(dir, "etc", "config.yaml");
    credentials = path.join(dir, "fly-k3s", "s3-credentials");
    fs.mkdirSync(path.dirname(credentials), { recursive: true });
    fs.writeFileSync(path.join(dir, "decision"), "found\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const base = (role: "server" | "agent", extra: Record<string, string>) => ({
    FLY_PRIVATE_IP: "fdaa:0:18:a7b:7d:f066:b83b:2",
    FLY_MACHINE_ID: "e2865013a1d386",
    FLY_APP_NAME: role === "server" ? "demo-cp" : "demo-ng-0",
    K3S_CP_APP: "demo-cp",
    K3S_CLUSTER_CIDR: "dead:beef:1:0::/56,10.1.0.0/16",
    K3S_SERVICE_CIDR: "dead:beef:1:1::/112,10.2.0.0/16",
    K3S_CLUSTER_DNS: "dead:beef:1:1::10",
    K3S_DATA_DIR: path.join(dir, "k3s"),
    K3S_TOKEN_FILE: path.join(dir, "k3s-token"),
    K3S_STATE_DIR: path.join(dir, "fly-k3s"),
    K3S_DECISION_FILE: path.join(dir, "decision"),
    K3S_S3_CREDENTIALS_FILE: credentials,
    K3S_ETH0_IPV4: "172.19.0.2",
    K3S_ETH0_MTU: "1420",
    K3S_CGROUP_FSTYPE: "cgroup2fs",
    K3S_FLANNEL_BACKEND: "vxlan",
    K3S_ROLE: role,
    K3S_BOOTSTRAP: String(role === "server"),
    ...extra,
  });
  /** What the stack sets on a server of a cluster with SNAPSHOT_S3_BUCKET=demo-etcd. */
  const withBucket = {
    K3S_SNAPSHOT_SCHEDULE: "0 */12 * * *",
    K3S_SNAPSHOT_RETENTION: "5",
    K3S_SNAPSHOT_S3_BUCKET: "demo-etcd",
    K3S_SNAPSHOT_S3_ENDPOINT: "fly.storage.tigris.dev",
    K3S_SNAPSHOT_S3_REGION: "auto",
    K3S_SNAPSHOT_S3_FOLDER: "demo",
    K3S_SNAPSHOT_S3_INSECURE: "false",
  };

  function render(env: Record<string, string>) {
    const r = run(renderScript, ["--out", out], env);
    expect(r).toMatchObject({ status: 0 });
    const text = fs.readFileSync(out, "utf8");
    return { config: parse(text) as Config, text, stderr: r.stderr };
  }
  const snapshotKeys = (c: Config) =>
    Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith("etcd-")));
  const rendered = () => `${credentials}.rendered`;
  const mode = (f: string) => fs.statSync(f).mode & 0o777;

  it("renders the schedule, retention, S3 target and the keys from the volume's file, 0600", () => {
    fs.writeFileSync(credentials, CREDENTIALS, { mode: 0o600 });
    const { config, text } = render(base("server", withBucket));
    expect(snapshotKeys(config)).toEqual({
      "etcd-snapshot-schedule-cron": "0 */12 * * *",
      "etcd-snapshot-retention": 5,
      "etcd-s3": true,
      "etcd-s3-endpoint": "fly.storage.tigris.dev",
      "etcd-s3-bucket": "demo-etcd",
      "etcd-s3-region": "auto",
      "etcd-s3-folder": "demo",
      "etcd-s3-access-key": FAKE_KEY_ID,
      "etcd-s3-secret-key": FAKE_SECRET,
    });
    // The snapshot keys sit before the datastore lines (a restore's etcd-s3: false comes last).
    expect(text.indexOf("etcd-s3: true")).toBeLessThan(text.indexOf("# datastore:"));
    // The keys are in config.yaml and its copy on the volume: both readable by root only.
    expect(mode(out)).toBe(0o600);
    expect(mode(path.join(dir, "fly-k3s", "config.yaml.last"))).toBe(0o600);
    // What k3s starts with, for the deploy to compare: the file's sha256, never a key.
    const digest = createHash("sha256").update(CREDENTIALS).digest("hex");
    expect(fs.readFileSync(rendered(), "utf8")).toBe(`${digest}\n`);
    expect(mode(rendered())).toBe(0o600);
  });

  it("renders etcd-s3-insecure for a plain-HTTP endpoint", () => {
    fs.writeFileSync(credentials, CREDENTIALS, { mode: 0o600 });
    const { config } = render(
      base("server", {
        ...withBucket,
        K3S_SNAPSHOT_S3_ENDPOINT: "[fdaa::3]:7070",
        K3S_SNAPSHOT_S3_INSECURE: "true",
      }),
    );
    expect(config).toMatchObject({
      "etcd-s3-endpoint": "[fdaa::3]:7070",
      "etcd-s3-insecure": true,
    });
  });

  it("renders only the schedule and retention without a bucket, and no credential", () => {
    fs.writeFileSync(credentials, CREDENTIALS, { mode: 0o600 });
    const { config, text } = render(
      base("server", { K3S_SNAPSHOT_SCHEDULE: "@daily", K3S_SNAPSHOT_RETENTION: "3" }),
    );
    expect(snapshotKeys(config)).toEqual({
      "etcd-snapshot-schedule-cron": "@daily",
      "etcd-snapshot-retention": 3,
    });
    expect(text).not.toContain(FAKE_SECRET);
    expect(fs.existsSync(rendered())).toBe(false);
  });

  it("leaves everything to k3s's defaults when the stack sets nothing", () => {
    const { config, text } = render(base("server", {}));
    expect(snapshotKeys(config)).toEqual({});
    expect(text).not.toContain("etcd snapshots");
  });

  it("renders the S3 target without keys, says so, and forgets an old digest, when the file is missing", () => {
    fs.writeFileSync(rendered(), "0".repeat(64) + "\n");
    const { config, stderr } = render(base("server", withBucket));
    expect(config).toMatchObject({ "etcd-s3": true, "etcd-s3-bucket": "demo-etcd" });
    expect(config).not.toHaveProperty("etcd-s3-access-key");
    expect(config).not.toHaveProperty("etcd-s3-secret-key");
    expect(stderr).toContain(
      `warning: K3S_SNAPSHOT_S3_BUCKET is set, but ${credentials} holds no S3 credentials`,
    );
    expect(fs.existsSync(rendered())).toBe(false);
  });

  it("renders no key from a malformed file, and never prints one", () => {
    fs.writeFileSync(credentials, `${FAKE_SECRET}\n`, { mode: 0o600 });
    const { config, stderr } = render(base("server", withBucket));
    expect(config).not.toHaveProperty("etcd-s3-secret-key");
    expect(stderr).toContain("line 1 is neither etcd-s3-access-key=... nor etcd-s3-secret-key=...");
    expect(stderr).not.toContain(FAKE_SECRET);
  });

  it("never prints the keys it renders", () => {
    fs.writeFileSync(credentials, CREDENTIALS, { mode: 0o600 });
    const r = run(renderScript, ["--out", out], base("server", withBucket));
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(FAKE_KEY_ID);
    expect(r.stdout + r.stderr).not.toContain(FAKE_SECRET);
  });

  it("renders nothing of it for an agent, even with the variables set", () => {
    fs.writeFileSync(credentials, CREDENTIALS, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "k3s-token"), "fake-token");
    const { config, text } = render(base("agent", withBucket));
    expect(snapshotKeys(config)).toEqual({});
    expect(text).not.toContain(FAKE_SECRET);
    expect(fs.existsSync(rendered())).toBe(false);
  });

  it.each([
    [{ K3S_SNAPSHOT_RETENTION: "five" }, "K3S_SNAPSHOT_RETENTION must be a whole number"],
    [{ K3S_SNAPSHOT_S3_INSECURE: "yes" }, "K3S_SNAPSHOT_S3_INSECURE must be true or false"],
  ])("refuses a server with %j", (extra, message) => {
    const r = run(renderScript, ["--out", out], base("server", { ...withBucket, ...extra }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
  });
});
