import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OPS_ENTRY, ensureOpsBuild, opsBuildKey, opsSources } from "../../cli/ops-build";

const ROOT = path.join(__dirname, "..", "..");

describe("the JavaScript build of bin/fly-machines", () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-ops-build-"));
  afterAll(() => fs.rmSync(cache, { recursive: true, force: true }));

  it("holds the entry point and every project module it imports", () => {
    const sources = [...opsSources(ROOT).keys()];
    expect(sources).toContain(OPS_ENTRY);
    expect(sources).toContain(path.join("ops", "machines-api.ts"));
    expect(sources.every((s) => !s.startsWith(".."))).toBe(true);
  });

  it("is keyed by the checkout and every source's text", () => {
    const sources = opsSources(ROOT);
    const key = opsBuildKey(ROOT, sources);
    expect(opsBuildKey(ROOT, new Map(sources))).toBe(key);
    const edited = new Map(sources);
    edited.set(OPS_ENTRY, `${sources.get(OPS_ENTRY)}\n// edited`);
    expect(opsBuildKey(ROOT, edited)).not.toBe(key);
    expect(opsBuildKey("/elsewhere", sources)).not.toBe(key);
  });

  it("answers as the ts-node launcher does, built once per key", () => {
    const js = ensureOpsBuild(ROOT, cache);
    expect(ensureOpsBuild(ROOT, cache)).toBe(js);
    const launcher = path.join(ROOT, "bin", "fly-machines");
    // An unknown command: answered before any API call, the same way by both.
    const answer = (opsJs: string) => {
      try {
        execFileSync(launcher, ["no-such-command"], {
          encoding: "utf8",
          stdio: "pipe",
          env: { ...process.env, FLY_API_TOKEN: "x", FLY_K3S_OPS_JS: opsJs },
        });
        return "exit 0";
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return `exit ${err.status}: ${err.stderr}`;
      }
    };
    const built = answer(js);
    expect(built).toMatch(/^exit [1-9]\d*: .*unknown command "no-such-command"/);
    expect(built).toBe(answer(""));
    expect(fs.readdirSync(cache).filter((d) => d.includes(".tmp-"))).toEqual([]);
  });
});
