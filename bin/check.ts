/**
 * `npm run check -- clusters/<name> [...]`: validate cluster directories
 * (config and recorded node groups) without synthesizing anything.
 * With no argument, checks every clusters/<name>/config.
 * Errors exit 1; warnings (`warning: file:line: KEY: why`, on stderr) do not.
 * No state is read: K3S_VERSION is checked against the floor only; the step
 * from what the machines run is checked by `./k3s.sh -p` (config/upgrade.ts).
 */
import { ConfigError } from "../config/errors";
import { findClusterDirs, loadCluster } from "../config/load";

function main(args: readonly string[]): number {
  const dirs = args.length > 0 ? args : findClusterDirs(process.cwd());
  if (dirs.length === 0) {
    console.error("no cluster directories found (expected clusters/<name>/config)");
    return 1;
  }
  let failed = 0;
  for (const raw of dirs) {
    const dir = raw.replace(/\/+$/, "");
    try {
      const { config, nodeGroups, warnings } = loadCluster(dir);
      for (const w of warnings) console.error(`warning: ${w}`);
      const groups = nodeGroups.length > 0 ? `, node groups: ${nodeGroups.join(" ")}` : "";
      console.log(`${dir}/config: ok (cluster ${config.clusterName}${groups})`);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      console.error(e.message);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
