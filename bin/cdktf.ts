/**
 * `npm run cdktf -- <command> [args]`: the cdktf CLI with the project's
 * toolchain (TERRAFORM_BINARY_NAME, TF_CLI_CONFIG_FILE) and, for commands that
 * talk to Fly, the same target as ./k3s.sh (cli/target.ts), e.g.
 *   npm run cdktf -- deploy local --auto-approve
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { chooseTarget } from "../cli/target";
import { ROOT, toolchain } from "../cli/toolchain";

const TALKS_TO_FLY = new Set(["deploy", "destroy", "diff", "plan", "output", "watch", "apply"]);

async function main(args: string[]): Promise<number> {
  const tools = toolchain();
  const target = TALKS_TO_FLY.has(args[0] ?? "")
    ? (await chooseTarget((l) => console.error(l))).env
    : {};
  // A stack directory's .terraform/terraform.tfstate only caches which backend
  // its last init used; the state path differs between Fly and the local
  // emulator, which cdktf's own init would refuse, so the cache is dropped.
  const stacks = path.join(ROOT, "cdktf.out", "stacks");
  if (fs.existsSync(stacks)) {
    for (const s of fs.readdirSync(stacks)) {
      fs.rmSync(path.join(stacks, s, ".terraform", "terraform.tfstate"), { force: true });
    }
  }
  const r = spawnSync("npx", ["--no-install", "cdktf", ...args], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, ...tools.env, ...target },
  });
  return r.status ?? 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    console.error(`error: ${e.message}`);
    process.exitCode = 1;
  },
);
