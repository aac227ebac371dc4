/**
 * runProbe (cli/probe/run.ts) against a stubbed Machines API: the calls it
 * makes and in which order, the machine it asks for, the cache it writes, and
 * that the machine and app are removed after a success, a failure, an abort
 * and a SIGINT, but never an app of another organization.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProbeInterrupted, runProbe } from "../../../cli/probe/run";
import { ProbeAppNameTaken } from "../../../cli/probe/machine";
import { readCachedProbe } from "../../../cli/probe/cache";
import { MachinesApi } from "../../../ops/machines-api";
import { fakeOutput, localConfig } from "./helpers";

interface Stub {
  calls: string[];
  /** Request bodies by method and path, in order. */
  bodies: Record<string, unknown[]>;
  api: MachinesApi;
  /** Settles the wait request (held when `holdWait`). */
  release(): void;
}

function stubApi(opts: { appTaken?: string; holdWait?: boolean; onWait?: () => void } = {}): Stub {
  const calls: string[] = [];
  const bodies: Record<string, unknown[]> = {};
  let release = () => {};
  let appCreates = 0;
  const json = (status: number, body: unknown) =>
    new Response(body === undefined ? "" : JSON.stringify(body), { status });
  const fetchFn = async (url: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(url));
    const key = `${init?.method} ${u.pathname}${u.search}`;
    calls.push(key);
    if (init?.body) (bodies[key] ??= []).push(JSON.parse(String(init.body)));
    const p = u.pathname;
    if (init?.method === "POST" && p === "/apps") {
      appCreates++;
      return opts.appTaken && appCreates === 1
        ? json(422, { error: 'app name "local-probe" is already taken' })
        : json(201, { id: "app1" });
    }
    if (init?.method === "GET" && p === "/apps/local-probe")
      return json(200, { organization: { slug: opts.appTaken } });
    if (init?.method === "POST" && p === "/apps/local-probe/machines")
      return json(200, { id: "0123456789abcd", state: "created" });
    if (p.endsWith("/wait")) {
      opts.onWait?.();
      if (opts.holdWait) await new Promise<void>((r) => (release = r));
      return json(200, { ok: true });
    }
    if (p.endsWith("/exec")) {
      const body = JSON.parse(String(init?.body)) as { command: string[] };
      return body.command[1] === "-s"
        ? json(200, { exit_code: 0, stdout: fakeOutput(), stderr: "" })
        : json(200, { exit_code: 0, stdout: `<a b><it's "q">`, stderr: "" });
    }
    if (init?.method === "DELETE")
      return json(p.startsWith("/apps/local-probe/") ? 200 : 202, undefined);
    return json(404, { error: `no route ${key}` });
  };
  const api = new MachinesApi({
    baseUrl: "http://fly.invalid",
    token: "t",
    fetch: fetchFn as typeof fetch,
    retryDelayMs: 1,
  });
  return { calls, bodies, api, release: () => release() };
}

const REMOVED = [
  "DELETE /apps/local-probe/machines/0123456789abcd?force=true",
  "DELETE /apps/local-probe",
];

describe("runProbe", () => {
  let cacheDir: string;
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  beforeEach(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-probe-run-"));
    lines.length = 0;
  });
  afterEach(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it("creates, checks, caches, then destroys the machine and the app", async () => {
    const s = stubApi();
    const r = await runProbe({
      config: localConfig(),
      api: s.api,
      log,
      json: false,
      cacheDir,
      target: "local",
    });
    expect(s.calls.map((c) => c.replace(/\?.*/, ""))).toEqual([
      "POST /apps",
      "POST /apps/local-probe/machines",
      "GET /apps/local-probe/machines/0123456789abcd/wait",
      "POST /apps/local-probe/machines/0123456789abcd/exec",
      "POST /apps/local-probe/machines/0123456789abcd/exec",
      ...REMOVED.map((c) => c.replace(/\?.*/, "")),
    ]);
    expect(s.bodies["POST /apps"]).toEqual([{ app_name: "local-probe", org_slug: "personal" }]);
    expect(s.bodies["POST /apps/local-probe/machines"]).toEqual([
      {
        region: "sjc",
        config: {
          image: "localhost/fly-emulator-test:latest",
          guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256 },
          auto_destroy: true,
          restart: { policy: "no" },
          init: {
            entrypoint: ["/bin/sh", "-c"],
            cmd: ["trap 'exit 0' INT TERM; while :; do sleep 1 & wait $!; done"],
          },
        },
      },
    ]);
    const [checks, quoting] = s.bodies["POST /apps/local-probe/machines/0123456789abcd/exec"] as {
      command: string[];
      stdin?: string;
      timeout: number;
    }[];
    expect(checks.command).toEqual(["sh", "-s", "--", "local-cp.internal", "local-probe.internal"]);
    expect(checks.stdin).toMatch(
      /^probe_options='CONFIG_NAMESPACES CONFIG_NET_NS .*'\n#!\/bin\/sh\n/,
    );
    expect(checks.timeout).toBe(60);
    expect(quoting.command).toEqual(["sh", "-c", `printf '<%s>' "$@"`, "x", "a b", `it's "q"`]);
    expect(quoting.stdin).toBeUndefined();
    expect(r.refusals).toEqual([]);
    expect(r.capabilities.find((c) => c.name === "pod network")?.detail).toBe("vxlan: ok");
    expect(readCachedProbe(r.cacheFile as string)).toEqual(r.record);
    expect(lines.slice(-2)).toEqual([
      "probe machine 0123456789abcd destroyed",
      "probe app local-probe deleted",
    ]);
  });

  it("removes the machine and the app when aborted while waiting for the start", async () => {
    const stop = new AbortController();
    const s = stubApi({ holdWait: true, onWait: () => stop.abort("test") });
    await expect(
      runProbe({
        config: localConfig(),
        api: s.api,
        log,
        json: false,
        cacheDir,
        signal: stop.signal,
      }),
    ).rejects.toThrow(new ProbeInterrupted("test"));
    s.release();
    expect(s.calls.filter((c) => c.startsWith("DELETE"))).toEqual(REMOVED);
    expect(s.calls.some((c) => c.endsWith("/exec"))).toBe(false);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });

  it("removes them on SIGINT and then stops listening for it", async () => {
    const before = process.listenerCount("SIGINT");
    const s = stubApi({ holdWait: true, onWait: () => process.emit("SIGINT", "SIGINT") });
    await expect(
      runProbe({ config: localConfig(), api: s.api, log, json: false, cacheDir }),
    ).rejects.toThrow("probe interrupted (SIGINT); its machine and app were removed");
    s.release();
    expect(s.calls.filter((c) => c.startsWith("DELETE"))).toEqual(REMOVED);
    expect(lines).toContain("SIGINT: stopping the probe; removing its machine and app");
    expect(process.listenerCount("SIGINT")).toBe(before);
  });

  it("deletes a probe app an earlier probe of the same org left, then goes on", async () => {
    const s = stubApi({ appTaken: "personal" });
    await runProbe({ config: localConfig(), api: s.api, log, json: false, cacheDir });
    expect(s.calls.slice(0, 4)).toEqual([
      "POST /apps",
      "GET /apps/local-probe",
      "DELETE /apps/local-probe",
      "POST /apps",
    ]);
    expect(lines).toContain("app local-probe is left from an earlier probe: deleting it first");
  });

  it("never deletes an app of another organization", async () => {
    const s = stubApi({ appTaken: "acme" });
    await expect(
      runProbe({ config: localConfig(), api: s.api, log, json: false, cacheDir }),
    ).rejects.toThrow(new ProbeAppNameTaken("local-probe", "personal", "acme"));
    expect(s.calls).toEqual(["POST /apps", "GET /apps/local-probe"]);
  });
});
