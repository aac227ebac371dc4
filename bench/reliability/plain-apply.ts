/**
 * The "before" of the thirty-workers scenario: the synthesized stack applied
 * by the plain provider, as `tofu apply` alone does it — straight at the
 * (rate-limited) API, default parallelism, no pacing, no adoption, no repair.
 */
import * as path from "path";
import { stackName } from "../../config/naming";
import { localStateInitArgs } from "../../config/state";
import { ROOT, run, toolchain } from "../../cli/toolchain";
import { LocalFly, ScratchCluster, audit, stateFile } from "../harness";
import * as fs from "fs";
import { errorKinds } from "./report";

export interface PlainOutcome {
  /** One line: exit code, errors by kind, what was left where. */
  readonly summary: string;
  /** Removes what the plain apply made, in and outside its state. */
  cleanup(): Promise<void>;
}

export async function plainApply(fly: LocalFly, cluster: ScratchCluster): Promise<PlainOutcome> {
  const tools = toolchain();
  const env = {
    ...fly.env,
    ...tools.env,
    FLY_API_URL: fly.emu.url,
    FLY_API_TOKEN: fly.emu.token,
    FLY_K3S_TARGET: "local",
    CDKTF_OUTDIR: path.join(ROOT, "cdktf.out"),
    TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
  };
  const must = async (what: string, p: ReturnType<typeof run>) => {
    const r = await p;
    if (r.status !== 0) throw new Error(`${what} failed:\n${r.stderr || r.stdout}`);
    return r;
  };
  await must(
    "synth",
    run(process.execPath, ["-r", "ts-node/register/transpile-only", "main.ts"], { env }),
  );
  const dir = path.join(ROOT, "cdktf.out", "stacks", stackName(cluster.name));
  const tofu = (...args: string[]) => run(tools.binary, [`-chdir=${dir}`, ...args], { env });
  fs.mkdirSync(path.dirname(stateFile(fly, cluster.name)), { recursive: true });
  await must(
    "tofu init",
    tofu(
      "init",
      "-input=false",
      "-reconfigure",
      "-no-color",
      ...localStateInitArgs(cluster.name, env),
    ),
  );
  const t0 = Date.now();
  const apply = await tofu("apply", "-input=false", "-auto-approve", "-no-color");
  const seconds = ((Date.now() - t0) / 1000).toFixed(0);
  const kinds = [...errorKinds(apply.stdout + apply.stderr)]
    .map(([k, n]) => `${n}× "${k}"`)
    .join(", ");
  const a = await audit(fly, cluster.name);
  const summary =
    `tofu apply exited ${apply.status} after ${seconds} s` +
    (kinds ? ` with ${kinds}` : "") +
    `; Fly then held ${a.machines} machines and ${a.volumes} volumes, ${a.orphans.length} of them outside the state`;
  return {
    summary,
    async cleanup() {
      // The plain run's orphans are outside its state: remove the apps whole.
      const { apps } = await fly.api.request<{ apps: { name: string }[] }>(
        "GET",
        "/apps?org_slug=personal",
      );
      for (const { name } of apps.filter((x) => x.name.startsWith(cluster.name))) {
        await fly.api.request("DELETE", `/apps/${name}`);
      }
      fs.rmSync(path.dirname(stateFile(fly, cluster.name)), { recursive: true, force: true });
    },
  };
}
