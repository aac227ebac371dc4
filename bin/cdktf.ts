/**
 * `npm run cdktf -- <command> [args]`: the cdktf CLI with the project's
 * toolchain (TERRAFORM_BINARY_NAME, TF_CLI_CONFIG_FILE) and, for commands that
 * talk to Fly, the same target as ./k3s.sh (cli/target.ts), reached through
 * the same pacer (ops/fly-pacer.ts, in this process), e.g.
 *   npm run cdktf -- deploy local --auto-approve
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { preflightCdktf } from "../cli/preflight";
import { chooseTarget } from "../cli/target";
import { ROOT, toolchain } from "../cli/toolchain";
import { FlyPacer, pacerSummary, startFlyPacer } from "../ops/fly-pacer";

const TALKS_TO_FLY = new Set(["deploy", "destroy", "diff", "plan", "output", "watch", "apply"]);

async function main(args: string[]): Promise<number> {
  const log = (l: string) => console.error(l);
  // On Fly, clusters that can never work are refused before any tool or request.
  await preflightCdktf(args, log);
  const tools = toolchain();
  let target: Record<string, string> = {};
  let pacer: FlyPacer | undefined;
  if (TALKS_TO_FLY.has(args[0] ?? "")) {
    const t = await chooseTarget(log);
    pacer = await startFlyPacer({ target: t.apiUrl, log });
    target = { ...t.env, FLY_API_URL: pacer.url };
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
    env: { ...process.env, ...tools.env, ...target },
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
