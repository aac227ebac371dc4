/**
 * ./k3s.sh (and `npm run cdktf -- deploy`) on the Fly target refuse a config
 * that can never work there before anything is started, written or sent:
 * no toolchain (an empty cache makes reaching it fail loudly), no emulator,
 * no synth, no request. Only a config that passes is asked about at Fly,
 * with one request about ORG_NAME.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";

jest.setTimeout(120_000);

const ROOT = path.join(__dirname, "..");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command from the checkout without blocking this process's event loop (a test server answers in it). */
function runIn(cmd: string, args: string[], env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, env }, (err, stdout, stderr) =>
      resolve({
        code: err ? Number((err as { code?: number }).code ?? 1) : 0,
        stdout,
        stderr,
        ms: Date.now() - started,
      }),
    );
  });
}

/** A Machines API stand-in that records every request and answers with `status` and `body`. */
async function recordingFly(status: number, body: string) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    res.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("the Fly target's preflight, from the command line", () => {
  let work: string;
  let env: Record<string, string>;
  const scratch = `zz-preflight-${process.pid}`;
  const scratchDir = `clusters/${scratch}`;

  const k3s = (args: string[], extra: Record<string, string> = {}) =>
    runIn(path.join(ROOT, "k3s.sh"), args, { ...env, ...extra });

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-preflight-"));
    env = { ...process.env } as Record<string, string>;
    delete env.FLY_K3S_USE_REGISTRY;
    Object.assign(env, {
      FLY_API_TOKEN: "fake",
      // Unreachable: Node's fetch refuses port 9 before connecting.
      FLY_API_URL: "http://[::1]:9",
      // An empty cache: reaching the toolchain fails with "fly-k3s is not set up on this machine yet".
      FLY_K3S_CACHE: path.join(work, "cache"),
      // Where the emulator would keep its log if anything started it.
      FLY_K3S_EMULATOR_DIR: path.join(work, "emulator"),
      FLY_K3S_STATE_DIR: path.join(work, "state"),
    });
    fs.mkdirSync(path.join(ROOT, scratchDir));
    const text = fs
      .readFileSync(path.join(ROOT, "clusters/fly-k3s-poc/config"), "utf8")
      .replace("CLUSTER_NAME=fly-k3s-poc", `CLUSTER_NAME=${scratch}`)
      .replace('ORG_NAME="fly-org-slug-goes-here"', "ORG_NAME=personal");
    fs.writeFileSync(
      path.join(ROOT, scratchDir, "config"),
      `${text}NODE_IMAGE="registry.fly.io/${scratch}-images:v1"\n`,
    );
  });

  afterAll(() => {
    fs.rmSync(path.join(ROOT, scratchDir), { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** Nothing past the preflight ran: no target chosen, no emulator, no toolchain, no synth. */
  const startedNothing = (r: Run) => {
    expect(r.stderr).not.toMatch(
      /target:|emulator at|starting the local Fly|synthesizing|OpenTofu/,
    );
    expect(fs.existsSync(path.join(work, "emulator"))).toBe(false);
  };

  it("-c clusters/fly-k3s-poc: refuses the placeholder org and the unpushed default image, quickly", async () => {
    const r = await k3s(["-c", "clusters/fly-k3s-poc"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "refused before anything was created or sent to Fly.io: clusters/fly-k3s-poc/config cannot work there (FLY_API_TOKEN is set)",
    );
    expect(r.stderr).toContain(
      'clusters/fly-k3s-poc/config:14: ORG_NAME: "fly-org-slug-goes-here" is the example config\'s placeholder',
    );
    expect(r.stderr).toContain(
      'clusters/fly-k3s-poc/config:14: NODE_IMAGE: not set, so the default "fly-k3s/k3s-node:v1.36.3-k3s1" is used',
    );
    expect(r.stderr).toContain("npm run image -- clusters/fly-k3s-poc --push");
    startedNothing(r);
    expect(r.ms).toBeLessThan(30_000); // node + ts-node start-up; nothing waits on the network
  });

  it("-c clusters/local with a token: refuses the emulator's localhost/ image", async () => {
    const r = await k3s(["-c", "clusters/local"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'clusters/local/config:20: NODE_IMAGE: "localhost/fly-emulator-test:latest" is the local Fly emulator\'s test image',
    );
    expect(r.stderr).toContain("unset FLY_API_TOKEN to run this cluster on the local Fly emulator");
    startedNothing(r);
  });

  it("sends no request and writes no file for -c, -a, -p and --drift of a refused config", async () => {
    const fly = await recordingFly(200, '{"total_apps":0,"apps":[]}');
    try {
      const groups = path.join(ROOT, "clusters/fly-k3s-poc/node-groups");
      const hadGroups = fs.existsSync(groups);
      const runs = await Promise.all(
        [["-c"], ["-a", "0"], ["-p"], ["--drift"]].map((a) =>
          k3s([...a, "clusters/fly-k3s-poc"], { FLY_API_URL: fly.url }),
        ),
      );
      for (const r of runs) {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("clusters/fly-k3s-poc/config:14: NODE_IMAGE:");
        startedNothing(r);
      }
      expect(fly.requests).toEqual([]);
      expect(fs.existsSync(groups)).toBe(hadGroups);
    } finally {
      await fly.close();
    }
  });

  it("asks Fly once about a config that passes; a 404 is refused on ORG_NAME's line", async () => {
    const fly = await recordingFly(404, '{"error":"organization not found"}');
    try {
      const r = await k3s(["-c", scratchDir], { FLY_API_URL: fly.url });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `${scratchDir}/config:14: ORG_NAME: Fly knows no organization "personal" that FLY_API_TOKEN can see ` +
          `(GET ${fly.url}/apps?org_slug=personal answered HTTP 404: organization not found)`,
      );
      startedNothing(r);
      expect(fly.requests).toEqual(["GET /v1/apps?org_slug=personal Bearer fake"]);
    } finally {
      await fly.close();
    }
  });

  it("goes on past a known org, to the toolchain check (before the target is chosen)", async () => {
    const fly = await recordingFly(200, '{"total_apps":1,"apps":[{"name":"other"}]}');
    try {
      const r = await k3s(["-c", scratchDir], { FLY_API_URL: fly.url });
      expect(r.stderr).toContain("Fly.io organization personal is there (1 apps)");
      expect(r.stderr).not.toContain("target:");
      expect(r.stderr).toMatch(
        /error: fly-k3s is not set up on this machine yet: run npm run setup/,
      );
      expect(r.code).toBe(1);
      expect(fly.requests).toEqual(["GET /v1/apps?org_slug=personal Bearer fake"]);
    } finally {
      await fly.close();
    }
  });

  it("says so when Fly cannot be asked, without calling the org unknown", async () => {
    const r = await k3s(["-c", scratchDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: could not ask Fly whether organization "personal" (ORG_NAME) exists: GET http://[::1]:9/apps?org_slug=personal failed: fetch failed',
    );
    expect(r.stderr).toContain("this says nothing about ORG_NAME, and nothing was created");
    expect(r.stderr).not.toContain("knows no organization");
    startedNothing(r);
  });

  it("npm run cdktf -- deploy local with a token: refused before the toolchain", async () => {
    const r = await runIn(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "bin/cdktf.ts", "deploy", "local"],
      { ...env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'clusters/local/config:20: NODE_IMAGE: "localhost/fly-emulator-test:latest"',
    );
    expect(r.stderr).toContain(
      "error: refused before anything was created or sent to Fly.io (FLY_API_TOKEN is set): fix the problems above",
    );
    expect(r.stderr).not.toContain("fly-k3s-poc"); // only the named stack
    startedNothing(r);
  });
});
