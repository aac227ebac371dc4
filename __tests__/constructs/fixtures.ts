import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { validateConfigText } from "../../config/load";
import { ClusterConfig } from "../../config/schema";
import { ClusterStack, ClusterStackProps } from "../../constructs/cluster-stack";
import { OPS_COMMAND_WORD } from "../../constructs/ops-step";

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

/** What a step's command gives bin/fly-machines: `<sub> --option ...` (undefined when it runs something else). */
export function opsArgs(command: string): string | undefined {
  const at = command.indexOf(`${OPS_COMMAND_WORD} `);
  return at < 0 ? undefined : command.slice(at + OPS_COMMAND_WORD.length + 1);
}

/** The null_resource steps whose local-exec command runs `fly-machines <sub>`. */
export function steps(json: Synthesized, sub: string) {
  return Object.entries(resources(json, "null_resource"))
    .map(([id, r]) => {
      const command = (r.provisioner as { "local-exec": { command: string } }[])[0]["local-exec"]
        .command;
      return { id, r, command, args: opsArgs(command) ?? "" };
    })
    .filter((s) => s.args.startsWith(`${sub} `));
}
