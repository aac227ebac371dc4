/** -d: removes everything the cluster created (ops/destroy.ts), after a confirmation. */
import * as fs from "fs";
import { VerbContext } from "./context";
import { ask } from "../ask";

export async function destroy(ctx: VerbContext): Promise<number> {
  const name = ctx.cluster.config.clusterName;
  const target = await ctx.target();
  const stack = await ctx.stack(ctx.cluster.config);
  await stack.prepare();
  const before = await stack.resources();
  if (before.length === 0) {
    console.log(
      `nothing is left of cluster ${name} on this target (no resources in ${stack.stateLocation})`,
    );
    return 0;
  }
  if (!ctx.opts.yes) {
    if (!process.stdin.isTTY)
      throw new Error("--destroy asks for confirmation: give --yes to destroy without a terminal");
    const answer = await ask(
      `destroy cluster ${name} (${target.kind}): every app, machine and volume, and their data? Type its name: `,
    );
    if (answer.trim() !== name) {
      console.error("not destroyed");
      return 1;
    }
  }
  const r = await stack.destroy();
  if (r.status !== 0) return 1;
  const count = (t: string) => before.filter((a) => a.startsWith(`${t}.`)).length;
  console.log(
    `destroyed cluster ${name}: ${count("fly_app")} apps, ${count("fly_machine")} machines, ${count("fly_volume")} volumes`,
  );
  // A local state file is removed; a remote one is left empty.
  for (const f of [stack.stateFile, `${stack.stateFile}.backup`]) fs.rmSync(f, { force: true });
  return 0;
}
