/** Starts the local Fly for an integration suite, with the emulator's test image built. */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RunningEmulator, podmanAvailable, resetEmulator, startEmulator } from "../../emulator";
import { MachinesApi } from "../../ops/machines-api";
import { ROOT } from "../scratch-clusters";

export const TEST_IMAGE = "localhost/fly-emulator-test:latest";

export interface LocalFly {
  readonly emu: RunningEmulator;
  /** Stops the emulator and removes everything it made. */
  stop(): Promise<void>;
  /** Names of this emulator's containers (all states). */
  containers(): string[];
  /** A Machines API client for this emulator. */
  api(): MachinesApi;
}

export async function startLocalFly(token?: string): Promise<LocalFly> {
  if (!(await podmanAvailable())) {
    throw new Error("podman is not available: run npm run setup (scripts/podman-setup.sh)");
  }
  const built = spawnSync(
    "bash",
    [path.join(ROOT, "emulator/images/build-test-image.sh"), TEST_IMAGE],
    {
      encoding: "utf8",
    },
  );
  if (built.status !== 0) throw new Error(`test image: ${built.stderr}`);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-emu-"));
  const emu = await startEmulator({ port: 0, stateDir, token });
  return {
    emu,
    api: () => new MachinesApi({ baseUrl: emu.url, token: emu.token }),
    async stop() {
      await emu.close();
      await resetEmulator(stateDir);
    },
    containers: () =>
      execFileSync(
        "podman",
        [
          "ps",
          "-a",
          "--format",
          "{{.Names}}",
          "--filter",
          `label=io.fly-k3s.emulator.instance=${emu.instance}`,
        ],
        { encoding: "utf8" },
      )
        .split("\n")
        .filter(Boolean),
  };
}
