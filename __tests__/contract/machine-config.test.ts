import { NODE_STOP_CONFIG, configMatches, durationSeconds } from "../../contract/machine-config";

describe("configMatches", () => {
  const current = {
    image: "img:1",
    env: { A: "1", B: "2" },
    guest: { cpus: 1, memory_mb: 256, cpu_kind: "shared" },
    services: [],
  };
  it("ignores key order and unmanaged fields", () => {
    expect(
      configMatches(current, {
        image: "img:1",
        env: { B: "2", A: "1" },
        guest: { cpu_kind: "shared", memory_mb: 256, cpus: 1 },
      }),
    ).toBe(true);
  });
  it("sees a changed memory size", () => {
    expect(
      configMatches(current, {
        image: "img:1",
        guest: { cpu_kind: "shared", cpus: 1, memory_mb: 512 },
      }),
    ).toBe(false);
  });
});

describe("stop_config in the roll", () => {
  it("reads Fly durations as seconds", () => {
    expect(durationSeconds("120s")).toBe(120);
    expect(durationSeconds("2m0s")).toBe(120);
    expect(durationSeconds(120e9)).toBe(120);
    expect(durationSeconds("soon")).toBeUndefined();
  });

  it("matches when Fly echoes the timeout in another spelling", () => {
    const current = { image: "i", stop_config: { signal: "SIGTERM", timeout: "2m0s" } };
    expect(configMatches(current, { image: "i", stop_config: NODE_STOP_CONFIG })).toBe(true);
  });

  it("differs when the machine has no stop_config yet (Terraform created it without)", () => {
    expect(configMatches({ image: "i" }, { image: "i", stop_config: NODE_STOP_CONFIG })).toBe(
      false,
    );
  });
});
