import { FLY_RETRY, RetryPolicy, retryAfterMs, retryable, withRetry } from "../../ops/retry";

describe("retryable", () => {
  it("retries 429 and 5xx only, of plain answers", () => {
    expect([200, 404, 408, 409, 412, 429, 500, 503].map((s) => retryable(s))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  it("retries a machine create that meets a name still held by a machine being destroyed", () => {
    const taken = '{"error":"machine name \\"ctrl-1\\" is already used in app c-cp"}';
    expect(retryable(409, "machine.create", taken)).toBe(true);
    expect(retryable(409, "machine.update", taken)).toBe(false);
    expect(retryable(409, "machine.create", '{"error":"lease currently held"}')).toBe(false);
  });

  it("retries a volume delete refused while its machine is still being destroyed", () => {
    const attached =
      '{"error":"failed_precondition: volume vol_1 is attached to machine m1; destroy the machine first"}';
    expect(retryable(412, "volume.delete", attached)).toBe(true);
    expect(retryable(412, "machine.delete", attached)).toBe(false);
    expect(retryable(412, "volume.delete", '{"error":"other"}')).toBe(false);
  });
});

describe("retryAfterMs", () => {
  it.each<[string, string | null, number | undefined]>([
    ["reads seconds", "3", 3000],
    ["reads fractional seconds", "0.25", 250],
    ["reads an HTTP date", new Date(10_000).toUTCString(), 10_000],
    ["is never negative", new Date(0).toUTCString(), 0],
    ["ignores a malformed value", "soon", undefined],
    ["ignores an absent one", null, undefined],
  ])("%s", (_what, header, expected) => {
    expect(retryAfterMs(header, 0)).toBe(expected);
  });
});

describe("withRetry", () => {
  const fast: RetryPolicy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, maxElapsedMs: 10_000 };
  const answers = (statuses: number[], retryAfter: string | null = null) => {
    let i = 0;
    const send = jest.fn(async () => ({
      status: statuses[Math.min(i++, statuses.length - 1)],
      retryAfter,
    }));
    return send;
  };
  const again = (a: { status: number }) => retryable(a.status);

  it("keeps trying until an answer is not worth another try", async () => {
    const send = answers([503, 429, 200]);
    await expect(withRetry(send, { policy: fast, again })).resolves.toMatchObject({ status: 200 });
    expect(send).toHaveBeenCalledTimes(3);
  });

  it("does not retry an answer the caller calls final", async () => {
    const send = answers([404]);
    await expect(withRetry(send, { policy: fast, again })).resolves.toMatchObject({ status: 404 });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("gives the last answer back after `attempts` tries", async () => {
    const send = answers([503]);
    const retries: number[] = [];
    const r = await withRetry(send, {
      policy: fast,
      again,
      onRetry: ({ attempt }) => retries.push(attempt),
    });
    expect(r.status).toBe(503);
    expect(send).toHaveBeenCalledTimes(fast.attempts);
    expect(retries).toEqual([1, 2, 3]);
  });

  it("retries a failed connection, then throws its error", async () => {
    const send = jest.fn(async (): Promise<{ status: number }> => {
      throw new Error("fetch failed");
    });
    await expect(withRetry(send, { policy: fast, again })).rejects.toThrow("fetch failed");
    expect(send).toHaveBeenCalledTimes(fast.attempts);
  });

  it("starts no retry once maxElapsedMs has passed", async () => {
    let t = 0;
    const send = jest.fn(async () => {
      t += 4_000;
      return { status: 503 };
    });
    await withRetry(send, {
      policy: { ...fast, attempts: 100, maxElapsedMs: 10_000 },
      again,
      now: () => t,
    });
    // Tries end at 4 s, 8 s (retried) and 12 s (past the bound: given back).
    expect(send).toHaveBeenCalledTimes(3);
  });

  it("waits what Retry-After asks, capped at maxDelayMs", async () => {
    const delays: number[] = [];
    const onRetry = ({ delayMs }: { delayMs: number }) => delays.push(delayMs);
    await withRetry(answers([429, 200], "0.05"), {
      policy: { ...fast, maxDelayMs: 100 },
      again,
      onRetry,
    });
    await withRetry(answers([429, 200], "600"), {
      policy: { ...fast, maxDelayMs: 20 },
      again,
      onRetry,
    });
    expect(delays).toEqual([50, 20]);
  });

  it("backs off with jitter, growing, never above maxDelayMs", async () => {
    // FLY_RETRY's shape with delays a hundredth as long.
    const policy = { ...FLY_RETRY, baseDelayMs: 10, maxDelayMs: 200 };
    const all = await Promise.all(
      Array.from({ length: 300 }, async () => {
        const delays: number[] = [];
        await withRetry(answers([503]), {
          policy,
          again,
          onRetry: ({ delayMs }) => delays.push(delayMs),
        });
        return delays;
      }),
    );
    for (const d of all) {
      expect(d).toHaveLength(policy.attempts - 1);
      expect(Math.max(...d)).toBeLessThanOrEqual(policy.maxDelayMs);
    }
    // Jitter: the first delays differ from run to run.
    expect(new Set(all.map((d) => d[0])).size).toBeGreaterThan(1);
    // Growing: on average the last delay is well above the first (each step
    // against the one before, with 30 runs, failed now and then: jitter).
    const mean = (i: number) => all.reduce((s, d) => s + d[i], 0) / all.length;
    expect(mean(policy.attempts - 2)).toBeGreaterThan(2 * mean(0));
  });
});
