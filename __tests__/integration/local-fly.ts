/** Starts the local Fly for an integration suite, with the emulator's test image built. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LABEL_INSTANCE, labelFilter } from "../../contract/podman-labels";
import {
  RunningEmulator,
  Settings,
  podmanAvailable,
  resetEmulator,
  startEmulator,
} from "../../emulator";
import { startFlyPacer } from "../../ops/fly-pacer";
import { MachinesApi } from "../../ops/machines-api";

import { buildTestImage } from "../../emulator/test-image";

export { EMULATOR_TEST_IMAGE as TEST_IMAGE } from "../../emulator/test-image";

export interface LocalFly {
  readonly emu: RunningEmulator;
  /**
   * The emulator's API behind the pacer (ops/fly-pacer.ts): the route
   * ./k3s.sh and npm run cdktf send the stack by. Plain `emu.url` is what the
   * provider alone meets.
   */
  readonly pacedUrl: string;
  /** Stops the emulator and removes everything it made. */
  stop(): Promise<void>;
  /** Names of this emulator's containers (all states). */
  containers(): string[];
  /** A Machines API client for this emulator. */
  api(): MachinesApi;
  /** What this emulator still holds: apps (of org `personal`), containers, podman volumes. */
  leftovers(): Promise<{ apps: unknown[]; containers: string[]; volumes: string[] }>;
}

export async function startLocalFly(
  token?: string,
  settings?: Partial<Settings>,
): Promise<LocalFly> {
  if (!(await podmanAvailable())) {
    throw new Error("podman is not available: as root, run npm run setup -- --local");
  }
  buildTestImage();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-emu-"));
  const emu = await startEmulator({ port: 0, stateDir, token, settings });
  const pacer = await startFlyPacer({ target: emu.url });
  return {
    emu,
    pacedUrl: pacer.url,
    api: () => new MachinesApi({ baseUrl: emu.url, token: emu.token }),
    async leftovers() {
      const api = new MachinesApi({ baseUrl: emu.url, token: emu.token });
      const { apps } = await api.request<{ apps: unknown[] }>("GET", "/apps?org_slug=personal");
      const podman = (...args: string[]) =>
        execFileSync("podman", [...args, "--filter", labelFilter(LABEL_INSTANCE, emu.instance)], {
          encoding: "utf8",
        })
          .split("\n")
          .filter(Boolean);
      return {
        apps,
        containers: podman("ps", "-a", "--format", "{{.Names}}"),
        volumes: podman("volume", "ls", "-q"),
      };
    },
    async stop() {
      await pacer.close();
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
          labelFilter(LABEL_INSTANCE, emu.instance),
        ],
        { encoding: "utf8" },
      )
        .split("\n")
        .filter(Boolean),
  };
}
