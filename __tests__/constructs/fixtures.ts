import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { validateConfigText } from "../../config/load";
import { ClusterConfig } from "../../config/schema";
import { ClusterStack, ClusterStackProps } from "../../constructs/cluster-stack";

export const EXAMPLE_DIR = path.join(__dirname, "../../clusters/fly-k3s-poc");

/** The example cluster config from clusters/fly-k3s-poc/config. */
export function exampleConfig(): ClusterConfig {
  const file = path.join(EXAMPLE_DIR, "config");
  return validateConfigText(file, fs.readFileSync(file, "utf8"));
}

export interface Synthesized {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
  terraform: Record<string, unknown>;
  provider?: Record<string, unknown>;
}

/** Synthesizes the example stack and returns both the JSON text and the parsed object. */
export function synthExample(
  nodeGroups: string[] = [],
  bootstrapNodeId?: number,
  extra: Partial<ClusterStackProps> = {},
) {
  const app = Testing.app();
  const stack = new ClusterStack(app, "fly-k3s-poc", {
    config: exampleConfig(),
    nodeGroups,
    bootstrapNodeId,
    stateFile: "/state/fly/fly-k3s-poc/terraform.tfstate",
    opsCommand: "/opt/fly-k3s/bin/fly-machines",
    ...extra,
  });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as Synthesized };
}

/** Resources of one type, by logical id. */
export function resources(
  json: Synthesized,
  type: string,
): Record<string, Record<string, unknown>> {
  return json.resource[type] ?? {};
}

/** The null_resource steps whose local-exec command runs `fly-machines <sub>`. */
export function steps(json: Synthesized, sub: string) {
  return Object.entries(resources(json, "null_resource"))
    .map(([id, r]) => ({
      id,
      r,
      command: (r.provisioner as { "local-exec": { command: string } }[])[0]["local-exec"].command,
    }))
    .filter((s) => s.command.includes(`/bin/fly-machines ${sub} `));
}
