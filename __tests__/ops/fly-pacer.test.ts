import * as http from "http";
import { AddressInfo } from "net";
import { DEFAULT_LIMIT, GET_MACHINE_LIMIT } from "../../config/fly-limits";
import { FlyPacer, TokenBuckets, pacerSummary, startFlyPacer } from "../../ops/fly-pacer";
import { PACED_HEADER } from "../../ops/retry";

describe("TokenBuckets", () => {
  it("lets a burst through at once, then spaces requests at the refill rate", () => {
    const b = new TokenBuckets();
    const waits = [0, 0, 0, 0, 0].map(() =>
      b.reserve("machine.start machine:m1", DEFAULT_LIMIT, 0),
    );
    // 1 per second, bursts of 3: the 4th waits 1 s, the 5th 2 s.
    expect(waits).toEqual([0, 0, 0, 1000, 2000]);
  });

  it("refills with time, never above the burst", () => {
    const b = new TokenBuckets();
    for (let i = 0; i < 3; i++) b.reserve("k", DEFAULT_LIMIT, 0);
    expect(b.reserve("k", DEFAULT_LIMIT, 1500)).toBe(0);
    expect(b.reserve("k", DEFAULT_LIMIT, 1500)).toBe(500);
    const quiet = new TokenBuckets();
    quiet.reserve("k", DEFAULT_LIMIT, 0);
    // A long quiet spell gives back the burst (3), not more.
    expect([0, 0, 0, 0].map(() => quiet.reserve("k", DEFAULT_LIMIT, 100_000))).toEqual([
      0, 0, 0, 1000,
    ]);
  });

  it("keeps one bucket per action and subject, and Get Machine's own limit", () => {
    const b = new TokenBuckets();
    for (let i = 0; i < 3; i++) b.reserve("machine.start machine:m1", DEFAULT_LIMIT, 0);
    expect(b.reserve("machine.start machine:m2", DEFAULT_LIMIT, 0)).toBe(0);
    expect(b.reserve("machine.stop machine:m1", DEFAULT_LIMIT, 0)).toBe(0);
    const gets = Array.from({ length: 11 }, () =>
      b.reserve("machine.get machine:m1", GET_MACHINE_LIMIT, 0),
    );
    expect(gets.slice(0, 10).every((w) => w === 0)).toBe(true);
    expect(gets[10]).toBe(200);
  });
});

describe("the pacer against a local server", () => {
  let server: http.Server;
  let base: string;
  let pacer: FlyPacer | undefined;
  const seen: {
    method: string;
    url: string;
    auth?: string;
    nonce?: string;
    body: string;
    at: number;
  }[] = [];
  /** Answers to give, in order, before plain 200s. */
  let script: { status: number; headers?: Record<string, string> }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({
          method: req.method ?? "",
          url: req.url ?? "",
          auth: req.headers.authorization,
          nonce: req.headers["fly-machine-lease-nonce"] as string | undefined,
          body,
          at: Date.now(),
        });
        const next = script.shift() ?? { status: 200 };
        res.writeHead(next.status, { "content-type": "application/json", ...next.headers });
        res.end(JSON.stringify(next.status === 200 ? { ok: true, echo: body } : { error: "no" }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  afterEach(async () => {
    await pacer?.close();
    pacer = undefined;
    seen.length = 0;
    script = [];
  });

  it("forwards method, path, query, body and headers (Authorization and the lease nonce) unchanged", async () => {
    const lines: string[] = [];
    pacer = await startFlyPacer({ target: base, log: (l) => lines.push(l) });
    expect(pacer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const r = await fetch(`${pacer.url}/apps/a/machines/m1?x=1`, {
      method: "POST",
      headers: {
        Authorization: "Bearer secret-token-123",
        "fly-machine-lease-nonce": "n1",
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ config: { image: "i" } }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true, echo: '{"config":{"image":"i"}}' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "/v1/apps/a/machines/m1?x=1",
      auth: "Bearer secret-token-123",
      nonce: "n1",
    });
    expect(lines.join("\n")).not.toContain("secret-token-123");
  });

  it("retries 429 and 5xx with backoff, honouring Retry-After, and passes a 4xx on at once", async () => {
    const lines: string[] = [];
    pacer = await startFlyPacer({
      target: base,
      log: (l) => lines.push(l),
      retry: { attempts: 4, baseDelayMs: 50, maxDelayMs: 2000, maxElapsedMs: 10_000 },
    });
    script = [{ status: 503 }, { status: 429, headers: { "retry-after": "1" } }, { status: 200 }];
    const t0 = Date.now();
    const r = await fetch(`${pacer.url}/apps/a/volumes`, {
      headers: { Authorization: "Bearer t" },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get(PACED_HEADER)).toBe("3");
    expect(seen).toHaveLength(3);
    // A short jittered backoff after the 503, then the 1 s the 429 asked for.
    expect(seen[2].at - seen[1].at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(lines).toEqual([
      expect.stringMatching(
        /^fly pacer: GET \/apps\/a\/volumes answered 503; retry 1\/3 in 0\.\ds$/,
      ),
      expect.stringMatching(/answered 429; retry 2\/3 in 1\.0s$/),
    ]);
    expect(pacer.stats).toMatchObject({ requests: 1, retries: 2, gaveUp: 0 });

    seen.length = 0;
    script = [{ status: 412 }];
    const bad = await fetch(`${pacer.url}/apps/a/volumes/v1`, { method: "DELETE" });
    expect(bad.status).toBe(412);
    expect(bad.headers.get(PACED_HEADER)).toBe("1");
    expect(await bad.json()).toEqual({ error: "no" });
    expect(seen).toHaveLength(1);
  });

  it("gives the last answer back after the bound", async () => {
    pacer = await startFlyPacer({
      target: base,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100, maxElapsedMs: 10_000 },
    });
    script = [{ status: 500 }, { status: 502 }, { status: 503 }, { status: 200 }];
    const r = await fetch(`${pacer.url}/apps/a/machines`, { method: "POST", body: "{}" });
    expect(r.status).toBe(503);
    expect(r.headers.get(PACED_HEADER)).toBe("3");
    expect(seen).toHaveLength(3);
    expect(pacer.stats).toMatchObject({ retries: 2, gaveUp: 1 });
    expect(pacerSummary(pacer.stats)).toContain("1 still failing after every retry");
  });

  it("sends a call it just gave up on once, without another round of retries", async () => {
    pacer = await startFlyPacer({
      target: base,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100, maxElapsedMs: 10_000 },
    });
    const get = (path: string) => fetch(`${pacer!.url}${path}`).then((r) => r.status);
    script = Array.from({ length: 6 }, () => ({ status: 503 }));
    // The provider's own retries of one call: the first gets the policy, the others one try each.
    expect([
      await get("/apps/a/machines/m1"),
      await get("/apps/a/machines/m1"),
      await get("/apps/a/machines/m1"),
    ]).toEqual([503, 503, 503]);
    expect(seen).toHaveLength(3 + 1 + 1);
    // Another call is not affected; an answer that is not worth retrying clears the memory.
    seen.length = 0;
    script = [{ status: 503 }, { status: 200 }];
    expect(await get("/apps/a/machines/m2")).toBe(200);
    expect(seen).toHaveLength(2);
    seen.length = 0;
    script = [{ status: 200 }, { status: 503 }, { status: 200 }];
    expect(await get("/apps/a/machines/m1")).toBe(200);
    expect(await get("/apps/a/machines/m1")).toBe(200);
    expect(seen).toHaveLength(3);
  });

  it("spaces requests of one action on one subject at Fly's rate instead of letting them earn a 429", async () => {
    pacer = await startFlyPacer({ target: base });
    const url = `${pacer.url}/apps/a/machines/m1/start`;
    await Promise.all(Array.from({ length: 5 }, () => fetch(url, { method: "POST" })));
    const times = seen.map((s) => s.at).sort((a, b) => a - b);
    // Burst of 3, then 1 per second: the 5th goes about 2 s after the first.
    expect(times[4] - times[0]).toBeGreaterThanOrEqual(1900);
    // Another machine's start is not held up by m1's queue.
    const t0 = Date.now();
    await fetch(`${pacer.url}/apps/a/machines/m2/start`, { method: "POST" });
    expect(Date.now() - t0).toBeLessThan(500);
    expect(pacer.stats.paced).toBe(2);
  });
});
