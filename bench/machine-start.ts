/**
 * Benchmark: how long the local Fly takes to bring a machine to `started`
 * through the Machines API (create + wait), as a ratio against a plain
 * `podman run -d` + `podman rm -f` of the same image in the same run.
 *
 *   npm run bench -- machine-start [--rounds N]     (default 5)
 *
 * Prints per-round times and the median ratio; the ratio is the emulator's
 * overhead (6PN network, DNS registration, state, API) over raw podman.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { resetEmulator, startEmulator } from "../emulator";
import { podmanEnv } from "../emulator/podman";
import { EMULATOR_TEST_IMAGE, buildTestImage } from "../emulator/test-image";
import { Machine } from "../contract/machines-api-types";
import { MachinesApi } from "../ops/machines-api";

const IMAGE = EMULATOR_TEST_IMAGE;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: "string" } } });
  const rounds = Number(values.rounds ?? 5);
  buildTestImage();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-bench-"));
  // The emulator's own overhead: Fly's rate limits (on by default) would only add waits.
  const emu = await startEmulator({ port: 0, stateDir, settings: { rateLimit: false } });
  const api = new MachinesApi({ baseUrl: emu.url, token: emu.token });
  const app = "bench-app";
  await api.request("POST", "/apps", { app_name: app, org_slug: "bench" });
  const baseline: number[] = [];
  const emulated: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      let t = process.hrtime.bigint();
      const name = `fly-k3s-bench-${process.pid}-${i}`;
      // The same podman settings as the emulator's (contract/podman-conf.ts).
      execFileSync("podman", ["run", "-d", "--name", name, IMAGE, "/init"], {
        stdio: "ignore",
        env: { ...process.env, ...podmanEnv() },
      });
      baseline.push(Number(process.hrtime.bigint() - t) / 1e6);
      execFileSync("podman", ["rm", "-f", "-t", "0", name], { stdio: "ignore" });

      t = process.hrtime.bigint();
      const m = await api.request<Machine>("POST", `/apps/${app}/machines`, {
        name: `m-${i}`,
        region: "sjc",
        config: { image: IMAGE, guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256 } },
      });
      await api.waitForState(app, m.id, "started", 60);
      emulated.push(Number(process.hrtime.bigint() - t) / 1e6);
      await api.request("DELETE", `/apps/${app}/machines/${m.id}?force=true`);
      console.log(
        `round ${i + 1}: podman run ${baseline[i].toFixed(0)} ms, emulator create+wait ${emulated[i].toFixed(0)} ms`,
      );
    }
  } finally {
    await emu.close();
    await resetEmulator(stateDir);
  }
  const ratio = median(emulated) / median(baseline);
  console.log(
    `median: podman ${median(baseline).toFixed(0)} ms, emulator ${median(emulated).toFixed(0)} ms, ratio ${ratio.toFixed(2)}`,
  );
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
