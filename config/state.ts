import * as os from "os";
import * as path from "path";

/**
 * Where a cluster's Terraform state lives: outside the checkout and outside
 * cdktf.out/, one directory per target (real Fly or the local emulator) and
 * cluster, so deleting the checkout or cdktf.out/ never loses it.
 *
 *   FLY_K3S_STATE_DIR  root directory (default ~/.local/state/fly-k3s)
 *   FLY_K3S_TARGET     "fly" (default) or "local" (set by k3s.sh for the emulator)
 */
export function stateFileFor(cluster: string, env: NodeJS.ProcessEnv = process.env): string {
  const root =
    env.FLY_K3S_STATE_DIR ||
    path.join(env.XDG_STATE_HOME || path.join(os.homedir(), ".local", "state"), "fly-k3s");
  const target = env.FLY_K3S_TARGET === "local" ? "local" : "fly";
  return path.join(root, target, cluster, "terraform.tfstate");
}
