/**
 * The etcd snapshots' S3 keys, from the operator's environment to the
 * servers' volumes (ops/s3-credentials.ts) and the deploy's two calls
 * (ops/deploy.ts), on a fake Machines API that records every request with its
 * stdin; and proof that the keys reach neither a tofu run, a log line, a
 * machine's environment nor the synthesized stack.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EMULATOR_TEST_IMAGE } from "../../config/naming";
import { S3_CREDENTIALS_FILE, S3_CREDENTIALS_RENDERED_FILE } from "../../contract/node-paths";
import { deploy } from "../../ops/deploy";
import {
  credentialsFileText,
  parseCredentialsState,
  s3CredentialsAroundApply,
  s3CredentialsFromEnv,
  s3SyncLines,
  sha256Hex,
  syncS3Credentials,
} from "../../ops/s3-credentials";
import { copyClusters, synthIn } from "../scratch-clusters";
import { S3FakeMachine, s3Fake, server } from "./s3-fake";

// Built at run time so that no key-shaped literal is committed.
const KEY_ID = ["tid", "FAKEKEY".repeat(3)].join("_");
const SECRET = ["tsec", "fake/Secret+Key=".repeat(3)].join("_");
const ENV = { SNAPSHOT_S3_ACCESS_KEY_ID: KEY_ID, SNAPSHOT_S3_SECRET_ACCESS_KEY: SECRET };
const CREDS = { accessKeyId: KEY_ID, secretAccessKey: SECRET };
const TEXT = credentialsFileText(CREDS);
const K3S_IMAGE = "registry.fly.io/demo-images:v1.36.3-k3s1";

const agent = (): S3FakeMachine => ({
  id: "w0",
  name: "worker-ng-0-0",
  app: "demo-ng-0",
  env: { K3S_ROLE: "agent", K3S_SNAPSHOT_S3_BUCKET: "demo-etcd" },
});

describe("s3CredentialsFromEnv", () => {
  it("reads the pair, or nothing when neither is set", () => {
    expect(s3CredentialsFromEnv(ENV)).toEqual(CREDS);
    expect(s3CredentialsFromEnv({})).toBeUndefined();
    expect(s3CredentialsFromEnv({ SNAPSHOT_S3_ACCESS_KEY_ID: "" })).toBeUndefined();
  });

  it("refuses half a pair or a value no key has, naming the variables, never the values", () => {
    expect(() => s3CredentialsFromEnv({ SNAPSHOT_S3_ACCESS_KEY_ID: KEY_ID })).toThrow(
      "SNAPSHOT_S3_ACCESS_KEY_ID is set but SNAPSHOT_S3_SECRET_ACCESS_KEY is not: set both (the bucket's key pair)",
    );
    let message = "";
    try {
      s3CredentialsFromEnv({ ...ENV, SNAPSHOT_S3_SECRET_ACCESS_KEY: `${SECRET} x` });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^SNAPSHOT_S3_SECRET_ACCESS_KEY holds a space/);
    expect(message).not.toContain(SECRET);
  });
});

describe("the credentials file and its digests", () => {
  it("holds the two keys render-config.sh reads", () => {
    expect(TEXT).toBe(`etcd-s3-access-key=${KEY_ID}\netcd-s3-secret-key=${SECRET}\n`);
  });

  it("reads the node's answer: two digests or none", () => {
    const d = sha256Hex(TEXT);
    expect(parseCredentialsState(`file ${d}\nrendered none\n`)).toEqual({
      file: d,
      rendered: undefined,
    });
    expect(parseCredentialsState("file none\nrendered none\n")).toEqual({});
  });
});

describe("syncS3Credentials", () => {
  it("writes the keys through exec stdin, 0600 and atomically, onto each server with a bucket only", async () => {
    const noBucket = server("c2", "ctrl-2", { env: { K3S_ROLE: "server" } });
    const fly = s3Fake([server("c0", "ctrl-0"), server("c1", "ctrl-1"), noBucket, agent()]);
    const r = await syncS3Credentials(fly.api, ["demo-cp", "demo-ng-0"], CREDS);
    expect(r.written).toEqual(["demo-cp/ctrl-0", "demo-cp/ctrl-1"]);
    const writes = fly.requests.filter((q) => q.stdin !== undefined);
    expect(writes.map((w) => w.path)).toEqual([
      "/apps/demo-cp/machines/c0/exec",
      "/apps/demo-cp/machines/c1/exec",
    ]);
    for (const w of writes) {
      // The keys travel as stdin only; the argv is the same for every cluster.
      expect(w.stdin).toBe(TEXT);
      expect(w.command).toEqual([
        "sh",
        "-c",
        `umask 077 && mkdir -p /data/fly-k3s && cat > ${S3_CREDENTIALS_FILE}.tmp && mv ${S3_CREDENTIALS_FILE}.tmp ${S3_CREDENTIALS_FILE}`,
      ]);
    }
    for (const q of fly.requests) {
      expect(JSON.stringify({ ...q, stdin: undefined })).not.toContain(SECRET);
      expect(JSON.stringify({ ...q, stdin: undefined })).not.toContain(KEY_ID);
    }
    expect(fly.execs().some((e) => e.startsWith("w0 ") || e.startsWith("c2 "))).toBe(false);
  });

  it("does not rewrite a server that already holds the same keys, and rewrites changed ones", async () => {
    const same = server("c0", "ctrl-0", { files: { [S3_CREDENTIALS_FILE]: TEXT } });
    const old = server("c1", "ctrl-1", {
      files: { [S3_CREDENTIALS_FILE]: credentialsFileText({ ...CREDS, secretAccessKey: "old" }) },
    });
    const fly = s3Fake([same, old]);
    const r = await syncS3Credentials(fly.api, ["demo-cp"], CREDS);
    expect(r).toMatchObject({ unchanged: ["demo-cp/ctrl-0"], written: ["demo-cp/ctrl-1"] });
    expect(fly.requests.filter((q) => q.stdin !== undefined)).toHaveLength(1);
    expect(old.files?.[S3_CREDENTIALS_FILE]).toBe(TEXT);
  });

  it("without keys in the environment: keeps a file that is there, names a server without one", async () => {
    const fly = s3Fake([
      server("c0", "ctrl-0", { files: { [S3_CREDENTIALS_FILE]: TEXT } }),
      server("c1", "ctrl-1"),
      server("c2", "ctrl-2", { state: "stopped" }),
    ]);
    const r = await syncS3Credentials(fly.api, ["demo-cp"], undefined);
    expect(r).toMatchObject({
      kept: ["demo-cp/ctrl-0"],
      missing: ["demo-cp/ctrl-1"],
      notStarted: ["demo-cp/ctrl-2 (stopped)"],
      written: [],
    });
    expect(fly.requests.some((q) => q.stdin !== undefined)).toBe(false);
  });

  it("names a k3s server that started with other keys: it needs a restart to read the file's", async () => {
    const d = sha256Hex(TEXT);
    const fly = s3Fake([
      server("c0", "ctrl-0", {
        image: K3S_IMAGE,
        files: { [S3_CREDENTIALS_FILE]: TEXT, [S3_CREDENTIALS_RENDERED_FILE]: `${d}\n` },
      }),
      server("c1", "ctrl-1", { image: K3S_IMAGE }),
      // The local Fly's test image runs no render-config.sh: nothing to restart.
      server("c2", "ctrl-2", { image: EMULATOR_TEST_IMAGE }),
    ]);
    const r = await syncS3Credentials(fly.api, ["demo-cp"], CREDS);
    expect(r.restartNeeded).toEqual([{ app: "demo-cp", name: "ctrl-1", id: "c1" }]);
    expect(s3SyncLines(r, "after the apply").join("\n")).toContain(
      "k3s on demo-cp/ctrl-1 started without its current keys (k3s reads them at start), so its snapshots are not uploaded to S3 yet. It picks them up at its next restart: the next roll (a K3S_VERSION or config change), or restart these servers one at a time, each once the one before is Ready and etcd healthy again: fly machine restart c1 -a demo-cp",
    );
  });

  it("skips an app Fly does not have yet, and reports a machine it could not write", async () => {
    const fly = s3Fake([server("c0", "ctrl-0")], undefined, {
      missingApps: ["demo-ng-0"],
      failExecOn: "ctrl-0",
    });
    const r = await syncS3Credentials(fly.api, ["demo-cp", "demo-ng-0"], CREDS);
    expect(r.failed).toEqual([
      'demo-cp/ctrl-0: demo-cp/ctrl-0: `sh -c \'f=$(sha256sum /data/fly-k3s/s3-credentials 2>/dev/null) || f=none; r=$(cat /data/fly-k3s/s3-credentials.rendered 2>/dev/null) || r=none; echo "file ${f%% *}"; echo "rendered ${r:-none}"\'` exited 1: sh: cannot exec',
    ]);
  });
});

describe("s3CredentialsAroundApply: the deploy's two calls", () => {
  const declared = {
    apps: [{ address: "fly_app.cp", name: "demo-cp", org: "personal" }],
    machines: [],
    volumes: [],
  };

  it("before the apply, a server without keys is a warning; after it, it stops the deploy", async () => {
    const fly = s3Fake([server("c0", "ctrl-0")]);
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const adopt = { api: fly.api, declared };
    expect(await s3CredentialsAroundApply(adopt, {}, log, "before the apply")).toBeUndefined();
    expect(lines[0]).toMatch(
      /^warning: SNAPSHOT_S3_BUCKET is set, but demo-cp\/ctrl-0 has no S3 credentials and SNAPSHOT_S3_ACCESS_KEY_ID and SNAPSHOT_S3_SECRET_ACCESS_KEY are not set/,
    );
    expect(await s3CredentialsAroundApply(adopt, {}, log, "after the apply")).toMatch(
      /Set both \(the bucket's key pair, e\.g\. from fly storage create\) in the environment and deploy again$/,
    );
  });

  it("stops before anything is applied when the environment holds half a pair", async () => {
    const fly = s3Fake([server("c0", "ctrl-0")]);
    const why = await s3CredentialsAroundApply(
      { api: fly.api, declared },
      { SNAPSHOT_S3_SECRET_ACCESS_KEY: SECRET },
      () => {},
      "before the apply",
    );
    expect(why).toBe(
      "S3 snapshot credentials in the environment: SNAPSHOT_S3_SECRET_ACCESS_KEY is set but SNAPSHOT_S3_ACCESS_KEY_ID is not: set both (the bucket's key pair); nothing was deployed",
    );
  });
});

describe("the deploy carries the keys past OpenTofu, never through it", () => {
  it("writes them before and after its apply; no tofu run and no log line holds them", async () => {
    const fly = s3Fake([server("c0", "ctrl-0")]);
    const tofu: string[][] = [];
    const lines: string[] = [];
    const r = await deploy(
      async (args) => {
        tofu.push(args);
        return { status: 0, stdout: args[0] === "show" ? "{}" : "", stderr: "" };
      },
      {
        log: (l) => lines.push(l),
        adopt: {
          api: fly.api,
          declared: {
            apps: [{ address: "fly_app.cp", name: "demo-cp", org: "personal" }],
            machines: [],
            volumes: [],
          },
        },
        rounds: 1,
        env: ENV,
      },
    );
    expect(r.status).toBe(0);
    expect(lines).toContain(
      "S3 snapshot credentials written (0600, on the volume) before the apply: demo-cp/ctrl-0",
    );
    expect(lines).toContain("S3 snapshot credentials unchanged after the apply: demo-cp/ctrl-0");
    expect(lines.indexOf("applying")).toBeGreaterThan(
      lines.findIndex((l) => l.includes("before the apply")),
    );
    const everything = JSON.stringify({ tofu, lines, r });
    expect(everything).not.toContain(KEY_ID);
    expect(everything).not.toContain(SECRET);
  });
});

describe("the synthesized stack", () => {
  let dir: string;
  let r: ReturnType<typeof synthIn>;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-synth-s3-"));
    copyClusters(dir);
    fs.appendFileSync(path.join(dir, "clusters/local/config"), "SNAPSHOT_S3_BUCKET=local-etcd\n");
    fs.writeFileSync(path.join(dir, "clusters/local/node-groups"), "0\n");
    r = synthIn(dir, { ...ENV, FLY_K3S_TARGET: "local" });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = (d: string): string[] =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));
  const stack = () =>
    JSON.parse(fs.readFileSync(path.join(r.outdir, "stacks/local/cdk.tf.json"), "utf8")) as {
      resource: { fly_machine: Record<string, { name: string; env: Record<string, string> }> };
    };

  it("holds neither key, with a bucket set and the keys in the environment", () => {
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const all = files(r.outdir);
    expect(all.length).toBeGreaterThan(2);
    for (const f of all) {
      const text = fs.readFileSync(f, "utf8");
      expect(text).not.toContain(KEY_ID);
      expect(text).not.toContain(SECRET);
    }
    // A machine's environment is what the stack declares for it.
    for (const m of Object.values(stack().resource.fly_machine)) {
      expect(JSON.stringify(m.env)).not.toMatch(/SNAPSHOT_S3_(ACCESS|SECRET)|tid_FAKE|tsec_/);
    }
  });

  it("gives the servers, and only them, the bucket in their environment", () => {
    const machines = Object.values(stack().resource.fly_machine);
    for (const m of machines) {
      const isServer = m.env.K3S_ROLE === "server";
      expect(m.env.K3S_SNAPSHOT_S3_BUCKET).toBe(isServer ? "local-etcd" : undefined);
    }
  });
});
