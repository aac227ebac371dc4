/**
 * The fly-k3s command line (./k3s.sh launches it): validates the cluster
 * directory and the arguments before anything starts, runs the Fly preflight,
 * and hands the action to its verb (cli/verbs/index.ts), which chooses the
 * target (Fly.io or the local emulator) when it needs one. `./k3s.sh -h`
 * lists the actions (cli/options.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { bootstrapNodeId, loadCluster } from "../config/load";
import { controlPlaneMachineName, nodeGroupIdProblem } from "../config/naming";
import { appFor } from "../cli/cluster-apps";
import { UsageError, parseOptions, usage } from "../cli/options";
import { preflightAction } from "../cli/preflight";
import { ROOT } from "../cli/toolchain";
import { runVerb } from "../cli/verbs/context";
import { VERBS } from "../cli/verbs";

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s`;
const log = (line: string) => console.error(`[${elapsed()}] ${line}`);

/** A directory under clusters/, as a path relative to the checkout. */
function clusterDir(given: string): string {
  const abs = path.resolve(given);
  const rel = path.relative(path.join(ROOT, "clusters"), abs);
  if (!fs.existsSync(path.join(abs, "config")))
    throw new Error(`${given.replace(/\/+$/, "")}/config not found`);
  if (rel === "" || rel.startsWith("..") || rel.includes(path.sep)) {
    throw new Error(
      `${given} is not under ${ROOT}/clusters/: cluster directories live in clusters/<name>`,
    );
  }
  return path.join("clusters", rel);
}

async function main(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (opts.help) {
    process.stdout.write(usage());
    return 0;
  }
  // Everything that can be refused is refused before anything starts.
  const dir = clusterDir(opts.clusterDir as string);
  if (opts.action === "add") {
    const problem = nodeGroupIdProblem(opts.group as string);
    if (problem) throw new Error(problem);
  }
  const cluster = loadCluster(path.join(ROOT, dir), dir);
  for (const w of cluster.warnings) console.error(`warning: ${w}`);
  const bootstrap = controlPlaneMachineName(bootstrapNodeId());
  if ((opts.action === "list" || opts.action === "shell") && opts.group)
    appFor(cluster, dir, opts.group);
  // On Fly, a config that can never work is refused before any file, request or tool.
  await preflightAction(opts.action, cluster, dir, log);

  const verb = opts.action && VERBS[opts.action];
  if (!verb) throw new UsageError(usage());
  return runVerb(verb, { opts, dir, cluster, bootstrap, log });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    if (e instanceof UsageError) {
      console.error(e.message);
      process.exitCode = 2;
    } else {
      console.error(e instanceof ConfigError ? e.message : `error: ${e.message}`);
      process.exitCode = 1;
    }
  },
);
