/**
 * `npm run tofu -- ARGS`: the project's OpenTofu with its CLI configuration
 * (the local provider mirror), as cli/toolchain.ts chooses it, e.g.
 *   npm run tofu -- -chdir=cdktf.out/stacks/local plan
 * With `-chdir=` a synthesized stack, its `init` is given this machine's state
 * file when the stack keeps its state locally (the stack names none; see
 * README "State"), for the target FLY_K3S_TARGET names (fly unless "local").
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stackInitEnv } from "../cli/stack";
import { toolchain } from "../cli/toolchain";

/** TF_CLI_ARGS_init for the stack `-chdir=` names, if it is one. */
function stackInit(args: string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const chdir = args.find((a) => a.startsWith("-chdir="))?.slice("-chdir=".length);
  if (!chdir || !fs.existsSync(path.join(chdir, "cdk.tf.json"))) return {};
  return stackInitEnv(path.basename(path.resolve(chdir)), env, true, path.resolve(chdir));
}

try {
  const tools = toolchain();
  const args = process.argv.slice(2);
  const env = { ...process.env, ...tools.env };
  const r = spawnSync(tools.binary, args, {
    stdio: "inherit",
    env: { ...env, ...stackInit(args, env) },
  });
  process.exitCode = r.status ?? 1;
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 1;
}
