/**
 * Synthesizes one Terraform stack per clusters/<name>/config. Every config is
 * validated first; if any is invalid, the errors are printed and nothing is
 * synthesized.
 */
import { App } from "cdktf";
import { ConfigError } from "./config/errors";
import { ClusterDefinition, bootstrapNodeId, findClusterDirs, loadCluster } from "./config/load";
import { stackName } from "./config/naming";
import { s3StateFor } from "./config/state";
import { ClusterStack } from "./constructs/cluster-stack";

function loadAll(root: string): ClusterDefinition[] {
  const errors: string[] = [];
  const clusters: ClusterDefinition[] = [];
  for (const dir of findClusterDirs(root)) {
    try {
      clusters.push(loadCluster(dir));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      errors.push(e.message);
    }
  }
  if (errors.length > 0) {
    console.error(errors.join("\n"));
    process.exit(1);
  }
  return clusters;
}

/** The S3 state chosen by the environment (FLY_K3S_STATE_BUCKET), if any; exits on a bad setting. */
function s3State(cluster: string) {
  try {
    return s3StateFor(cluster);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}

const clusters = loadAll(process.cwd());
const bootstrap = bootstrapNodeId();
const app = new App();
for (const c of clusters) {
  new ClusterStack(app, stackName(c.config.clusterName), {
    config: c.config,
    nodeGroups: c.nodeGroups,
    bootstrapNodeId: bootstrap,
    s3State: s3State(c.config.clusterName),
  });
}
app.synth();
