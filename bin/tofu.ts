/**
 * `npm run tofu -- ARGS`: the project's OpenTofu with its CLI configuration
 * (the local provider mirror), as cli/toolchain.ts chooses it, e.g.
 *   npm run tofu -- -chdir=cdktf.out/stacks/local plan
 */
import { spawnSync } from "child_process";
import { toolchain } from "../cli/toolchain";

try {
  const tools = toolchain();
  const r = spawnSync(tools.binary, process.argv.slice(2), {
    stdio: "inherit",
    env: { ...process.env, ...tools.env },
  });
  process.exitCode = r.status ?? 1;
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 1;
}
