import { Resource } from "@cdktf/provider-null/lib/resource";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { FlyMachinesCall, OPS_COMMAND_ENV, flyMachinesArgs } from "../contract/fly-machines-call";

/**
 * How a step calls `bin/fly-machines`: through the environment variable
 * OPS_COMMAND_ENV (contract/fly-machines-call.ts), which whoever runs tofu
 * sets to its own checkout's command, never through a path of the machine
 * that synthesized the stack. A stack synthesized in one place then runs in
 * another (a CI job's synth then deploy, a moved checkout, `cdktf synth
 * --output` anywhere). Unset, the step stops at once, saying so (the shell's
 * `${VAR:?message}`). `$${` is Terraform's escape for a literal `${`.
 */
export const OPS_COMMAND_WORD =
  `"$\${${OPS_COMMAND_ENV}:?is not set: run the stack with ./k3s.sh, npm run cdktf or npm run tofu, ` +
  `or set it to the path of bin/fly-machines in a checkout of fly-k3s}"`;

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
    const command = [OPS_COMMAND_WORD, ...flyMachinesArgs(props.call).map(shellQuote)].join(" ");
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
