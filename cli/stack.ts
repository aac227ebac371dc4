/**
 * One cluster's synthesized stack and the OpenTofu runs on it: synth, init,
 * deploy (ops/deploy.ts), plan, drift, destroy.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClusterConfig } from "../config/schema";
import { stackName } from "../config/naming";
import { stateFileFor, stateLocation } from "../config/state";
import { DeployResult, Repair, ShowState, deploy, repairsNeeded } from "../ops/deploy";
import { Target } from "./target";
import { ROOT, RunResult, Toolchain, run } from "./toolchain";

export type Log = (line: string) => void;

export class Stack {
  readonly name: string;
  readonly dir: string;
  readonly stateFile: string;
  /** The state file, or s3://bucket/key when FLY_K3S_STATE_BUCKET puts it in S3. */
  readonly stateLocation: string;
  private readonly env: Record<string, string>;

  constructor(
    config: ClusterConfig,
    private readonly tools: Toolchain,
    target: Target,
    private readonly log: Log,
  ) {
    this.name = stackName(config.clusterName);
    this.dir = path.join(ROOT, "cdktf.out", "stacks", this.name);
    this.env = { ...tools.env, ...target.env };
    this.stateFile = stateFileFor(config.clusterName, { ...process.env, ...this.env });
    this.stateLocation = stateLocation(config.clusterName, { ...process.env, ...this.env });
  }

  /** Runs tofu in the stack directory. */
  tofu(args: string[], echo = false): Promise<RunResult> {
    return run(this.tools.binary, [`-chdir=${this.dir}`, ...args], { env: this.env, echo });
  }

  private async must(what: string, r: Promise<RunResult>): Promise<RunResult> {
    const res = await r;
    if (res.status !== 0)
      throw new Error(`${what} failed:\n${res.stderr.trim() || res.stdout.trim()}`);
    return res;
  }

  /** Synthesizes every stack (main.ts, as `cdktf synth` runs it) and inits this one. */
  async prepare(): Promise<void> {
    this.log("synthesizing");
    await this.must(
      "synth",
      run(process.execPath, ["-r", "ts-node/register/transpile-only", "main.ts"], {
        env: {
          ...this.env,
          CDKTF_OUTDIR: path.join(ROOT, "cdktf.out"),
          TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
        },
      }),
    );
    fs.mkdirSync(path.dirname(this.stateFile), { recursive: true });
    this.log(`initializing (state: ${this.stateLocation})`);
    // -reconfigure: the state path differs between Fly and the local emulator;
    // each target's state stays where it is (nothing is migrated).
    await this.must("tofu init", this.tofu(["init", "-input=false", "-reconfigure", "-no-color"]));
  }

  deploy(): Promise<DeployResult> {
    return deploy(
      (args) => this.tofu(args, args[0] === "apply" && !args.includes("-refresh-only")),
      {
        log: this.log,
      },
    );
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
    return { changes, repairs: p.prior_state ? repairsNeeded(p.prior_state) : [] };
  }

  /** How Fly differs from the state (resource_drift) and from the config (ignored fields). */
  async drift(): Promise<string[]> {
    const p = await this.planJson(true);
    const lines = (p.resource_drift ?? []).flatMap((d) => {
      const diffs = diffValues(d.change.before, d.change.after);
      const gone = d.change.actions.includes("delete");
      return gone ? [`${d.address}: gone from Fly`] : diffs.map((x) => `${d.address}: ${x}`);
    });
    const repairs = p.prior_state ? repairsNeeded(p.prior_state) : [];
    return [...lines, ...repairs.map((r) => `${r.address}: ${r.reason}`)];
  }

  /** Resource addresses in the state, local or remote (none when there is no state). */
  async resources(): Promise<string[]> {
    // `show -json` answers for a missing state too, where `state list` fails.
    const r = await this.must("tofu show", this.tofu(["show", "-json", "-no-color"]));
    const state = JSON.parse(r.stdout) as ShowState;
    return (state.values?.root_module?.resources ?? []).map((x) => x.address);
  }

  destroy(): Promise<RunResult> {
    return this.tofu(["destroy", "-input=false", "-auto-approve", "-no-color"], true);
  }
}

interface PlanJson {
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
