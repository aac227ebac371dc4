/**
 * The GitHub Actions workflow (.github/workflows/deploy.yml), checked and run
 * here: its deploy and drift steps' `run:` scripts, taken from the file (so
 * this test cannot drift from it), run as a runner runs them (bash -eo
 * pipefail) in a fresh copy of the checkout, with the workflow's environment
 * and the same variable and secret names, pointed at the local Fly and a
 * local S3 server (__tests__/support/s3-server.ts) instead of Fly.io and Tigris.
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
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
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
}

describe(".github/workflows/deploy.yml", () => {
  it("deploys on push to main, checks drift on a schedule, with the pinned OpenTofu", () => {
    const w = workflow();
    expect(w.on.push?.branches).toEqual(["main"]);
    expect(w.on.schedule?.length).toBe(1);
    expect(w.jobs.deploy.if).toBe("github.event_name == 'push'");
    expect(w.jobs.drift.if).toContain("github.event_name == 'schedule'");
    expect(step(w.jobs.deploy, "deploy").run).toContain(
      'npm run cdktf -- deploy "$FLY_K3S_CLUSTER" --auto-approve',
    );
    expect(step(w.jobs.drift, "drift").run).toContain(
      './k3s.sh --drift "clusters/$FLY_K3S_CLUSTER"',
    );
    for (const job of Object.values(w.jobs)) {
      const tofu = job.steps.find((s) => s.uses?.startsWith("opentofu/setup-opentofu@"));
      expect(tofu?.with).toEqual({
        tofu_version: toolchainVar("TOFU_VERSION"),
        tofu_wrapper: false,
      });
      expect(job.steps.map((s) => s.run).filter(Boolean)).toEqual(
        expect.arrayContaining(["npm ci --no-audit --no-fund", "npm run setup"]),
      );
    }
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
    for (const [name, job] of Object.entries(w.jobs)) {
      expect(JSON.stringify(job.env ?? {})).not.toContain("secrets.");
      for (const s of job.steps) {
        expect(`${s.run ?? ""}${JSON.stringify(s.with ?? {})}`).not.toContain("secrets.");
        const inEnv = Object.values(s.env ?? {}).some((v) => v.includes("secrets."));
        expect([name, s.id, inEnv]).toEqual([name, s.id, s.id === "deploy" || s.id === "drift"]);
      }
    }
    expect(JSON.stringify(w.env)).not.toContain("secrets.");
  });
});

describe("the workflow's deploy and drift steps, run here against the local Fly and a local S3", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let s3: S3Server;
  let checkout: string;
  let stores: { secrets: Record<string, string>; vars: Record<string, string> };
  const timings: string[] = [];
  const tools = toolchain({ ...process.env, FLY_K3S_USE_REGISTRY: "" });

  /** Runs a job's step as a runner does: its script under bash -eo pipefail, with the workflow, job and step env. */
  function runStep(jobName: string, id: string): Promise<Run> {
    const w = workflow();
    const job = w.jobs[jobName];
    const s = step(job, id);
    if (!s.run) throw new Error(`step ${id} has no run:`);
    const script = path.join(checkout, `.step-${id}.sh`);
    fs.writeFileSync(script, s.run);
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
    return new Promise((done) => {
      execFile(
        "bash",
        ["--noprofile", "--norc", "-eo", "pipefail", script],
        { cwd: checkout, env, maxBuffer: 64 << 20 },
        (err, stdout, stderr) => {
          timings.push(`${jobName}/${id}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        },
      );
    });
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

  it("deploy: `cdktf deploy` creates the cluster, with its state in the bucket only", async () => {
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

  it("refuses to deploy without a state bucket: a runner's local state would be lost", async () => {
    const saved = stores.vars.FLY_K3S_STATE_BUCKET;
    stores.vars.FLY_K3S_STATE_BUCKET = "";
    try {
      const r = await runStep("deploy", "deploy");
      expect(r.stdout).toContain("::error::set the repository variables");
      expect(r.code).toBe(1);
    } finally {
      stores.vars.FLY_K3S_STATE_BUCKET = saved;
    }
  });
});
