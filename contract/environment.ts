/**
 * Every environment variable fly-k3s reads, in one table: `./k3s.sh -h`
 * prints it (cli/options.ts), and __tests__/contract/environment.test.ts fails
 * when code names a FLY_K3S_* variable (or reads one from `process.env`) that
 * is not listed here, or when a row names a variable nothing reads. Several
 * processes read them (the CLI, synthesis, the provisioner step, the set-up,
 * the local Fly), hence a contract. The node image's own variables (K3S_*)
 * are contract/node-env.ts's. Pure.
 */

/**
 * Who is meant to set it: the operator, a CI workflow or the operator's
 * shell (`operator`); fly-k3s itself, for a process it starts (`internal`:
 * listed so nothing is read unannounced, not for you to set); or only tests.
 */
export type EnvSetBy = "operator" | "internal" | "tests";

export interface EnvVar {
  readonly name: string;
  readonly setBy: EnvSetBy;
  /** What it does and its default, in the operator's words. */
  readonly doc: string;
  /** Which commands read it (the processes, in the README's words). */
  readonly readBy: string;
}

export const ENVIRONMENT: readonly EnvVar[] = [
  {
    name: "FLY_API_TOKEN",
    setBy: "operator",
    doc: "deploy to Fly.io with this token (fly tokens create org); unset: the local Fly emulator",
    readBy: "./k3s.sh, npm run cdktf/image, the provider, bin/fly-machines",
  },
  {
    name: "FLY_API_URL",
    setBy: "operator",
    doc: "Machines API URL (default https://api.machines.dev/v1)",
    readBy: "./k3s.sh, npm run cdktf/image, the provider, bin/fly-machines",
  },
  {
    name: "BOOTSTRAP_NODE_ID",
    setBy: "operator",
    doc: "control-plane server (0-2) that bootstraps the cluster and answers -k and -t (default 0)",
    readBy: "./k3s.sh, synthesis",
  },
  {
    name: "MACHINE",
    setBy: "operator",
    doc: "with -s: the machine (name or id) to open the shell on (default: the first)",
    readBy: "./k3s.sh -s",
  },
  {
    name: "FLY_K3S_STATE_BUCKET",
    setBy: "operator",
    doc: "keep the Terraform state in this S3 bucket, with locking (default: a local file)",
    readBy: "./k3s.sh, synthesis",
  },
  {
    name: "FLY_K3S_STATE_ENDPOINT",
    setBy: "operator",
    doc: "the bucket's S3 endpoint, e.g. https://fly.storage.tigris.dev (default AWS S3)",
    readBy: "./k3s.sh, synthesis",
  },
  {
    name: "FLY_K3S_STATE_REGION",
    setBy: "operator",
    doc: "the bucket's region (default auto with an endpoint, else us-east-1)",
    readBy: "./k3s.sh, synthesis",
  },
  {
    name: "AWS_ACCESS_KEY_ID",
    setBy: "operator",
    doc: "with FLY_K3S_STATE_BUCKET: the bucket's key (with AWS_SECRET_ACCESS_KEY)",
    readBy: "OpenTofu's S3 backend",
  },
  {
    name: "AWS_SECRET_ACCESS_KEY",
    setBy: "operator",
    doc: "with FLY_K3S_STATE_BUCKET: the bucket's secret key",
    readBy: "OpenTofu's S3 backend",
  },
  {
    name: "SNAPSHOT_S3_ACCESS_KEY_ID",
    setBy: "operator",
    doc: "with SNAPSHOT_S3_BUCKET in the config: the etcd snapshot bucket's key (with SNAPSHOT_S3_SECRET_ACCESS_KEY); the deploy writes the pair onto each server's volume (0600) through exec, never into a machine's env, the stack or the state",
    readBy: "./k3s.sh -c, npm run cdktf -- deploy",
  },
  {
    name: "SNAPSHOT_S3_SECRET_ACCESS_KEY",
    setBy: "operator",
    doc: "with SNAPSHOT_S3_BUCKET in the config: the etcd snapshot bucket's secret key",
    readBy: "./k3s.sh -c, npm run cdktf -- deploy",
  },
  {
    name: "FLY_K3S_STATE_DIR",
    setBy: "operator",
    doc: "local state files (default $XDG_STATE_HOME/fly-k3s, else ~/.local/state/fly-k3s)",
    readBy: "./k3s.sh, synthesis",
  },
  {
    name: "XDG_STATE_HOME",
    setBy: "operator",
    doc: "parent of the default FLY_K3S_STATE_DIR",
    readBy: "./k3s.sh, synthesis",
  },
  {
    name: "FLY_K3S_CACHE",
    setBy: "operator",
    doc: "the toolchain cache: OpenTofu, providers, probes, setup's mode (default $XDG_CACHE_HOME/fly-k3s, else ~/.cache/fly-k3s)",
    readBy: "npm run setup, ./k3s.sh, npm run cdktf/tofu",
  },
  {
    name: "XDG_CACHE_HOME",
    setBy: "operator",
    doc: "parent of the default FLY_K3S_CACHE",
    readBy: "npm run setup, ./k3s.sh, npm run cdktf/tofu",
  },
  {
    name: "FLY_K3S_USE_REGISTRY",
    setBy: "operator",
    doc: "1: online toolchain (tofu on PATH, providers from the OpenTofu registry); 0: offline; unset: what npm run setup chose",
    readBy: "npm run setup, ./k3s.sh, npm run cdktf/tofu",
  },
  {
    name: "FLY_K3S_PROVIDER_SOURCES",
    setBy: "operator",
    doc: "directory of the provider source archives: npm run setup builds offline from it (default ../shared/third_party beside the checkout)",
    readBy: "npm run setup",
  },
  {
    name: "FLYCTL_PATH",
    setBy: "operator",
    doc: "flyctl for the stategraph/fly provider; no resource of this stack needs it, so without flyctl on PATH fly-k3s points it at bin/no-flyctl",
    readBy: "the provider",
  },
  {
    name: "FLY_K3S_EMULATOR_DIR",
    setBy: "operator",
    doc: "the local Fly emulator's state, log and pid (default $XDG_DATA_HOME/fly-k3s/emulator, else ~/.local/share/fly-k3s/emulator)",
    readBy: "./k3s.sh without FLY_API_TOKEN",
  },
  {
    name: "XDG_DATA_HOME",
    setBy: "operator",
    doc: "parent of the default FLY_K3S_EMULATOR_DIR",
    readBy: "./k3s.sh without FLY_API_TOKEN",
  },
  {
    name: "FLY_K3S_EMULATOR_PORT",
    setBy: "operator",
    doc: "the local Fly emulator's API port (default 4280)",
    readBy: "./k3s.sh without FLY_API_TOKEN",
  },
  {
    name: "FLY_EMULATOR_PODMAN",
    setBy: "operator",
    doc: "the podman the local Fly emulator runs machines with (default podman on PATH)",
    readBy: "the local Fly emulator",
  },
  {
    name: "FLY_K3S_SKIP_FLY_PREFLIGHT",
    setBy: "operator",
    doc: "1: skip the Fly preflight (image and org checks), for the local emulator reached as the Fly target",
    readBy: "./k3s.sh, npm run cdktf",
  },
  {
    name: "TF_CLI_ARGS_init",
    setBy: "operator",
    doc: "OpenTofu's own extra init arguments; fly-k3s adds the local state file's -backend-config after them",
    readBy: "OpenTofu, npm run cdktf",
  },
  {
    name: "FLY_K3S_TARGET",
    setBy: "internal",
    doc: "fly or local: the target ./k3s.sh chose, which names the state's key",
    readBy: "synthesis, OpenTofu runs",
  },
  {
    name: "FLY_K3S_OPS_JS",
    setBy: "internal",
    doc: "the one-file build of bin/fly-machines the provisioner steps run",
    readBy: "bin/fly-machines",
  },
  {
    name: "FLY_K3S_OPS_COMMAND",
    setBy: "internal",
    doc: "the bin/fly-machines the synthesized stack's steps run",
    readBy: "synthesis, the provisioner steps",
  },
  {
    name: "FLY_K3S_ROLLS_IN_TURNS",
    setBy: "internal",
    doc: "set by the deploy on the OpenTofu runs whose rolls it orders in turns; without it a roll step refuses to change a machine that has run",
    readBy: "the provisioner steps (roll)",
  },
  {
    name: "FLY_K3S_MACHINE_CONFIG",
    setBy: "internal",
    doc: "a roll step's machine config (JSON), from the stack to bin/fly-machines roll",
    readBy: "bin/fly-machines",
  },
  {
    name: "FLY_K3S_HOST_ROOT",
    setBy: "tests",
    doc: "a directory standing for / in the host set-up's checks",
    readBy: "scripts/host-setup.ts",
  },
];

/** The rows of one kind, in table order. Pure. */
export function environmentOf(setBy: EnvSetBy): readonly EnvVar[] {
  return ENVIRONMENT.filter((v) => v.setBy === setBy);
}
