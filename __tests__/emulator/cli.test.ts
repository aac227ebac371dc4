/** `npm run emulator`: prints the API URL and token, serves, stops on SIGINT; --reset-only. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { endpointFromLog } from "../../contract/emulator-endpoint";
import { emulatorAdmin } from "../../emulator";
import { describePodman } from "./helpers";

jest.setTimeout(120_000);

const ROOT = join(__dirname, "../..");
const CLI = ["-r", "ts-node/register/transpile-only", join(ROOT, "emulator/cli.ts")];

describePodman("emulator CLI", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "fly-emu-cli-"));
  afterAll(() => {
    spawnSync("node", [...CLI, "--reset-only", "--state-dir", stateDir], { cwd: ROOT });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("runs in the foreground, prints FLY_API_URL and FLY_API_TOKEN, keeps the token", async () => {
    const run = async (args: string[]): Promise<{ url: string; token: string }> => {
      const child = spawn("node", [...CLI, "--port", "0", "--state-dir", stateDir, ...args], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      const env = await new Promise<{ url: string; token: string }>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const ep = endpointFromLog(out);
          if (ep) resolve(ep);
        });
        void exited.then((code) => reject(new Error(`cli exited ${code}: ${out}${err}`)));
      });
      expect(env.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const ok = await fetch(`${env.url}/apps`, {
        headers: { Authorization: `Bearer ${env.token}` },
      });
      expect(ok.status).toBe(200);
      expect((await fetch(`${env.url}/apps`)).status).toBe(401);
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      return env;
    };
    const first = await run(["--token", "cli-token"]);
    expect(first.token).toBe("cli-token");
    const second = await run([]);
    expect(second.token).toBe("cli-token");
  });

  it("turns the limit and fault flags into settings (read back from /__emulator/settings)", async () => {
    const child = spawn(
      "node",
      [
        ...CLI,
        ...["--port", "0", "--state-dir", stateDir, "--no-rate-limit", "--retry-after"],
        ...["--latency-ms", "20", "--fault-rate", "0.25", "--zones", "100"],
        ...["--burst429-every-ms", "60000", "--burst429-duration-ms", "1000"],
        ...["--pending-destroy-ms", "5000", "--pending-destroy-frees-zone"],
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    let out = "";
    const env = await new Promise<{ url: string; token: string }>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const ep = endpointFromLog(out);
        if (ep) resolve(ep);
      });
      void exited.then((code) => reject(new Error(`cli exited ${code}: ${out}`)));
    });
    try {
      const settings = await emulatorAdmin(env.url, env.token).settings();
      expect(settings).toMatchObject({
        rateLimit: false,
        retryAfter: true,
        faultRate: 0.25,
        latency: { medianMs: 20, p99Ms: 80 },
        zonesPerRegion: 100,
        burst429: { everyMs: 60000, durationMs: 1000 },
        pendingDestroyMs: 5000,
        pendingDestroyHoldsZone: false,
      });
    } finally {
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    }
  });

  it.each<[string[], RegExp]>([
    [["--latency-p99-ms", "100"], /--latency-p99-ms needs --latency-ms/],
    [["--latency-ms", "100", "--latency-p99-ms", "50"], /--latency-p99-ms: must be at least/],
    [["--fly-latency", "--latency-ms", "5"], /--fly-latency: give it or/],
    [["--burst429-every-ms", "1000"], /--burst429-every-ms and --burst429-duration-ms go together/],
  ])("rejects %j", (args, message) => {
    const r = spawnSync("node", [...CLI, ...args, "--state-dir", stateDir], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it("lists every limit and fault flag in --help", () => {
    const r = spawnSync("node", [...CLI, "--help"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(0);
    for (const flag of [
      "--no-rate-limit",
      "--retry-after",
      "--fault-rate",
      "--latency-ms",
      "--latency-p99-ms",
      "--fly-latency",
      "--burst429-every-ms",
      "--burst429-duration-ms",
      "--pending-destroy-ms",
      "--pending-destroy-frees-zone",
      "--zones",
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it("rejects bad options with a usage message", () => {
    const r = spawnSync("node", [...CLI, "--fault-rate", "2", "--state-dir", stateDir], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--fault-rate: expected a number from 0 to 1, got "2"/);
    expect(r.stderr).toMatch(/usage: npm run emulator/);
  });
});
