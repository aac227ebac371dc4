/**
 * One suite's scratch cluster (bench/harness.ts) on a local Fly of its own:
 * the Fly starts in beforeAll; afterAll destroys the cluster with ./k3s.sh -d,
 * stops the Fly and removes clusters/<name>.
 */
import * as path from "path";
import { LocalFly, ScratchCluster, k3s, scratchCluster, startLocalFly } from "../../bench/harness";
import { requireToolchain } from "../toolchain";

export interface ScratchOnLocalFly {
  readonly cluster: ScratchCluster;
  /** `clusters/<name>/config`. */
  readonly configFile: string;
  /** The running local Fly (from beforeAll on). */
  readonly fly: LocalFly;
}

/** Declares the suite's hooks; `configure` may edit the config before the Fly starts. */
export function scratchOnLocalFly(
  name: string,
  workers: number,
  configure?: (configFile: string) => void,
): ScratchOnLocalFly {
  const cluster = scratchCluster(name, workers);
  const configFile = path.join(cluster.dir, "config");
  let fly: LocalFly | undefined;
  beforeAll(async () => {
    requireToolchain();
    configure?.(configFile);
    fly = await startLocalFly();
  });
  afterAll(async () => {
    if (fly) {
      await k3s(fly, ["-d", "--yes", cluster.dir]);
      await fly.close();
    }
    cluster.remove();
  });
  return {
    cluster,
    configFile,
    get fly() {
      if (!fly) throw new Error("the local Fly starts in beforeAll");
      return fly;
    },
  };
}
