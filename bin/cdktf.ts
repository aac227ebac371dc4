/**
 * `npm run cdktf -- <command> [args]`: the cdktf CLI with the project's
 * toolchain (TERRAFORM_BINARY_NAME, TF_CLI_CONFIG_FILE, FLY_K3S_OPS_COMMAND)
 * and, for commands that talk to Fly, the same target as ./k3s.sh
 * (cli/target.ts), reached through the same pacer (ops/fly-pacer.ts, in this
 * process). `deploy`, `apply` and `destroy` run the deploy and destroy of
 * ./k3s.sh -c and -d instead of cdktf's own (cli/cdktf.ts), e.g.
 *   npm run cdktf -- deploy local --auto-approve
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { findClusterDirs, loadCluster } from "../config/load";
import { runStackCommand, stackCommandOf } from "../cli/cdktf";
import { stackInitEnv } from "../cli/stack";
import { clustersNamed, preflightCdktf } from "../cli/preflight";
import { chooseTarget } from "../cli/target";
import { ROOT, toolchain } from "../cli/toolchain";
import { FlyPacer, pacerSummary, startFlyPacer } from "../ops/fly-pacer";

/** cdktf commands that run tofu on one stack against Fly (deploy and destroy are cli/cdktf.ts's). */
const TALKS_TO_FLY = new Set(["diff", "plan", "output", "watch"]);

/** The one stack a cdktf command works on; throws when it names none or several of many. */
function oneStack(args: string[]): string {
  const names = findClusterDirs(ROOT).flatMap((dir) => {
    try {
      return [loadCluster(path.join(ROOT, dir), dir).config.clusterName];
    } catch {
      return []; // synth reports it
    }
  });
  const named = clustersNamed(args, names);
  if (named.length !== 1) {
    throw new Error(
      `name one stack: npm run cdktf -- ${args[0]} <stack> (stacks: ${names.join(", ") || "none"}); ` +
        `each stack keeps its state in a file of its own`,
    );
  }
  return named[0];
}

async function main(args: string[]): Promise<number> {
  const log = (l: string) => console.error(l);
  // On Fly, clusters that can never work are refused before any tool or request.
  await preflightCdktf(args, log);
  if (stackCommandOf(args)) return runStackCommand(args, log);
  const tools = toolchain();
  let env: Record<string, string> = { ...tools.env };
  let pacer: FlyPacer | undefined;
  if (TALKS_TO_FLY.has(args[0] ?? "")) {
    const stack = oneStack(args);
    const t = await chooseTarget(log);
    pacer = await startFlyPacer({ target: t.apiUrl, log });
    env = { ...env, ...t.env, FLY_API_URL: pacer.url };
    // The stack names no state file: its init is given this machine's.
    env = {
      ...env,
      ...stackInitEnv(stack, { ...process.env, ...env }, args.includes("--skip-synth")),
    };
  }
  // A stack directory's .terraform/terraform.tfstate only caches which backend
  // its last init used; the state path differs between Fly and the local
  // emulator, which cdktf's own init would refuse, so the cache is dropped.
  const stacks = path.join(ROOT, "cdktf.out", "stacks");
  if (fs.existsSync(stacks)) {
    for (const s of fs.readdirSync(stacks)) {
      fs.rmSync(path.join(stacks, s, ".terraform", "terraform.tfstate"), { force: true });
    }
  }
  // Not spawnSync: the pacer answers from this process's event loop.
  const child = spawn("npx", ["--no-install", "cdktf", ...args], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  const status = await new Promise<number>((resolve) => {
    child.on("error", () => resolve(127));
    child.on("close", (code) => resolve(code ?? 1));
  });
  if (pacer) {
    if (pacer.stats.requests > 0) log(pacerSummary(pacer.stats));
    await pacer.close();
  }
  return status;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    console.error(`error: ${e.message}`);
    process.exitCode = 1;
  },
);
