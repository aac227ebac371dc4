/** The probe cache (cli/probe/cache.ts, PROBES_DIR of contract/cache-layout.ts). */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { probeCacheFile, readCachedProbe, writeCachedProbe } from "../../../cli/probe/cache";
import { probeCacheFileFor } from "../../../cli/probe/run";
import { CACHE_LAYOUT } from "../../../contract/cache-layout";
import { fakeOutput, localConfig, recordOf } from "./helpers";

describe("the probe cache", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-probes-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps one file per org, region and image", () => {
    const a = probeCacheFile(dir, "personal", "sjc", "registry.fly.io/x:1");
    expect(path.dirname(a)).toBe(dir);
    expect(path.basename(a)).toMatch(/^personal--sjc--[0-9a-f]{16}\.json$/);
    expect(probeCacheFile(dir, "personal", "sjc", "registry.fly.io/x:1")).toBe(a);
    for (const other of [
      probeCacheFile(dir, "acme", "sjc", "registry.fly.io/x:1"),
      probeCacheFile(dir, "personal", "iad", "registry.fly.io/x:1"),
      probeCacheFile(dir, "personal", "sjc", "registry.fly.io/x:2"),
    ])
      expect(other).not.toBe(a);
  });

  it("lives under the cache layout's PROBES_DIR by default", () => {
    expect(CACHE_LAYOUT.PROBES_DIR).toBe("probes");
    const file = probeCacheFileFor(localConfig());
    expect(path.basename(path.dirname(file))).toBe("probes");
  });

  it("reads back what it wrote, with the time it was taken", () => {
    const file = probeCacheFile(dir, "personal", "sjc", "i");
    const record = recordOf(fakeOutput());
    writeCachedProbe(file, record);
    expect(readCachedProbe(file)).toEqual(record);
    expect(fs.readdirSync(dir)).toEqual([path.basename(file)]);
  });

  it.each([
    ["no file", undefined],
    ["not JSON", "{"],
    ["another version", JSON.stringify({ version: 2, takenAt: "x", facts: {} })],
  ])("counts %s as no probe", (_what, text) => {
    const file = path.join(dir, "p.json");
    if (text !== undefined) fs.writeFileSync(file, text);
    expect(readCachedProbe(file)).toBeUndefined();
  });
});
