/**
 * Benchmark: the time `./k3s.sh -c` takes to create a cluster of 3 servers and
 * one node group of N workers against the local Fly with Fly-like latencies
 * and rate limits, next to the critical-path floor measured in the same run
 * against the same emulator (bench/floor.ts: only the unavoidable API calls,
 * as early as Fly's buckets allow), with where the time went (bench/phases.ts)
 * and how many times each machine started (the emulator's event log: once).
 * Then an unchanged re-deploy (`./k3s.sh -c` again: nothing to do) next to its
 * baseline, a refresh-only plan of the same stack in the same run (what any
 * deploy must at least do: read every resource back from Fly). Reports each
 * N as a table (bench/results/create.md), the numbers (create.json) and a
 * plot of the scaling curve (create.svg).
 *
 *   npm run bench -- create [--workers 6,12,30]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "util";
import { EMULATOR_TEST_IMAGE } from "../emulator/test-image";
import { FLY_LIKE_SETTINGS } from "../emulator";
import { controlPlaneAppName, nodeGroupAppName, stackName } from "../config/naming";
import { controlPlaneMachineName, workerMachineName } from "../config/naming";
import { ROOT, run, toolchain } from "../cli/toolchain";
import { createFloor, removeFloor } from "./floor";
import { LocalFly, RunResult, audit, k3s, scratchCluster, startLocalFly, table } from "./harness";
import { Phase, phaseLine, phases } from "./phases";
import { plot } from "./plot";

const RESULTS = path.join(__dirname, "results");

export interface CreateRow {
  readonly workers: number;
  readonly machines: number;
  readonly deploySeconds: number;
  readonly floorSeconds: number;
  readonly ratio: number;
  /** Starts per machine in the emulator's event log, fewest and most. */
  readonly starts: readonly [number, number];
  readonly phases: Phase[];
  /** `./k3s.sh -c` again with nothing to do. */
  readonly noopSeconds: number;
  readonly noopPhases: Phase[];
  /** `tofu plan -refresh-only` of the same stack. */
  readonly refreshOnlySeconds: number;
  readonly destroySeconds: number;
}

/** Seconds a refresh-only plan of the cluster's stack takes (its init done by ./k3s.sh -c). */
async function refreshOnlyPlan(fly: LocalFly, cluster: string): Promise<number> {
  const tools = toolchain();
  const dir = path.join(ROOT, "cdktf.out", "stacks", stackName(cluster));
  const env = {
    ...fly.env,
    ...tools.env,
    FLY_API_URL: fly.emu.url,
    FLY_API_TOKEN: fly.emu.token,
    FLY_K3S_TARGET: "local",
  };
  const t0 = Date.now();
  const r = await run(
    tools.binary,
    [`-chdir=${dir}`, "plan", "-refresh-only", "-input=false", "-no-color"],
    { env },
  );
  if (r.status !== 0) throw new Error(`refresh-only plan of ${cluster} failed:\n${r.stderr}`);
  return (Date.now() - t0) / 1000;
}

/** Fewest and most starts of a machine of the cluster, from the emulator's event log. */
async function startCounts(fly: LocalFly, apps: string[]): Promise<[number, number]> {
  const counts: number[] = [];
  for (const app of apps) {
    const ms = await fly.api.request<{ events?: { type: string }[] }[]>(
      "GET",
      `/apps/${app}/machines`,
    );
    for (const m of ms) counts.push((m.events ?? []).filter((e) => e.type === "start").length);
  }
  return [Math.min(...counts), Math.max(...counts)];
}

function mustSucceed(what: string, r: RunResult): void {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== "create"),
    options: { workers: { type: "string", default: "6,12,30" } },
  });
  const sizes = (values.workers as string).split(",").map(Number);
  const fly = await startLocalFly(FLY_LIKE_SETTINGS);
  const rows: CreateRow[] = [];
  try {
    for (const n of sizes) {
      const cluster = scratchCluster(`bench-create-${n}`, n);
      try {
        const shape = {
          org: "personal",
          region: "sjc",
          image: EMULATOR_TEST_IMAGE,
          volumeName: "floor_data",
          apps: [
            {
              app: `floor-${n}-cp`,
              machines: [0, 1, 2].map(controlPlaneMachineName),
            },
            {
              app: `floor-${n}-ng-0`,
              machines: Array.from({ length: n }, (_, i) => workerMachineName("0", i)),
            },
          ],
        };
        process.stderr.write(`bench create: 3 + ${n}: floor\n`);
        const floorSeconds = await createFloor(fly.api, shape);
        await removeFloor(fly.api, shape);
        process.stderr.write(`bench create: 3 + ${n}: ./k3s.sh -c ${cluster.dir}\n`);
        const deploy = await k3s(fly, ["-c", cluster.dir]);
        mustSucceed(`deploy of 3 + ${n}`, deploy);
        const a = await audit(fly, cluster.name);
        if (a.orphans.length || a.duplicates.length || a.notStarted.length) {
          throw new Error(`deploy of 3 + ${n} left: ${JSON.stringify(a)}`);
        }
        const apps = [controlPlaneAppName(cluster.name), nodeGroupAppName(cluster.name, "0")];
        const starts = await startCounts(fly, apps);
        const logFile = path.join(os.tmpdir(), `fly-k3s-bench-create-${n}.log`);
        fs.writeFileSync(logFile, `${deploy.stderr}\n${deploy.stdout}`);
        const created = phases(deploy.lines, deploy.seconds);
        process.stderr.write(
          `  deploy ${deploy.seconds.toFixed(1)} s, floor ${floorSeconds.toFixed(1)} s, ratio ` +
            `${(deploy.seconds / floorSeconds).toFixed(2)}; starts per machine ${starts.join("-")}\n` +
            `  ${phaseLine(created)} (output: ${logFile})\n`,
        );
        // The audit's lists above took tokens from the apps' buckets: let them
        // refill (3 s: Fly's bursts of 3 at 1/s), so the re-deploy pays none.
        await sleep(3000);
        process.stderr.write(`bench create: 3 + ${n}: ./k3s.sh -c again (nothing to do)\n`);
        const noop = await k3s(fly, ["-c", cluster.dir]);
        mustSucceed(`re-deploy of 3 + ${n}`, noop);
        fs.writeFileSync(logFile.replace(/\.log$/, "-noop.log"), `${noop.stderr}\n${noop.stdout}`);
        const refreshOnlySeconds = await refreshOnlyPlan(fly, cluster.name);
        const noopPhases = phases(noop.lines, noop.seconds);
        process.stderr.write(
          `  no-op ${noop.seconds.toFixed(1)} s, refresh-only plan ${refreshOnlySeconds.toFixed(1)} s\n` +
            `  ${phaseLine(noopPhases)}\n`,
        );
        const destroy = await k3s(fly, ["-d", "--yes", cluster.dir]);
        mustSucceed(`destroy of 3 + ${n}`, destroy);
        rows.push({
          workers: n,
          machines: 3 + n,
          deploySeconds: deploy.seconds,
          floorSeconds,
          ratio: deploy.seconds / floorSeconds,
          starts,
          phases: created,
          noopSeconds: noop.seconds,
          noopPhases,
          refreshOnlySeconds,
          destroySeconds: destroy.seconds,
        });
      } finally {
        cluster.remove();
      }
    }
  } finally {
    await fly.close();
  }
  const text = table(
    ["cluster", "machines", "deploy s", "floor s", "ratio", "starts", "destroy s"],
    rows.map((r) => [
      `3 + ${r.workers}`,
      r.machines,
      r.deploySeconds.toFixed(1),
      r.floorSeconds.toFixed(1),
      r.ratio.toFixed(2),
      r.starts[0] === r.starts[1] ? `${r.starts[0]} each` : `${r.starts[0]}-${r.starts[1]}`,
      r.destroySeconds.toFixed(1),
    ]),
  );
  const noops = table(
    ["cluster", "no-op ./k3s.sh -c s", "refresh-only plan s", "ratio"],
    rows.map((r) => [
      `3 + ${r.workers}`,
      r.noopSeconds.toFixed(1),
      r.refreshOnlySeconds.toFixed(1),
      (r.noopSeconds / r.refreshOnlySeconds).toFixed(2),
    ]),
  );
  const where = table(
    ["cluster", "run", "seconds by phase"],
    rows.flatMap((r) => [
      [`3 + ${r.workers}`, "create", phaseLine(r.phases)],
      [`3 + ${r.workers}`, "no-op", phaseLine(r.noopPhases)],
    ]),
  );
  console.log(`${text}\n\n${noops}\n\n${where}`);
  fs.mkdirSync(RESULTS, { recursive: true });
  const settings = JSON.stringify(FLY_LIKE_SETTINGS);
  fs.writeFileSync(
    path.join(RESULTS, "create.md"),
    `# npm run bench -- create\n\nLocal Fly settings: \`${settings}\`; apps ${controlPlaneAppName("<cluster>")} and ${nodeGroupAppName("<cluster>", "0")}; node image: the emulator's test image. ` +
      `Floor: the unavoidable API calls alone, as parallel as Fly's buckets allow (bench/floor.ts); starts: per machine, from the emulator's event log.\n\n${text}\n\n` +
      `An unchanged re-deploy against a refresh-only plan of the same stack, in the same run:\n\n${noops}\n\n` +
      `Where the time went (bench/phases.ts):\n\n${where}\n\n![scaling](create.svg)\n`,
  );
  fs.writeFileSync(path.join(RESULTS, "create.json"), `${JSON.stringify(rows, null, 2)}\n`);
  fs.writeFileSync(
    path.join(RESULTS, "create.svg"),
    plot({
      title: "Create time vs node-group size (3 servers + N workers)",
      xLabel: "workers",
      yLabel: "seconds",
      series: [
        { name: "./k3s.sh -c", points: rows.map((r) => [r.workers, r.deploySeconds]) },
        { name: "critical-path floor", points: rows.map((r) => [r.workers, r.floorSeconds]) },
      ],
    }),
  );
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
