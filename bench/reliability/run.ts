/**
 * `npm run test:reliability`: does a re-run converge? Scenarios against the
 * local Fly (real OpenTofu, real providers, real containers, the emulator's
 * test image), each bounded in time and cleaning up after itself, then a
 * summary table (scenario, runs, converged, orphans found, time). Exit 1 when
 * any run failed to converge or left an orphan.
 *
 *   npm run test:reliability [-- --only thirty-workers,kill-rerun,faults,lost] [--runs 20]
 *
 * thirty-workers  a node group of 30 under Fly's rate limits: first the plain
 *                 provider (tofu apply, no pacing), then ./k3s.sh -c once
 * kill-rerun      ./k3s.sh -c SIGKILLed at a random moment, then re-run (×runs)
 * faults          10 % of requests 5xx plus 429 bursts: ./k3s.sh -c converges
 * lost            a machine gone with its host, a volume lost, a machine back
 *                 with a new 6PN address: -c / --drift find and repair them
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ROOT } from "../../cli/toolchain";
import { FLY_LIKE_SETTINGS, emulatorAdmin } from "../../emulator";
import { controlPlaneAppName } from "../../config/naming";
import {
  Audit,
  RunResult,
  audit,
  k3s,
  readState,
  scratchCluster,
  startLocalFly,
  stateFile,
  table,
} from "../harness";
import { plainApply } from "./plain-apply";
import { errorBlocks } from "./report";

interface Outcome {
  readonly scenario: string;
  runs: number;
  converged: number;
  orphans: number;
  readonly notes: string[];
  seconds: number;
}

const log = (line: string) => process.stderr.write(`reliability: ${line}\n`);

/** Fails with the run's errors and last lines when ./k3s.sh did not exit 0. */
function ok(what: string, r: RunResult): RunResult {
  if (r.code !== 0) {
    const errors = errorBlocks(r.stdout + r.stderr).join("\n");
    throw new Error(
      `${what} exited ${r.code ?? r.signal}:\n${errors}\n${r.stderr.split("\n").slice(-12).join("\n")}`,
    );
  }
  return r;
}

/** Counts a converged run when the audit is clean; records what it found otherwise. */
function check(o: Outcome, a: Audit, label: string): boolean {
  o.runs += 1;
  o.orphans += a.orphans.length;
  const bad = [...a.orphans, ...a.duplicates.map((d) => `duplicate ${d}`), ...a.notStarted];
  if (bad.length === 0) {
    o.converged += 1;
    return true;
  }
  o.notes.push(`${label}: ${bad.join("; ")}`);
  return false;
}

async function scenario(
  name: string,
  fn: (o: Outcome) => Promise<void>,
  outcomes: Outcome[],
): Promise<void> {
  const o: Outcome = { scenario: name, runs: 0, converged: 0, orphans: 0, notes: [], seconds: 0 };
  const t0 = Date.now();
  log(`--- ${name}`);
  try {
    await fn(o);
  } catch (e) {
    // The run that threw did not converge: count it.
    o.runs += 1;
    o.notes.push(`failed: ${(e as Error).message}`);
  }
  o.seconds = (Date.now() - t0) / 1000;
  outcomes.push(o);
  for (const n of o.notes) log(`${name}: ${n}`);
}

/** A node group of 30: the plain provider first, then one ./k3s.sh -c. */
async function thirtyWorkers(o: Outcome): Promise<void> {
  const fly = await startLocalFly(FLY_LIKE_SETTINGS);
  const cluster = scratchCluster("rel-thirty", 30);
  try {
    log("plain provider: tofu apply of 3 + 30 under the rate limits, no pacing");
    const plain = await plainApply(fly, cluster);
    o.notes.push(`plain provider: ${plain.summary}`);
    await plain.cleanup();
    log("./k3s.sh -c of 3 + 30");
    const r = ok("./k3s.sh -c", await k3s(fly, ["-c", cluster.dir]));
    const a = await audit(fly, cluster.name);
    if (check(o, a, "3 + 30")) {
      o.notes.push(
        `./k3s.sh -c: exit 0 in ${r.seconds.toFixed(0)} s, ${a.machines} machines started, ${a.volumes} volumes`,
      );
    }
    ok("destroy", await k3s(fly, ["-d", "--yes", cluster.dir]));
  } finally {
    cluster.remove();
    await fly.close();
  }
}

/**
 * ./k3s.sh -c killed at a random moment, then re-run; every run audited. Odd
 * runs deploy a fresh cluster, even runs a change that rolls every machine
 * (WORKER_VM_MEMORY and CP_VM_MEMORY flipped), so kills land in creates, in
 * rolls under leases and in the refreshes around them. The kill comes at a
 * uniform moment within the last uninterrupted run of the same kind.
 */
async function killRerun(o: Outcome, runs: number): Promise<void> {
  const fly = await startLocalFly(FLY_LIKE_SETTINGS);
  const cluster = scratchCluster("rel-kill", 2);
  const configFile = path.join(ROOT, cluster.dir, "config");
  const flipMemory = () => {
    const text = fs.readFileSync(configFile, "utf8");
    const next = /^WORKER_VM_MEMORY=2048$/m.test(text) ? "1024" : "2048";
    fs.writeFileSync(
      configFile,
      text
        .replace(/^WORKER_VM_MEMORY=.*$/m, `WORKER_VM_MEMORY=${next}`)
        .replace(/^CP_VM_MEMORY=.*$/m, `CP_VM_MEMORY=${next}`),
    );
  };
  const lastFull = { fresh: 40_000, change: 20_000 };
  try {
    for (let i = 1; i <= runs; i++) {
      const kind = i % 2 === 1 ? "fresh" : "change";
      if (kind === "fresh" && readState(stateFile(fly, cluster.name))) {
        ok("destroy", await k3s(fly, ["-d", "--yes", cluster.dir]));
      }
      if (kind === "change") flipMemory();
      const killAfterMs = 1_000 + Math.floor(Math.random() * (lastFull[kind] - 1_000));
      const killed = await k3s(fly, ["-c", cluster.dir], { killAfterMs });
      if (killed.signal === null && killed.code === 0) lastFull[kind] = killed.seconds * 1000;
      readState(stateFile(fly, cluster.name)); // throws when corrupt
      const rerun = await k3s(fly, ["-c", cluster.dir]);
      const label = `run ${i} (${kind}, killed after ${(killAfterMs / 1000).toFixed(1)} s: ${killed.signal ?? `ended first, exit ${killed.code}`})`;
      if (rerun.code !== 0) {
        o.runs += 1;
        o.notes.push(
          `${label}: re-run exited ${rerun.code}: ${errorBlocks(rerun.stdout + rerun.stderr, 1).join(" ")}`,
        );
        continue;
      }
      const a = await audit(fly, cluster.name);
      check(o, a, label);
      log(
        `${label}: re-run ${rerun.seconds.toFixed(0)} s, orphans ${a.orphans.length}, duplicates ${a.duplicates.length}`,
      );
    }
    ok("destroy", await k3s(fly, ["-d", "--yes", cluster.dir]));
  } finally {
    cluster.remove();
    await fly.close();
  }
}

/** 10 % of requests answered 5xx and 429 bursts: one ./k3s.sh -c converges. */
async function faults(o: Outcome): Promise<void> {
  const fly = await startLocalFly({
    ...FLY_LIKE_SETTINGS,
    faultRate: 0.1,
    burst429: { everyMs: 20_000, durationMs: 3_000 },
  });
  const cluster = scratchCluster("rel-faults", 6);
  const admin = emulatorAdmin(fly.emu.url, fly.emu.token);
  try {
    const r = ok("./k3s.sh -c", await k3s(fly, ["-c", cluster.dir]));
    const stats = await admin.stats();
    if (check(o, await audit(fly, cluster.name), "3 + 6 with faults")) {
      o.notes.push(
        `exit 0 in ${r.seconds.toFixed(0)} s through ${JSON.stringify(stats.totals ?? stats)}`,
      );
    }
    await admin.set({ faultRate: 0, burst429: { everyMs: 0, durationMs: 0 } });
    ok("destroy", await k3s(fly, ["-d", "--yes", cluster.dir]));
  } finally {
    cluster.remove();
    await fly.close();
  }
}

/** Lost machine, lost volume, renumbered machine: found, repaired, or said plainly. */
async function lost(o: Outcome): Promise<void> {
  const fly = await startLocalFly(FLY_LIKE_SETTINGS);
  const cluster = scratchCluster("rel-lost", 2);
  const admin = emulatorAdmin(fly.emu.url, fly.emu.token);
  const cp = controlPlaneAppName(cluster.name);
  const machine = async (name: string) => {
    const ms = await fly.api.request<{ id: string; name: string; private_ip: string }[]>(
      "GET",
      `/apps/${cp}/machines`,
    );
    const m = ms.find((x) => x.name === name);
    if (!m) throw new Error(`no machine ${name} in ${cp}`);
    return m;
  };
  const step = async (label: string, expectInDrift: RegExp, expectInDeploy: RegExp) => {
    const drift = await k3s(fly, ["--drift", cluster.dir]);
    const found = drift.code === 2 && expectInDrift.test(drift.stdout + drift.stderr);
    const deploy = await k3s(fly, ["-c", cluster.dir]);
    const said = (deploy.stdout + deploy.stderr).split("\n").find((l) => expectInDeploy.test(l));
    const clean = await k3s(fly, ["--drift", cluster.dir]);
    const a = await audit(fly, cluster.name);
    const problems = [
      ...(found ? [] : [`drift did not report it (exit ${drift.code})`]),
      ...(deploy.code === 0 ? [] : [`deploy exited ${deploy.code}`]),
      ...(said ? [] : [`the deploy did not say ${expectInDeploy}`]),
      ...(clean.code === 0 ? [] : [`drift after the deploy exited ${clean.code}`]),
      ...a.orphans,
      ...a.duplicates.map((d) => `duplicate ${d}`),
      ...a.notStarted,
    ];
    o.runs += 1;
    o.orphans += a.orphans.length;
    if (problems.length === 0) {
      o.converged += 1;
      o.notes.push(`${label}: ${said?.trim()}`);
    } else {
      o.notes.push(`${label}: ${problems.join("; ")}`);
    }
  };
  try {
    ok("./k3s.sh -c", await k3s(fly, ["-c", cluster.dir]));

    await admin.loseHost(cp, (await machine("ctrl-1")).id, false);
    await step("machine ctrl-1 lost with its host", /ctrl-1/, /machine ctrl-1 .*is gone from Fly/);

    const ctrl2 = await machine("ctrl-2");
    const vols = await fly.api.request<{ id: string; attached_machine_id: string | null }[]>(
      "GET",
      `/apps/${cp}/volumes`,
    );
    const vol = vols.find((v) => v.attached_machine_id === ctrl2.id);
    if (!vol) throw new Error("no volume attached to ctrl-2");
    await admin.loseVolume(cp, vol.id);
    await step("volume of ctrl-2 lost", /volume|ctrl-2/, /data is lost/);

    const before = (await machine("ctrl-0")).private_ip;
    await admin.loseHost(cp, (await machine("ctrl-0")).id, true);
    const after = (await machine("ctrl-0")).private_ip;
    o.notes.push(`ctrl-0 renumbered ${before} -> ${after}`);
    await step("machine ctrl-0 back with a new 6PN address", /private_ip/, /6PN|address/);

    ok("destroy", await k3s(fly, ["-d", "--yes", cluster.dir]));
  } finally {
    cluster.remove();
    await fly.close();
  }
}

const USAGE = `usage: npm run test:reliability [-- --only SCENARIOS] [--runs N]

  --only   comma-separated scenarios (default: all of them):
             thirty-workers  a node group of 30 under Fly's rate limits: the plain provider, then ./k3s.sh -c
             kill-rerun      ./k3s.sh -c SIGKILLed at a random moment, then re-run (--runs times)
             faults          10 % of requests 5xx plus 429 bursts: ./k3s.sh -c converges
             lost            a machine gone with its host, a volume lost, a machine renumbered
  --runs   kill-rerun's runs (default 20): odd runs create, even runs roll every machine

Exit 1 when a run did not converge or left an orphan.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: "string", default: "thirty-workers,kill-rerun,faults,lost" },
      runs: { type: "string", default: "20" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const only = new Set((values.only as string).split(","));
  const runs = Number(values.runs);
  const outcomes: Outcome[] = [];
  if (only.has("thirty-workers")) await scenario("thirty-workers", thirtyWorkers, outcomes);
  if (only.has("kill-rerun")) await scenario("kill-rerun", (o) => killRerun(o, runs), outcomes);
  if (only.has("faults")) await scenario("faults", faults, outcomes);
  if (only.has("lost")) await scenario("lost", lost, outcomes);

  console.log(
    table(
      ["scenario", "runs", "converged", "orphans found", "time"],
      outcomes.map((o) => [
        o.scenario,
        o.runs,
        o.converged,
        o.orphans,
        `${o.seconds.toFixed(0)} s`,
      ]),
    ),
  );
  for (const o of outcomes) for (const n of o.notes) console.log(`- ${o.scenario}: ${n}`);
  const failed = outcomes.some(
    (o) =>
      o.runs === 0 ||
      o.converged !== o.runs ||
      o.orphans > 0 ||
      o.notes.some((n) => n.startsWith("failed")),
  );
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exitCode = 1;
});
