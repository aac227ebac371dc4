/**
 * The retry policy end to end: a fake Machines API on 127.0.0.1, the real
 * pacer in front of it, and a real MachinesApi client pointed at the pacer
 * the way bin/fly-machines is (FLY_API_URL = the pacer's URL). Delays are
 * shrunk; attempt counts are the real defaults.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { setTimeout as sleep } from "node:timers/promises";
import { FlyPacer, startFlyPacer } from "../../ops/fly-pacer";
import { MachinesApi, MachinesApiError, apiOptionsFromEnv } from "../../ops/machines-api";
import { FLY_RETRY } from "../../ops/retry";

/** The policy with its delays shortened; its attempts as they are. */
const FAST = { ...FLY_RETRY, baseDelayMs: 1, maxDelayMs: 2000 };

interface Upstream {
  url: string;
  hits: { method: string; url: string; at: number }[];
  answer: (n: number) => { status: number; headers?: Record<string, string> };
  close(): Promise<void>;
}

async function fakeFly(): Promise<Upstream> {
  const up: Upstream = {
    url: "",
    hits: [],
    answer: () => ({ status: 503 }),
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      up.hits.push({ method: req.method ?? "", url: req.url ?? "", at: Date.now() });
      const a = up.answer(up.hits.length);
      res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
      res.end(
        JSON.stringify(
          a.status === 200 ? { id: "4fbdc53295faf6", state: "started" } : { error: "busy" },
        ),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  up.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  up.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return up;
}

describe("one failing Machines API call, client → pacer → Fly", () => {
  let fly: Upstream;
  let pacer: FlyPacer;

  beforeEach(async () => {
    fly = await fakeFly();
    pacer = await startFlyPacer({
      target: fly.url,
      retry: FAST,
    });
  });
  afterEach(async () => {
    await pacer.close();
    await fly.close();
  });

  /**
   * The client bin/fly-machines builds, from the environment a provisioner
   * step gets (its own delays shortened, so a client that retried too would
   * show in the count rather than in the time).
   */
  const stepClient = () =>
    new MachinesApi({
      ...apiOptionsFromEnv({ FLY_API_URL: pacer.url, FLY_API_TOKEN: "t" }),
      retryDelayMs: 1,
    });

  it("is tried a bounded number of times upstream when Fly always answers 503", async () => {
    const err = await stepClient()
      .getMachine("a", "4fbdc53295faf6")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MachinesApiError);
    expect((err as MachinesApiError).status).toBe(503);
    // Before one policy in one place: 30 (the client's 5 × the pacer's 6).
    expect(fly.hits).toHaveLength(FLY_RETRY.attempts);
    expect(fly.hits.every((h) => h.url === "/v1/apps/a/machines/4fbdc53295faf6")).toBe(true);
  });

  it("waits what a 429's Retry-After asks, then succeeds", async () => {
    fly.answer = (n) =>
      n === 1 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 };
    const m = await stepClient().getMachine("a", "4fbdc53295faf6");
    expect(m.state).toBe("started");
    expect(fly.hits).toHaveLength(2);
    expect(fly.hits[1].at - fly.hits[0].at).toBeGreaterThanOrEqual(950);
  });

  it("adds one try per retry of a caller that retries on its own, as the provider does", async () => {
    // terraform-provider-fly: 3 tries, 1 s and 2 s apart (shortened here).
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(50 * i);
      const r = await fetch(`${pacer.url}/apps/a/machines/4fbdc53295faf6`, {
        headers: { Authorization: "Bearer t" },
      });
      expect(r.status).toBe(503);
    }
    expect(fly.hits).toHaveLength(FLY_RETRY.attempts + 2);
  });
});

describe("one failing Machines API call, client → Fly directly", () => {
  it("is tried the policy's attempts, by the client alone", async () => {
    const fly = await fakeFly();
    try {
      const api = new MachinesApi({
        ...apiOptionsFromEnv({ FLY_API_URL: fly.url, FLY_API_TOKEN: "t" }),
        retryDelayMs: 1,
      });
      await expect(api.listMachines("a")).rejects.toThrow(/HTTP 503/);
      expect(fly.hits).toHaveLength(FLY_RETRY.attempts);
    } finally {
      await fly.close();
    }
  });
});
