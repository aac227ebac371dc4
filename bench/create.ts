/**
 * Benchmark: the time `./k3s.sh -c` takes to create a cluster of 3 servers and
 * one node group of N workers against the local Fly with Fly-like latencies
 * and rate limits, next to the critical-path floor measured in the same run
 * against the same emulator (bench/floor.ts: only the unavoidable API calls,
 * as early as Fly's buckets allow). Reports both and their ratio for each N,
 * as a table (bench/results/create.md), the numbers (create.json) and a plot
 * of the scaling curve (create.svg).
 *
 *   npm run bench -- create [--workers 6,12,30]
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { EMULATOR_TEST_IMAGE } from "../emulator/test-image";
import { FLY_LIKE_SETTINGS } from "../emulator";
import { controlPlaneAppName, nodeGroupAppName } from "../config/naming";
import { controlPlaneMachineName, workerMachineName } from "../config/naming";
import { createFloor, removeFloor } from "./floor";
import { audit, k3s, scratchCluster, startLocalFly, table } from "./harness";
import { plot } from "./plot";

const RESULTS = path.join(__dirname, "results");

export interface CreateRow {
  readonly workers: number;
  readonly machines: number;
  readonly deploySeconds: number;
  readonly floorSeconds: number;
  readonly ratio: number;
  readonly destroySeconds: number;
}

/** Seconds between two of the CLI's progress lines (`[  12s] ...`), by their text. */
function phases(stderr: string): string {
  const lines = [...stderr.matchAll(/^\[\s*(\d+)s\] (.*)$/gm)].map((m) => ({
    t: Number(m[1]),
    what: m[2],
  }));
  const at = (re: RegExp) => lines.find((l) => re.test(l.what))?.t;
  const apply = at(/^applying/);
  const record = at(/^recording/);
  const end = lines.at(-1)?.t;
  return `before apply ${apply ?? "?"} s, apply ${apply !== undefined && record !== undefined ? record - apply : "?"} s, after ${record !== undefined && end !== undefined ? end - record : "?"} s`;
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
        if (deploy.code !== 0) {
          throw new Error(`deploy of 3 + ${n} failed (exit ${deploy.code}):\n${deploy.stderr}`);
        }
        const a = await audit(fly, cluster.name);
        if (a.orphans.length || a.duplicates.length || a.notStarted.length) {
          throw new Error(`deploy of 3 + ${n} left: ${JSON.stringify(a)}`);
        }
        const logFile = path.join(os.tmpdir(), `fly-k3s-bench-create-${n}.log`);
        fs.writeFileSync(logFile, `${deploy.stderr}\n${deploy.stdout}`);
        process.stderr.write(`  ${phases(deploy.stderr)} (output: ${logFile})\n`);
        const destroy = await k3s(fly, ["-d", "--yes", cluster.dir]);
        if (destroy.code !== 0) throw new Error(`destroy of 3 + ${n} failed:\n${destroy.stderr}`);
        rows.push({
          workers: n,
          machines: 3 + n,
          deploySeconds: deploy.seconds,
          floorSeconds,
          ratio: deploy.seconds / floorSeconds,
          destroySeconds: destroy.seconds,
        });
        process.stderr.write(
          `  deploy ${deploy.seconds.toFixed(1)} s, floor ${floorSeconds.toFixed(1)} s, ratio ${(deploy.seconds / floorSeconds).toFixed(2)}\n`,
        );
      } finally {
        cluster.remove();
      }
    }
  } finally {
    await fly.close();
  }
  const text = table(
    ["cluster", "machines", "deploy s", "floor s", "ratio", "destroy s"],
    rows.map((r) => [
      `3 + ${r.workers}`,
      r.machines,
      r.deploySeconds.toFixed(1),
      r.floorSeconds.toFixed(1),
      r.ratio.toFixed(2),
      r.destroySeconds.toFixed(1),
    ]),
  );
  console.log(text);
  fs.mkdirSync(RESULTS, { recursive: true });
  const settings = JSON.stringify(FLY_LIKE_SETTINGS);
  fs.writeFileSync(
    path.join(RESULTS, "create.md"),
    `# npm run bench -- create\n\nLocal Fly settings: \`${settings}\`; apps ${controlPlaneAppName("<cluster>")} and ${nodeGroupAppName("<cluster>", "0")}; node image: the emulator's test image.\n\n${text}\n\n![scaling](create.svg)\n`,
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
