/**
 * The GitHub Actions workflow (.github/workflows/deploy.yml), checked and run
 * here: its steps' `run:` scripts (the settings check, the image check, the
 * plan, deploy, conformance check and drift), taken from the file (so this
 * test cannot drift from it), run as a runner runs them (bash -eo pipefail,
 * GITHUB_OUTPUT a file whose lines become the step's outputs) in a fresh copy
 * of the checkout, with the workflow's environment and the same variable and
 * secret names, pointed at the local Fly and a local S3 server
 * (__tests__/support/s3-server.ts) instead of Fly.io and Tigris. What GitHub
 * evaluates (`if:`, `needs:`) is checked as text, and the test follows it.
 * Only the image build itself (docker, registry.fly.io) is not run here.
 *
 * The workflow's own environment is kept, FLY_K3S_USE_REGISTRY=1 included:
 * OpenTofu is found on PATH, as setup-opentofu leaves it on a runner. What
 * differs, on purpose: FLY_API_URL names the local Fly (a runner uses Fly's
 * default), and, as this machine cannot reach the OpenTofu registry, a CLI
 * configuration points OpenTofu at the provider mirror npm run setup built.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { S3Server, startS3Server, versitygwBinary } from "../support/s3-server";
import { rollMachine } from "../../ops/roll";
import { MachineConfig } from "../../contract/machines-api-types";
import { MachinesApi } from "../../ops/machines-api";
import { ROOT, requireToolchain, tofuAsync, toolchainVar } from "../toolchain";
import { toolchain } from "../../cli/toolchain";
import { LocalFly, startLocalFly } from "./local-fly";

jest.setTimeout(900_000);

const WORKFLOW = path.join(ROOT, ".github/workflows/deploy.yml");

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { push?: { branches: string[] }; schedule?: { cron: string }[] };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = () => parse(fs.readFileSync(WORKFLOW, "utf8")) as Workflow;

/** The one step of a job with this id. */
function step(job: Job, id: string): Step {
  const found = job.steps.filter((s) => s.id === id);
  if (found.length !== 1) throw new Error(`expected one step with id ${id}, found ${found.length}`);
  return found[0];
}

/** `${{ secrets.X }}` / `${{ vars.X }}` expressions replaced from the given stores. */
function resolve(
  env: Record<string, string> | undefined,
  stores: { secrets: Record<string, string>; vars: Record<string, string> },
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env ?? {}).map(([k, v]) => [
      k,
      String(v).replace(
        /\$\{\{\s*(secrets|vars)\.(\w+)\s*\}\}/g,
        (_, store: string, name: string) => {
          const value = stores[store as "secrets" | "vars"][name];
          if (value === undefined) throw new Error(`the test gives no ${store}.${name}`);
          return value;
        },
      ),
    ]),
  );
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** What the script wrote to GITHUB_OUTPUT. */
  outputs: Record<string, string>;
}

/**
 * Runs a step's `run:` script as a runner does: under bash -eo pipefail, in
 * `cwd`, with `env` and GITHUB_OUTPUT a fresh file read back into outputs.
 */
function runScript(script: string, cwd: string, env: Record<string, string>): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-step-"));
  const file = path.join(dir, "step.sh");
  const output = path.join(dir, "github-output");
  fs.writeFileSync(file, script);
  fs.writeFileSync(output, "");
  return new Promise((done) => {
    execFile(
      "bash",
      ["--noprofile", "--norc", "-eo", "pipefail", file],
      { cwd, env: { ...env, GITHUB_OUTPUT: output }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const outputs = Object.fromEntries(
          fs
            .readFileSync(output, "utf8")
            .split("\n")
            .filter((l) => l.includes("="))
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        );
        fs.rmSync(dir, { recursive: true, force: true });
        done({
          code: err ? Number((err as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
          outputs,
        });
      },
    );
  });
}

/** The run: steps of a job, by id, in order. */
const runIds = (job: Job) => job.steps.filter((s) => s.run && s.id).map((s) => s.id);

describe(".github/workflows/deploy.yml", () => {
  it("on push: image, then deploy (plan first, deploy on changes, then the conformance check); drift on a schedule", () => {
    const w = workflow();
    expect(w.on.push?.branches).toEqual(["main"]);
    expect(w.on.schedule?.length).toBe(1);
    expect(Object.keys(w.jobs)).toEqual(["image", "deploy", "drift"]);
    expect(w.jobs.image.if).toBe("github.event_name == 'push'");
    expect(w.jobs.deploy.if).toBe("github.event_name == 'push'");
    expect(w.jobs.deploy.needs).toBe("image");
    expect(w.jobs.drift.if).toContain("github.event_name == 'schedule'");

    const { image, deploy, drift } = w.jobs;
    expect(runIds(image)).toEqual(["settings", "check", "image"]);
    expect(step(image, "image").if).toBe("steps.check.outputs.status == 'build'");
    expect(step(image, "image").run).toContain(
      'npm run image -- "clusters/$FLY_K3S_CLUSTER" --push',
    );
    expect(image.outputs?.pushed).toBe("${{ steps.image.outputs.pushed }}");
    // The pushed NODE_IMAGE reaches the deploy job only when the image job pushed.
    const download = deploy.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"));
    expect(download?.if).toBe("needs.image.outputs.pushed == 'true'");

    expect(runIds(deploy)).toEqual(["settings", "plan", "deploy", "verify"]);
    expect(step(deploy, "plan").run).toContain('./k3s.sh -p "clusters/$FLY_K3S_CLUSTER"');
    expect(step(deploy, "deploy").if).toBe("steps.plan.outputs.changes == 'true'");
    expect(step(deploy, "deploy").run).toContain(
      'npm run cdktf -- deploy "$FLY_K3S_CLUSTER" --auto-approve',
    );
    expect(step(deploy, "verify").if).toBe("steps.deploy.outcome == 'success'");
    expect(step(deploy, "verify").run).toContain(
      './k3s.sh --verify "clusters/$FLY_K3S_CLUSTER" --json >verify.json',
    );
    const upload = deploy.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.with?.path).toBe("verify.json");

    expect(runIds(drift)).toEqual(["settings", "drift"]);
    expect(step(drift, "drift").run).toContain('./k3s.sh --drift "clusters/$FLY_K3S_CLUSTER"');
  });

  it("checks the settings first in every job, installs the pinned OpenTofu where it runs, and sets up online", () => {
    const w = workflow();
    for (const [name, job] of Object.entries(w.jobs)) {
      // The settings check right after the checkout: before anything is installed or started.
      expect([name, job.steps[0].uses]).toEqual([name, "actions/checkout@v4"]);
      expect([name, job.steps[1].id]).toEqual([name, "settings"]);
      expect(job.steps[1].run).toBe(
        `.github/check-settings.sh ${name === "image" ? "image" : "state"}`,
      );
      expect(job.steps.map((s) => s.run).filter(Boolean)).toContain("npm ci --no-audit --no-fund");
      const tofu = job.steps.find((s) => s.uses?.startsWith("opentofu/setup-opentofu@"));
      if (name === "image") {
        expect(tofu).toBeUndefined();
        continue;
      }
      expect(tofu?.with).toEqual({
        tofu_version: toolchainVar("TOFU_VERSION"),
        tofu_wrapper: false,
      });
      const runs = job.steps.map((s) => s.run);
      expect(runs.indexOf("npm run setup")).toBeGreaterThan(
        runs.indexOf("npm ci --no-audit --no-fund"),
      );
    }
    // npm run setup's online mode: tofu from PATH, providers from the registry, nothing built.
    expect(w.env?.FLY_K3S_USE_REGISTRY).toBe("1");
  });

  it("takes secrets only from the secret store, and only into the steps that need them", () => {
    const text = fs.readFileSync(WORKFLOW, "utf8");
    const w = workflow();
    const secrets = [...text.matchAll(/\$\{\{\s*secrets\.(\w+)\s*\}\}/g)].map((m) => m[1]);
    expect([...new Set(secrets)].sort()).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "FLY_API_TOKEN",
    ]);
    const withSecrets: Record<string, string[]> = {};
    for (const [name, job] of Object.entries(w.jobs)) {
      expect(JSON.stringify(job.env ?? {})).not.toContain("secrets.");
      for (const s of job.steps) {
        expect(`${s.run ?? ""}${JSON.stringify(s.with ?? {})}`).not.toContain("secrets.");
        if (Object.values(s.env ?? {}).some((v) => v.includes("secrets.")))
          (withSecrets[name] ??= []).push(s.id ?? "(no id)");
      }
    }
    expect(withSecrets).toEqual({
      image: ["settings", "image"],
      deploy: ["settings", "plan", "deploy", "verify"],
      drift: ["settings", "drift"],
    });
    expect(JSON.stringify(w.env)).not.toContain("secrets.");
  });
});

describe("the settings check and the image check, run here", () => {
  const w = workflow();
  const base = {
    ...(process.env as Record<string, string>),
    FLY_API_TOKEN: "fo1_test",
    FLY_K3S_CLUSTER: "local",
    FLY_K3S_STATE_BUCKET: "state",
    AWS_ACCESS_KEY_ID: "id",
    AWS_SECRET_ACCESS_KEY: "secret",
  };
  const settings = (job: string, env: Record<string, string>) =>
    runScript(step(w.jobs[job], "settings").run as string, ROOT, { ...base, ...env });

  it("passes with every setting, and says which cluster", async () => {
    for (const job of Object.keys(w.jobs)) {
      const r = await settings(job, {});
      expect([job, r.code]).toEqual([job, 0]);
      expect(r.stdout).toContain("settings: cluster local");
    }
  });

  it("refuses without FLY_API_TOKEN in every job, plainly, before anything starts", async () => {
    for (const job of Object.keys(w.jobs)) {
      const r = await settings(job, { FLY_API_TOKEN: "" });
      expect([job, r.code]).toEqual([job, 1]);
      expect(r.stdout).toContain(
        "::error::not set: secret FLY_API_TOKEN: the Fly.io token (fly tokens create org); without it ./k3s.sh would deploy to a local Fly emulator, which a runner does not run",
      );
      expect(r.stdout).toContain("nothing was started");
    }
  });

  it("asks for the cluster's bare name, as the scripts add clusters/", async () => {
    const r = await settings("deploy", { FLY_K3S_CLUSTER: "clusters/local" });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "::error::not set: variable FLY_K3S_CLUSTER=clusters/local: give the cluster's bare name, local (the scripts add clusters/)",
    );
    const nope = await settings("image", { FLY_K3S_CLUSTER: "nope" });
    expect(nope.stdout).toContain("this repository has no clusters/nope/config");
  });

  it("refuses a deploy or drift check without the state bucket and its keys: a runner's local state would be lost", async () => {
    const r = await settings("deploy", { FLY_K3S_STATE_BUCKET: "", AWS_SECRET_ACCESS_KEY: "" });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "::error::not set: variable FLY_K3S_STATE_BUCKET: the S3 bucket for the Terraform state; a runner's local state would be lost",
    );
    expect(r.stdout).toContain("::error::not set: secret AWS_SECRET_ACCESS_KEY");
    // The image job needs neither.
    expect((await settings("image", { FLY_K3S_STATE_BUCKET: "" })).code).toBe(0);
  });

  it("the image check: clusters/local names its own image (the local Fly's), so nothing is built", async () => {
    const r = await runScript(step(w.jobs.image, "check").run as string, ROOT, base);
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ status: "other" });
    expect(r.stdout).toContain(
      "clusters/local/config names its own NODE_IMAGE, localhost/fly-emulator-test:latest: nothing to build",
    );
  });
});

describe("the workflow's deploy job and drift check, run here against the local Fly and a local S3", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let s3: S3Server;
  let checkout: string;
  let stores: { secrets: Record<string, string>; vars: Record<string, string> };
  const timings: string[] = [];
  const tools = toolchain({ ...process.env, FLY_K3S_USE_REGISTRY: "" });

  /** Runs a job's step as a runner does, with the workflow, job and step env. */
  async function runStep(jobName: string, id: string): Promise<Run> {
    const w = workflow();
    const job = w.jobs[jobName];
    const s = step(job, id);
    if (!s.run) throw new Error(`step ${id} has no run:`);
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...resolve(w.env, stores),
      ...resolve(job.env, stores),
      ...resolve(s.env, stores),
      FLY_API_URL: fly.emu.url,
      // setup-opentofu's tofu on PATH; the mirror standing in for the registry.
      PATH: `${path.dirname(tools.binary)}${path.delimiter}${process.env.PATH}`,
      TF_CLI_CONFIG_FILE: tools.env.TF_CLI_CONFIG_FILE,
      TF_CLI_ARGS_providers_lock: tools.env.TF_CLI_ARGS_providers_lock,
      // The emulator stands in for Fly with a token set, and runs the local
      // test image, which the Fly preflight rightly refuses for real Fly.
      FLY_K3S_SKIP_FLY_PREFLIGHT: "1",
    };
    const t0 = Date.now();
    const r = await runScript(s.run, checkout, env);
    timings.push(`${jobName}/${id}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  }

  beforeAll(async () => {
    requireToolchain();
    versitygwBinary();
    s3 = await startS3Server();
    fly = await startLocalFly();
    api = fly.api();
    // actions/checkout: a fresh copy of the checkout (its node_modules linked, as npm ci would make it).
    checkout = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-runner-"));
    const skip = new Set(["node_modules", "cdktf.out", ".git"]);
    for (const entry of fs.readdirSync(ROOT)) {
      if (skip.has(entry)) continue;
      fs.cpSync(path.join(ROOT, entry), path.join(checkout, entry), {
        recursive: true,
        filter: (src) => !path.basename(src).startsWith("zz-"),
      });
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(checkout, "node_modules"));
    stores = {
      secrets: {
        FLY_API_TOKEN: fly.emu.token,
        AWS_ACCESS_KEY_ID: s3.env.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: s3.env.AWS_SECRET_ACCESS_KEY,
      },
      vars: {
        FLY_K3S_CLUSTER: "local",
        FLY_K3S_STATE_BUCKET: s3.env.FLY_K3S_STATE_BUCKET,
        FLY_K3S_STATE_ENDPOINT: s3.env.FLY_K3S_STATE_ENDPOINT,
        FLY_K3S_STATE_REGION: s3.env.FLY_K3S_STATE_REGION,
      },
    };
  });

  afterAll(async () => {
    if (checkout && stores) {
      // Not a workflow step: clean up what the deploy made, with the same state.
      const destroyed = await tofuAsync(
        [
          `-chdir=${path.join(checkout, "cdktf.out/stacks/local")}`,
          "destroy",
          "-input=false",
          "-auto-approve",
          "-no-color",
        ],
        {
          FLY_API_URL: fly.pacedUrl,
          FLY_API_TOKEN: fly.emu.token,
          AWS_ACCESS_KEY_ID: s3.env.AWS_ACCESS_KEY_ID,
          AWS_SECRET_ACCESS_KEY: s3.env.AWS_SECRET_ACCESS_KEY,
        },
      );
      if (destroyed.status !== 0)
        console.error(`cleanup: tofu destroy failed:\n${destroyed.stderr}`);
    }
    await fly?.stop();
    await s3?.stop();
    if (timings.length > 0) console.log(`workflow steps run here:\n  ${timings.join("\n  ")}`);
  });

  it("deploy job: the plan has changes, so `cdktf deploy` creates the cluster, its state in the bucket only", async () => {
    const plan = await runStep("deploy", "plan");
    if (plan.code !== 0) console.error(plan.stdout, plan.stderr);
    expect(plan.code).toBe(0);
    expect(plan.outputs).toEqual({ changes: "true" });

    // if: steps.plan.outputs.changes == 'true'
    const r = await runStep("deploy", "deploy");
    if (r.code !== 0) console.error(r.stdout, r.stderr);
    expect(r.code).toBe(0);
    expect((await api.listMachines("local-cp")).map((m) => m.state)).toEqual([
      "started",
      "started",
      "started",
    ]);
    // FLY_API_TOKEN set: the CLI's target is "fly", whatever the API URL.
    const state = await s3.getObject("fly/local/terraform.tfstate");
    expect(JSON.parse(state ?? "{}").resources?.length).toBeGreaterThan(0);
    expect(state).not.toMatch(/K10[0-9a-f]{16,}/);
    expect(await s3.listKeys()).toEqual(["fly/local/terraform.tfstate"]);
  });

  it("deploy job: the conformance check after the deploy writes verify.json and fails the job on no Kubernetes (exit 3)", async () => {
    // if: steps.deploy.outcome == 'success'. The local Fly runs the test image
    // (no k3s), which a real deploy never does: the Fly preflight refuses it.
    const r = await runStep("deploy", "verify");
    expect(r.stdout).toContain(
      "::error::no Kubernetes is running on cluster local: its NODE_IMAGE holds no k3s",
    );
    expect(r.code).toBe(3);
    const report = JSON.parse(fs.readFileSync(path.join(checkout, "verify.json"), "utf8"));
    expect(JSON.stringify(report)).toContain("no Kubernetes is running");
  });

  it("deploy job: a second push with nothing to change plans 0 and deploys nothing", async () => {
    const plan = await runStep("deploy", "plan");
    expect(plan.code).toBe(0);
    expect(plan.outputs).toEqual({ changes: "false" });
    expect(plan.stdout).toContain("cluster local matches this commit: not deploying");
  });

  it("drift: exits 0 while Fly matches, and fails the job (exit 2) after a change behind the tool's back", async () => {
    const clean = await runStep("drift", "drift");
    expect(clean.stdout).toContain("no drift: Fly matches the config and state of cluster local");
    expect(clean.code).toBe(0);

    const m = (await api.listMachines("local-cp")).find((x) => x.name === "ctrl-1");
    if (!m) throw new Error("ctrl-1 is missing");
    const guest = { ...m.config.guest, memory_mb: 4096 };
    await rollMachine(api, "local-cp", m.id, { guest } as MachineConfig, () => {});
    const drift = await runStep("drift", "drift");
    expect(drift.stdout).toMatch(
      /fly_machine\.control-plane_ctrl-1_machine_\w+: guest\.memory_mb: 2048 -> 4096/,
    );
    expect(drift.stdout).toContain("::error::cluster local has drifted from its config and state");
    expect(drift.code).toBe(2);
  });
});
