/**
 * -s: a shell on a machine of the control plane or a node group (MACHINE
 * picks one): flyctl's ssh console on Fly, podman exec on the local Fly.
 */
import { spawnSync } from "child_process";
import { LABEL_MACHINE, labelFilter } from "../../contract/podman-labels";
import { appFor } from "../cluster-apps";
import { VerbContext } from "./context";

export async function shell(ctx: VerbContext): Promise<number> {
  const app = appFor(ctx.cluster, ctx.dir, ctx.opts.group ?? "cp");
  const wanted = process.env.MACHINE;
  if ((await ctx.target()).kind === "fly") {
    const r = spawnSync(
      "fly",
      ["ssh", "console", "-a", app, ...(wanted ? ["--machine", wanted] : [])],
      { stdio: "inherit" },
    );
    if (r.error) throw new Error("-s needs flyctl (fly) on PATH for Fly.io");
    return r.status ?? 1;
  }
  const machines = await (await ctx.api()).listMachines(app);
  const m = machines.find((x) => !wanted || x.name === wanted || x.id === wanted);
  if (!m) throw new Error(`no machine ${wanted ?? "at all"} in app ${app}`);
  const ps = spawnSync(
    "podman",
    ["ps", "--filter", labelFilter(LABEL_MACHINE, m.id), "--format", "{{.Names}}"],
    { encoding: "utf8" },
  );
  const container = ps.stdout.split("\n")[0];
  if (!container) throw new Error(`machine ${m.id} of ${app} has no running container`);
  return (
    spawnSync("podman", ["exec", "-it", container, "/bin/sh"], { stdio: "inherit" }).status ?? 1
  );
}
