import { Resource } from "@cdktf/provider-null/lib/resource";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import * as path from "path";
import { FlyMachinesCall, flyMachinesArgs } from "../contract/fly-machines-call";

/**
 * Construct context key holding the path of the project's Machines API command
 * (`bin/fly-machines`) as the provisioners run it; ClusterStack sets it.
 */
export const OPS_COMMAND_CONTEXT = "fly-k3s:opsCommand";

/**
 * `bin/fly-machines` of the checkout that synthesizes the stack, as an absolute
 * path: local-exec runs in whatever directory the stack was synthesized to
 * (cdktf.out/stacks/<name> here, anywhere with `cdktf synth --output`), so a
 * path relative to that directory breaks as soon as the output moves.
 */
export const DEFAULT_OPS_COMMAND = path.resolve(__dirname, "..", "bin", "fly-machines");

export interface OpsStepProps {
  /** The `bin/fly-machines` invocation (contract/fly-machines-call.ts). */
  readonly call: FlyMachinesCall;
  /**
   * Values whose change re-runs the step (for example the machine id, so a
   * replaced machine is joined again). Never put a secret here: triggers are
   * stored in the Terraform state.
   */
  readonly triggers: Record<string, string>;
  /** Extra environment for the command (no secrets: it is stored in the state). */
  readonly environment?: Record<string, string>;
  /** Steps or resources that must be complete first. @default none */
  readonly dependsOn?: ITerraformDependable[];
  /** A line naming what the step does, shown in the apply log. */
  readonly description: string;
}

/**
 * One operation of the project's Machines API command, run by Terraform as a
 * `null_resource` local-exec provisioner. The command reads FLY_API_TOKEN and
 * FLY_API_URL from the environment Terraform runs in, so neither the Fly token
 * nor the k3s token appears in the configuration or the state.
 */
export class OpsStep extends Construct {
  readonly resource: Resource;

  constructor(scope: Construct, id: string, props: OpsStepProps) {
    super(scope, id);
    const ops =
      (this.node.tryGetContext(OPS_COMMAND_CONTEXT) as string | undefined) ?? DEFAULT_OPS_COMMAND;
    const command = [ops, ...flyMachinesArgs(props.call)].map(shellQuote).join(" ");
    this.resource = new Resource(this, "step", {
      triggers: props.triggers,
      dependsOn: props.dependsOn,
      provisioners: [
        {
          type: "local-exec",
          command: `echo ${shellQuote(`fly-k3s: ${props.description}`)} >&2 && ${command}`,
          environment: props.environment,
        },
      ],
    });
  }
}

/**
 * Quotes one word for /bin/sh. Words made only of safe characters, Terraform
 * interpolations and $HOME stay unquoted so that they expand.
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./${}-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
