/**
 * `./k3s.sh --probe` against the local Fly (cli/probe/run.ts): the probe
 * machine is a real container of the emulator's test image (busybox) on this
 * machine's kernel, so the report is this kernel's. It has no
 * CONFIG_WIREGUARD: WireGuard is reported missing, and the backend decision
 * follows FLANNEL_BACKEND. Nothing is left afterwards: no probe app, machine,
 * container or volume, also when the probe is aborted in the middle or its
 * process gets SIGINT.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { probeAppName } from "../../config/naming";
import { probeResult, runProbe } from "../../cli/probe/run";
import { MachinesApi } from "../../ops/machines-api";
import { localConfig } from "../cli/probe/helpers";
import { LocalFly, startLocalFly } from "./local-fly";

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, "..", "..");
const APP = probeAppName("local");

describe("the probe on the local Fly", () => {
  let fly: LocalFly;
  let api: MachinesApi;
  let cacheDir: string;

  beforeAll(async () => {
    fly = await startLocalFly("probe-test-token");
    api = new MachinesApi({ baseUrl: fly.emu.url, token: fly.emu.token, retryDelayMs: 200 });
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-probe-cache-"));
  });

  afterAll(async () => {
    await fly?.stop();
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  /** The probe app, its machines and this emulator's containers and volumes, as they are now. */
  async function left() {
    const { apps, containers, volumes } = await fly.leftovers();
    const machines = await api.listMachines(APP).catch(() => []);
    return {
      apps: (apps as { name: string }[]).map((a) => a.name),
      machines: machines.map((m) => `${m.id} ${m.state}`),
      containers,
      volumes,
    };
  }
  const NOTHING = { apps: [], machines: [], containers: [], volumes: [] };

  it("reports this machine's kernel: no WireGuard, so vxlan, and leaves nothing", async () => {
    const lines: string[] = [];
    const r = await runProbe({
      config: localConfig(),
      api,
      log: (l) => lines.push(l),
      json: false,
      cacheDir,
      target: "local",
    });
    const by = (name: string) => r.capabilities.find((c) => c.name === name);
    expect(r.record.facts.script.kernelRelease).toBe(os.release());
    expect(by("wireguard device")).toMatchObject({ result: "missing" });
    expect(by("CONFIG_WIREGUARD")).toMatchObject({ result: "missing", detail: "not set" });
    expect(by("pod network")).toMatchObject({
      result: "ok",
      detail: "vxlan: ok",
      node: "IPv6 pod traffic across nodes over 6PN, IPv4 within a node (and egress)",
    });
    expect(by("6PN address")?.result).toBe("ok");
    expect(by("DNS AAAA local-probe.internal")?.result).toBe("ok");
    expect(by("exec arguments")?.result).toBe("ok");
    expect(r.refusals).toEqual([]);

    // The same facts with FLANNEL_BACKEND=wireguard: the node would refuse to start.
    const wg = probeResult(r.record, localConfig({ FLANNEL_BACKEND: "wireguard" }));
    expect(wg.capabilities.find((c) => c.name === "pod network")).toMatchObject({
      result: "missing",
      detail: "wireguard: missing",
    });
    expect(wg.refusals[0]).toMatch(/^pod network: wireguard: missing: .*set FLANNEL_BACKEND=vxlan/);

    expect(lines.slice(-2)).toEqual([
      expect.stringMatching(/^probe machine [0-9a-f]{14} destroyed$/),
      `probe app ${APP} deleted`,
    ]);
    expect(await left()).toEqual(NOTHING);
    expect(fs.existsSync(r.cacheFile as string)).toBe(true);
  });

  it("leaves nothing when aborted in the middle", async () => {
    // The checks are held until the test has looked, so the abort lands mid-probe.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const slow = new MachinesApi({ baseUrl: fly.emu.url, token: fly.emu.token });
    const exec = slow.exec.bind(slow);
    slow.exec = async (...args) => {
      await held;
      return exec(...args);
    };
    const stop = new AbortController();
    let before: Awaited<ReturnType<typeof left>> | undefined;
    const log = (l: string) => {
      if (/running the checks$/.test(l)) {
        void left().then((seen) => {
          before = seen;
          stop.abort("aborted by the test");
        });
      }
    };
    await expect(
      runProbe({
        config: localConfig(),
        api: slow,
        log,
        json: false,
        cacheDir,
        signal: stop.signal,
      }),
    ).rejects.toThrow("probe interrupted (aborted by the test); its machine and app were removed");
    release();
    expect(before?.apps).toEqual([APP]);
    expect(before?.machines).toEqual([expect.stringMatching(/ started$/)]);
    expect(before?.containers).toHaveLength(1);
    expect(await left()).toEqual(NOTHING);
  });

  it("leaves nothing when its process gets SIGINT", async () => {
    const child = spawn(
      process.execPath,
      [
        "-r",
        path.join(ROOT, "node_modules/ts-node/register/transpile-only"),
        "-e",
        `
        const { runProbe } = require(${JSON.stringify(path.join(ROOT, "cli/probe/run"))});
        const { localConfig } = require(${JSON.stringify(path.join(ROOT, "__tests__/cli/probe/helpers"))});
        const { MachinesApi } = require(${JSON.stringify(path.join(ROOT, "ops/machines-api"))});
        // The checks wait 60 s, so the SIGINT lands mid-probe.
        class Held extends MachinesApi {
          async exec(...args) { await new Promise((r) => setTimeout(r, 60000)); return super.exec(...args); }
        }
        const api = new Held({ baseUrl: process.env.URL, token: process.env.TOKEN });
        runProbe({ config: localConfig(), api, log: (l) => console.error(l), json: false, cacheDir: process.env.CACHE })
          .then(() => process.exit(0), (e) => { console.error("error: " + e.message); process.exit(130); });
        `,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
          URL: fly.emu.url,
          TOKEN: fly.emu.token,
          CACHE: cacheDir,
        },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    let before: Awaited<ReturnType<typeof left>> | undefined;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (!before && /running the checks/.test(stderr)) {
          before = { ...NOTHING };
          void left().then((seen) => {
            before = seen;
            child.kill("SIGINT");
          });
        }
      });
      child.on("exit", resolve);
    });
    expect(stderr).toContain("SIGINT: stopping the probe; removing its machine and app");
    expect(stderr).toContain("error: probe interrupted (SIGINT); its machine and app were removed");
    expect(code).toBe(130);
    expect(before?.apps).toEqual([APP]);
    expect(before?.containers).toHaveLength(1);
    expect(await left()).toEqual(NOTHING);
  });
});
