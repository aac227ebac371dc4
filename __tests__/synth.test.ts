/**
 * Runs main.ts the way `cdktf synth` does, in a scratch copy of clusters/, and
 * checks what lands in the output directory.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, copyClusters, synthIn } from "./scratch-clusters";

// Built at run time so that no token-shaped literal is committed.
const FAKE_FLY_TOKEN = ["fo1", "FAKE".repeat(8)].join("_");
const FAKE_K3S_TOKEN = "K10" + "ab".repeat(32) + "::server:fakejoinsecret";

function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-synth-"));
  copyClusters(dir);
  return dir;
}

const synth = synthIn;

function allFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? allFiles(p) : [p];
  });
}

function stack(outdir: string, name: string) {
  return JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8")) as {
    resource: Record<string, Record<string, { name?: string }>>;
  };
}

const count = (s: ReturnType<typeof stack>, type: string) =>
  Object.keys(s.resource[type] ?? {}).length;

describe("main.ts", () => {
  it("synthesizes one stack per cluster directory", () => {
    const dir = scratch();
    const r = synth(dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(fs.readdirSync(path.join(r.outdir, "stacks")).sort()).toEqual(["fly-k3s-poc", "local"]);
    const s = stack(r.outdir, "fly-k3s-poc");
    expect(Object.values(s.resource.fly_app).map((a) => a.name)).toEqual(["fly-k3s-poc-cp"]);
    expect(count(s, "fly_volume")).toBe(3);
    expect(
      Object.values(s.resource.fly_machine)
        .map((m) => m.name)
        .sort(),
    ).toEqual(["ctrl-0", "ctrl-1", "ctrl-2"]);
  });

  it("declares the node groups recorded in the cluster directory", () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, "clusters/fly-k3s-poc/node-groups"), "0\n");
    const r = synth(dir);
    expect(r.status).toBe(0);
    const s = stack(r.outdir, "fly-k3s-poc");
    expect(
      Object.values(s.resource.fly_app)
        .map((a) => a.name)
        .sort(),
    ).toEqual(["fly-k3s-poc-cp", "fly-k3s-poc-ng-0"]);
    expect(count(s, "fly_volume")).toBe(9);
    expect(count(s, "fly_machine")).toBe(9);
  });

  it("writes no Fly token or k3s token anywhere in the output", () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, "clusters/local/node-groups"), "0\n");
    const r = synth(dir, {
      FLY_API_TOKEN: FAKE_FLY_TOKEN,
      K3S_TOKEN: FAKE_K3S_TOKEN,
      FLY_K3S_TARGET: "local",
    });
    expect(r.status).toBe(0);
    const files = allFiles(r.outdir);
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8");
      expect(text).not.toContain(FAKE_FLY_TOKEN);
      expect(text).not.toContain("fakejoinsecret");
    }
  });

  it("writes no state-bucket credential anywhere in the output, with the state in S3", () => {
    const dir = scratch();
    const fakeKeyId = ["AKIA", "FAKE".repeat(4)].join("");
    const fakeSecret = ["fake", "SECRET".repeat(6)].join("/");
    const r = synth(dir, {
      FLY_K3S_STATE_BUCKET: "fly-k3s-state",
      FLY_K3S_STATE_ENDPOINT: "https://fly.storage.tigris.dev",
      AWS_ACCESS_KEY_ID: fakeKeyId,
      AWS_SECRET_ACCESS_KEY: fakeSecret,
      FLY_API_TOKEN: FAKE_FLY_TOKEN,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const s = stack(r.outdir, "local") as unknown as { terraform: { backend: unknown } };
    expect(s.terraform.backend).toMatchObject({
      s3: { bucket: "fly-k3s-state", key: "fly/local/terraform.tfstate", use_lockfile: true },
    });
    const files = allFiles(r.outdir);
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8");
      expect(text).not.toContain(fakeKeyId);
      expect(text).not.toContain(fakeSecret);
      expect(text).not.toContain(FAKE_FLY_TOKEN);
    }
  });

  it("gives machines a token file path, never a token, in their environment", () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, "clusters/local/node-groups"), "0\n");
    const r = synth(dir);
    expect(r.status).toBe(0);
    const s = JSON.parse(
      fs.readFileSync(path.join(r.outdir, "stacks/local/cdk.tf.json"), "utf8"),
    ) as { resource: { fly_machine: Record<string, { env: Record<string, string> }> } };
    const machines = Object.values(s.resource.fly_machine);
    expect(machines).toHaveLength(5);
    for (const m of machines) {
      const secretish = Object.keys(m.env).filter((k) => /TOKEN|SECRET|PASSWORD|KEY/.test(k));
      expect(secretish).toEqual(["K3S_TOKEN_FILE"]);
      expect(m.env.K3S_TOKEN_FILE).toBe("/data/k3s-token");
    }
  });

  it("names no state file: the local backend's path is given to tofu init where the stack is applied", () => {
    const dir = scratch();
    const r = synth(dir, { FLY_K3S_TARGET: "local" });
    expect(r.status).toBe(0);
    for (const name of ["local", "fly-k3s-poc"]) {
      const s = JSON.parse(
        fs.readFileSync(path.join(r.outdir, "stacks", name, "cdk.tf.json"), "utf8"),
      ) as { terraform: { backend: unknown } };
      expect(s.terraform.backend).toEqual({ local: {} });
    }
  });

  it("holds no path of the machine that synthesized it (grep: the checkout, /root, /home, /tmp, /work)", () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, "clusters/fly-k3s-poc/node-groups"), "0\n");
    const r = synth(dir);
    expect(r.status).toBe(0);
    const file = path.join(r.outdir, "stacks/fly-k3s-poc/cdk.tf.json");
    const text = fs.readFileSync(file, "utf8");
    // It is the example cluster with its steps, bin/fly-machines included.
    expect(text).toContain('\\"$${FLY_K3S_OPS_COMMAND:?is not set');
    expect(text).toContain("--cp-app");
    // Each as a path, not a part of a name (the node group's `worker-0/join` holds "/work").
    const paths = [...new Set([ROOT, dir, os.homedir(), "/root", "/home", "/tmp", "/work"])];
    const escaped = paths.map((p) => p.replace(/[.[\]()*+?^$|\\{}]/g, "\\$&"));
    const pattern = `(^|[^[:alnum:]_.-])(${escaped.join("|")})([^[:alnum:]_.-]|$)`;
    const grep = spawnSync("grep", ["-n", "-E", pattern, file], { encoding: "utf8" });
    console.log(
      `grep -n -E '${pattern}' stacks/fly-k3s-poc/cdk.tf.json (example cluster, node group 0): ` +
        `exit ${grep.status}, ${grep.stdout.split("\n").filter(Boolean).length} lines${grep.stdout ? `\n${grep.stdout}` : ""}`,
    );
    expect(grep.stdout).toBe("");
    expect(grep.status).toBe(1); // no line matched
  });

  it("prints file:line: KEY errors, exits non-zero and synthesizes nothing for a bad config", () => {
    const dir = scratch();
    const file = path.join(dir, "clusters/local/config");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("REGION=sjc", "REGION=xyz"));
    const r = synth(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^clusters\/local\/config:\d+: REGION: must be a Fly region code/m);
    expect(fs.existsSync(path.join(r.outdir, "stacks"))).toBe(false);
  });
});
