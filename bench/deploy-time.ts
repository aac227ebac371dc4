/**
 * Benchmark: where the time of a clusters/local deploy and destroy goes,
 * against the local Fly, with the real OpenTofu and providers.
 *
 *   npm run bench -- deploy-time
 *
 * Runs `tofu apply -json` and `tofu destroy -json` on a fresh clusters/local
 * stack and sums, per kind of resource, the time OpenTofu spent on it
 * (apply_start → apply_complete), beside the wall-clock time and two
 * baselines measured in the same run: one `bin/fly-machines` call that does
 * nothing but list (the cost of each provisioner step before any API call),
 * and OpenTofu's own fixed cost (a refresh-only plan of the applied stack).
 */
import { execFile, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resetEmulator, startEmulator } from "../emulator";
import { buildTestImage } from "../emulator/test-image";
import { localStateInitArgs } from "../config/state";
import { toolchain, ROOT } from "../cli/toolchain";

interface Event {
  "@timestamp": string;
  type: string;
  hook?: { resource: { addr: string; resource_type: string }; elapsed_seconds?: number };
}

function kind(addr: string, type: string): string {
  if (type !== "null_resource") return type;
  const m = /_(snapshots-off|roll|join|taint|kubeconfig|bootstrap-ready)_step_/.exec(addr);
  return `null_resource (${m ? m[1] : "step"})`;
}

/** Runs tofu with -json and returns wall time and per-kind busy seconds. Output is not blocked. */
function timedTofu(bin: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ wall: number; byKind: Map<string, { n: number; s: number }> }>(
    (resolve, reject) => {
      const t0 = Date.now();
      const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d));
      child.stderr.on("data", (d: Buffer) => (err += d));
      child.on("close", (code) => {
        if (code !== 0) return reject(new Error(`tofu ${args[1]} failed: ${err || out}`));
        const byKind = new Map<string, { n: number; s: number }>();
        for (const line of out.split("\n")) {
          if (!line.startsWith("{")) continue;
          const e = JSON.parse(line) as Event;
          if (e.type !== "apply_complete" || !e.hook) continue;
          const k = kind(e.hook.resource.addr, e.hook.resource.resource_type);
          const cur = byKind.get(k) ?? { n: 0, s: 0 };
          byKind.set(k, { n: cur.n + 1, s: cur.s + (e.hook.elapsed_seconds ?? 0) });
        }
        resolve({ wall: (Date.now() - t0) / 1000, byKind });
      });
    },
  );
}

/** Seconds a command takes, without blocking the event loop. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { env }, (e) => (e ? reject(e) : resolve((Date.now() - t0) / 1000))),
  );
}

async function main(): Promise<void> {
  const tools = toolchain();
  buildTestImage();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-bench-deploy-"));
  // Plain tofu, no pacer: where the time goes without Fly's limits (bench create has them).
  const emu = await startEmulator({
    port: 0,
    stateDir: path.join(work, "emulator"),
    settings: { rateLimit: false },
  });
  try {
    fs.cpSync(path.join(ROOT, "clusters/local"), path.join(work, "clusters/local"), {
      recursive: true,
    });
    const env = {
      ...process.env,
      ...tools.env,
      FLY_API_URL: emu.url,
      FLY_API_TOKEN: emu.token,
      FLY_K3S_TARGET: "local",
      FLY_K3S_STATE_DIR: path.join(work, "state"),
      CDKTF_OUTDIR: path.join(work, "cdktf.out"),
      NODE_PATH: path.join(ROOT, "node_modules"),
      TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
    };
    execFileSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.join(ROOT, "main.ts")],
      {
        cwd: work,
        env,
      },
    );
    const dir = path.join(work, "cdktf.out/stacks/local");
    const tofu = (...a: string[]) => [`-chdir=${dir}`, ...a];
    execFileSync(tools.binary, tofu("init", "-input=false", ...localStateInitArgs("local", env)), {
      env,
      stdio: "ignore",
    });

    const apply = await timedTofu(
      tools.binary,
      tofu("apply", "-input=false", "-auto-approve", "-json"),
      env,
    );
    // Asynchronous: the emulator runs in this process and must keep answering.
    const opsCall = await timed(
      path.join(ROOT, "bin/fly-machines"),
      ["list", "--app", "local-cp"],
      env,
    );
    const refresh = await timed(tools.binary, tofu("plan", "-refresh-only", "-input=false"), env);
    const destroy = await timedTofu(
      tools.binary,
      tofu("destroy", "-input=false", "-auto-approve", "-json"),
      env,
    );

    const table = (name: string, r: typeof apply) => {
      console.log(`\n${name}: ${r.wall.toFixed(1)} s wall clock`);
      console.log(
        "  kind                               count  busy s  (summed; runs overlap up to -parallelism=10)",
      );
      for (const [k, v] of [...r.byKind].sort((a, b) => b[1].s - a[1].s)) {
        console.log(`  ${k.padEnd(35)}${String(v.n).padStart(5)}${v.s.toFixed(0).padStart(8)}`);
      }
    };
    table("apply of clusters/local (3 servers, test image)", apply);
    table("destroy", destroy);
    console.log(`\nbaselines in the same run:`);
    console.log(
      `  one bin/fly-machines call (ts-node start + one API call): ${opsCall.toFixed(2)} s`,
    );
    console.log(
      `  a refresh-only plan of the whole stack (tofu + providers start, 13 reads): ${refresh.toFixed(2)} s`,
    );
  } finally {
    await emu.close();
    await resetEmulator(path.join(work, "emulator"));
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
