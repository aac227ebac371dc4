/**
 * One cluster's synthesized stack and the OpenTofu runs on it: synth, init,
 * deploy (ops/deploy.ts), plan, drift, destroy (ops/destroy.ts). Every run
 * reaches Fly through the pacer (ops/fly-pacer.ts), started in this process
 * on first use: the target's FLY_API_URL is replaced by the pacer's for tofu,
 * its providers and bin/fly-machines, and for this process's own Machines API
 * calls.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClusterConfig } from "../config/schema";
import { stackName } from "../config/naming";
import { localStateInitArgs, s3StateFor, stateFileFor, stateLocation } from "../config/state";
import { ShowState, stateResources } from "../contract/tofu-state";
import { Declared, declaredFromSynth } from "../ops/declared";
import {
  DeployResult,
  Repair,
  addressChangeLine,
  addressChanges,
  deploy,
  repairsNeeded,
} from "../ops/deploy";
import { destroy } from "../ops/destroy";
import { FlyPacer, pacerSummary, startFlyPacer } from "../ops/fly-pacer";
import { Log } from "../ops/log";
import { MachinesApi } from "../ops/machines-api";
import { Target } from "./target";
import { SYNTH_ENTRY, ensureOpsBuild } from "./ops-build";
import { ROOT, RunResult, Toolchain, inCache, run } from "./toolchain";

export class Stack {
  readonly name: string;
  readonly dir: string;
  readonly stateFile: string;
  /** The state file, or s3://bucket/key when FLY_K3S_STATE_BUCKET puts it in S3. */
  readonly stateLocation: string;
  private readonly env: Record<string, string>;
  private pacer?: Promise<FlyPacer>;
  /** `tofu show -json` of the state, read once for the K3S_VERSION check and the deploy. */
  private shownState?: Promise<RunResult>;

  /**
   * `root` is the directory holding `clusters/` and `cdktf.out/` (default: the
   * checkout; tests give a scratch copy).
   */
  constructor(
    config: ClusterConfig,
    private readonly tools: Toolchain,
    private readonly target: Target,
    private readonly log: Log,
    private readonly root: string = ROOT,
  ) {
    this.name = stackName(config.clusterName);
    this.dir = path.join(root, "cdktf.out", "stacks", this.name);
    this.env = { ...tools.env, ...target.env };
    this.stateFile = stateFileFor(config.clusterName, { ...process.env, ...this.env });
    this.stateLocation = stateLocation(config.clusterName, { ...process.env, ...this.env });
  }

  /** The pacer's URL, starting the pacer on first use. */
  private async pacerUrl(): Promise<string> {
    this.pacer ??= startFlyPacer({ target: this.target.apiUrl, log: this.log });
    return (await this.pacer).url;
  }

  /** A Machines API client that goes through the pacer. */
  async api(): Promise<MachinesApi> {
    return new MachinesApi({ baseUrl: await this.pacerUrl(), token: this.target.token });
  }

  /** Stops the pacer (when it was started) and says what it did. */
  async close(): Promise<void> {
    if (!this.pacer) return;
    const p = await this.pacer;
    this.pacer = undefined;
    if (p.stats.requests > 0) this.log(pacerSummary(p.stats));
    await p.close();
  }

  /** Runs tofu in the stack directory, reaching Fly through the pacer; `extra` adds to its environment. */
  async tofu(args: string[], echo = false, extra: Record<string, string> = {}): Promise<RunResult> {
    const env = { ...this.env, ...extra, FLY_API_URL: await this.pacerUrl() };
    return run(this.tools.binary, [`-chdir=${this.dir}`, ...args], { env, echo });
  }

  /**
   * `tofu show -json` of the state. Kept until the deploy's first look at the
   * state takes it, so a check before the deploy (cli/upgrade.ts) and the
   * deploy read it once.
   */
  showState(): Promise<RunResult> {
    this.shownState ??= this.tofu(["show", "-json", "-no-color"]);
    return this.shownState;
  }

  /** The machines and volumes the synthesized stack declares. */
  declared(): Declared {
    const file = path.join(this.dir, "cdk.tf.json");
    return declaredFromSynth(JSON.parse(fs.readFileSync(file, "utf8")) as never);
  }

  private async must(what: string, r: Promise<RunResult>): Promise<RunResult> {
    const res = await r;
    if (res.status !== 0)
      throw new Error(`${what} failed:\n${res.stderr.trim() || res.stdout.trim()}`);
    return res;
  }

  /**
   * Synthesizes every stack (main.ts, as `cdktf synth` runs it) and inits this
   * one, its local state file given to init (the stack names none). With
   * `synth: false` the stack already in cdktf.out/ is used as it is, wherever
   * it was synthesized (`npm run cdktf -- deploy --skip-synth`).
   */
  async prepare(opts: { synth?: boolean } = {}): Promise<void> {
    if (opts.synth === false) {
      if (!fs.existsSync(path.join(this.dir, "cdk.tf.json"))) {
        throw new Error(
          `no synthesized stack ${this.name} in ${path.dirname(this.dir)}: run npm run cdktf -- synth first (or leave out --skip-synth)`,
        );
      }
      this.log(`using the synthesized stack in ${this.dir}`);
    } else {
      this.log("synthesizing");
      await this.must(
        "synth",
        run(process.execPath, synthArgv(), {
          cwd: this.root,
          env: {
            ...this.env,
            NODE_PATH: path.join(ROOT, "node_modules"),
            CDKTF_OUTDIR: path.join(this.root, "cdktf.out"),
            TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
          },
        }),
      );
    }
    const backendArgs = stackInitArgs(this.dir, this.name, { ...process.env, ...this.env });
    if (backendArgs.length > 0) fs.mkdirSync(path.dirname(this.stateFile), { recursive: true });
    this.log(
      `initializing (state: ${backendArgs.length > 0 ? this.stateFile : this.stateLocation})`,
    );
    // -reconfigure: the state path differs between Fly and the local emulator;
    // each target's state stays where it is (nothing is migrated).
    await this.must(
      "tofu init",
      this.tofu(["init", "-input=false", "-reconfigure", "-no-color", ...backendArgs]),
    );
  }

  async deploy(): Promise<DeployResult> {
    // The operator sees the plan and the applies; not the JSON, nor the refresh that records.
    const shown = (args: string[]) =>
      (args[0] === "plan" || args[0] === "apply") && !args.includes("-refresh-only");
    const run = (args: string[], env?: Record<string, string>) => {
      const kept = this.shownState;
      this.shownState = undefined;
      if (kept && args.join(" ") === "show -json") return kept;
      return this.tofu(args, shown(args), env);
    };
    return deploy(run, {
      log: this.log,
      adopt: { declared: this.declared(), api: await this.api() },
    });
  }

  /** A saved plan's JSON; `refreshOnly` compares Fly with the state only. */
  private async planJson(refreshOnly: boolean): Promise<PlanJson> {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-plan-")), "plan");
    try {
      await this.must(
        "tofu plan",
        this.tofu([
          "plan",
          "-input=false",
          "-no-color",
          `-out=${out}`,
          ...(refreshOnly ? ["-refresh-only"] : []),
        ]),
      );
      const show = await this.must("tofu show", this.tofu(["show", "-json", out]));
      return JSON.parse(show.stdout) as PlanJson;
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  }

  /** What a deploy would change: Terraform's own changes and the repairs around the provider. */
  async plan(): Promise<{ changes: string[]; repairs: Repair[] }> {
    const p = await this.planJson(false);
    const changes = (p.resource_changes ?? [])
      .filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read"))
      .map((c) => `${c.change.actions.join("+")} ${c.address}`);
    return {
      changes,
      repairs: p.prior_state ? repairsNeeded(p.prior_state, stateBeforeRefresh(p)) : [],
    };
  }

  /** How Fly differs from the state (resource_drift) and from the config (ignored fields). */
  async drift(): Promise<string[]> {
    const p = await this.planJson(true);
    const lines = (p.resource_drift ?? []).flatMap((d) => {
      // A new 6PN address gets its own plain line below.
      const diffs = diffValues(d.change.before, d.change.after).filter(
        (x) => !x.startsWith("private_ip: "),
      );
      const gone = d.change.actions.includes("delete");
      return gone ? [`${d.address}: gone from Fly`] : diffs.map((x) => `${d.address}: ${x}`);
    });
    const before = stateBeforeRefresh(p);
    const renumbered = p.prior_state ? addressChanges(before, p.prior_state) : [];
    const repairs = p.prior_state ? repairsNeeded(p.prior_state, before) : [];
    return [
      ...lines,
      ...renumbered.map((c) => `${c.address}: ${addressChangeLine(c)}`),
      ...repairs.map((r) => `${r.address}: ${r.reason}`),
    ];
  }

  /** Resource addresses in the state, local or remote (none when there is no state). */
  async resources(): Promise<string[]> {
    // `show -json` answers for a missing state too, where `state list` fails.
    const r = await this.must("tofu show", this.tofu(["show", "-json", "-no-color"]));
    const state = JSON.parse(r.stdout) as ShowState;
    return stateResources(state).map((x) => x.address);
  }

  /** Destroys everything in the state, with what an interrupted run left (ops/destroy.ts). */
  async destroy(): Promise<RunResult> {
    return destroy((args) => this.tofu(args, args[0] === "destroy"), {
      declared: this.declared(),
      api: await this.api(),
      log: this.log,
    });
  }
}

/**
 * How node runs the synthesis (main.ts): its one-file bundle (cli/ops-build.ts,
 * built when an input changed), or through ts-node when it cannot be built.
 */
function synthArgv(): string[] {
  try {
    return [ensureOpsBuild(ROOT, inCache("OPS_JS_DIR"), SYNTH_ENTRY)];
  } catch {
    return ["-r", "ts-node/register/transpile-only", path.join(ROOT, SYNTH_ENTRY)];
  }
}

/**
 * The `tofu init` arguments for the stack in `dir`: a local backend
 * (synthesized without a path) gets this machine's state file of the cluster
 * (config/state.ts); an S3 backend names its bucket and key itself. Which
 * backend: the synthesized stack's, or, for a stack about to be synthesized
 * (`by: "environment"`), the one synthesis will choose from the environment.
 */
export function stackInitArgs(
  dir: string,
  cluster: string,
  env: NodeJS.ProcessEnv,
  by: "synthesized" | "environment" = "synthesized",
): string[] {
  const file = path.join(dir, "cdk.tf.json");
  const local =
    by === "synthesized" && fs.existsSync(file)
      ? (JSON.parse(fs.readFileSync(file, "utf8")) as SynthesizedBackend).terraform?.backend
          ?.local !== undefined
      : s3StateFor(cluster, env) === undefined;
  return local ? localStateInitArgs(cluster, env) : [];
}

/**
 * Environment for a tool that runs `tofu init` on the stack itself (the cdktf
 * CLI's diff and output, npm run tofu): TF_CLI_ARGS_init holding
 * stackInitArgs, quoted as OpenTofu splits it, after whatever TF_CLI_ARGS_init
 * already holds; empty for a stack whose state is in S3. `skipSynth`: the
 * stack in `dir` is used as it is (its backend decides), else it is about to
 * be synthesized (the environment decides).
 */
export function stackInitEnv(
  stack: string,
  env: NodeJS.ProcessEnv,
  skipSynth: boolean,
  dir: string = path.join(ROOT, "cdktf.out", "stacks", stack),
): Record<string, string> {
  const args = stackInitArgs(dir, stack, env, skipSynth ? "synthesized" : "environment");
  if (args.length === 0) return {};
  const quoted = args.map((a) =>
    /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'"'"'`)}'`,
  );
  return { TF_CLI_ARGS_init: [env.TF_CLI_ARGS_init, ...quoted].filter(Boolean).join(" ") };
}

interface SynthesizedBackend {
  terraform?: { backend?: Record<string, unknown> };
}

/** What a deploy says when it ends: the repairs it made and the machines that came back renumbered. Pure. */
export function deployReport(r: DeployResult): string[] {
  return [
    ...r.repairs.map((rep) => `repaired ${rep.address} (${rep.reason})`),
    ...r.renumbered.map(addressChangeLine),
  ];
}

/** The line a failed deploy ends with. */
export const DEPLOY_FAILED =
  "re-run the same command to resume: what was created is in the state, and what an interrupted run left outside it is adopted";

/**
 * The state before a plan's refresh, as far as the plan tells it: the
 * refreshed state with each drifted resource's value from before. Pure.
 */
export function stateBeforeRefresh(p: PlanJson): ShowState {
  const after = stateResources(p.prior_state);
  const drift = new Map((p.resource_drift ?? []).map((d) => [d.address, d]));
  const resources = after.map((r) => {
    const d = drift.get(r.address);
    return d && d.change.before && typeof d.change.before === "object"
      ? { ...r, values: d.change.before as Record<string, unknown> }
      : r;
  });
  for (const d of drift.values()) {
    if (!d.change.actions.includes("delete") || !d.change.before) continue;
    if (after.some((r) => r.address === d.address)) continue;
    resources.push({
      address: d.address,
      type: d.address.split(".")[0],
      values: d.change.before as Record<string, unknown>,
    });
  }
  return { values: { root_module: { resources } } };
}

export interface PlanJson {
  resource_changes?: { address: string; change: { actions: string[] } }[];
  resource_drift?: {
    address: string;
    change: { actions: string[]; before: unknown; after: unknown };
  }[];
  prior_state?: ShowState;
}

/** Values whose change is only the machine restarting, not a difference worth reporting. */
const RESTART_NOISE = new Set(["instance_id", "updated_at"]);

/** `path: before -> after` for every leaf that differs. Pure. */
export function diffValues(before: unknown, after: unknown, at = ""): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === "object";
  if (isObj(before) && isObj(after)) {
    const b = before as Record<string, unknown>;
    const a = after as Record<string, unknown>;
    return [...new Set([...Object.keys(b), ...Object.keys(a)])]
      .filter((k) => !(at === "" && RESTART_NOISE.has(k)))
      .sort()
      .flatMap((k) => diffValues(b[k], a[k], at ? `${at}.${k}` : k));
  }
  return [`${at || "(value)"}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`];
}
