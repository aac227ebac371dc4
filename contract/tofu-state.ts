/**
 * What OpenTofu writes and the project reads back: the part of
 * `tofu show -json` (of a state) that the deploy, the adoption and the CLI
 * read, and the stategraph/fly provider's `mount` block as both the state and
 * the synthesized `cdk.tf.json` hold it. Pure.
 */

export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly values: Record<string, unknown>;
}

/** The part of `tofu show -json` (of a state) that is read. */
export interface ShowState {
  readonly values?: { readonly root_module?: { readonly resources?: StateResource[] } };
}

/** The resources of a `tofu show -json`, none when there is no state. Pure. */
export function stateResources(show: ShowState | undefined): StateResource[] {
  return show?.values?.root_module?.resources ?? [];
}

/**
 * The volume a machine's `mount` names: the provider stores the block as one
 * object, Terraform's JSON may give it as a one-element list. Pure.
 */
export function mountedVolume(mount: unknown): string | undefined {
  const m = (Array.isArray(mount) ? mount[0] : mount) as { volume?: unknown } | null | undefined;
  return typeof m?.volume === "string" && m.volume ? m.volume : undefined;
}
