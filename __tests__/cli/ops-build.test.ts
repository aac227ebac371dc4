import { execFileSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { OPS_BUNDLE, OPS_ENTRY, bundleOps, ensureOpsBuild, opsBuildKey } from "../../cli/ops-build";

const ROOT = path.join(__dirname, "..", "..");

describe("the JavaScript bundle of bin/fly-machines", () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-ops-build-"));
  afterAll(() => fs.rmSync(cache, { recursive: true, force: true }));

  it("holds the entry point, every project module it imports and the packages they use", () => {
    const { js, inputs } = bundleOps(ROOT);
    expect(inputs).toContain(OPS_ENTRY);
    expect(inputs).toContain(path.join("ops", "machines-api.ts"));
    expect(inputs).toContain("tsconfig.json");
    expect(inputs.some((f) => f.startsWith("node_modules/cockatiel/"))).toBe(true);
    expect(inputs.every((f) => !f.startsWith("..") && !path.isAbsolute(f))).toBe(true);
    // One file: it requires nothing but Node's own modules.
    const text = Buffer.from(js).toString();
    const required = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    const builtin = new Set(builtinModules);
    expect(required.filter((r) => !builtin.has(r.replace(/^node:/, "")))).toEqual([]);
  });

  it("is keyed by every input's content, not by where the checkout is", () => {
    const { inputs } = bundleOps(ROOT);
    const key = opsBuildKey(ROOT, inputs);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(opsBuildKey(ROOT, [...inputs].reverse())).toBe(key);
    const editing = (file: string) => (f: string) =>
      Buffer.concat([fs.readFileSync(path.join(ROOT, f)), Buffer.from(f === file ? "\n" : "")]);
    expect(opsBuildKey(ROOT, inputs, editing(OPS_ENTRY))).not.toBe(key);
    const pkg = inputs.find((f) => f.startsWith("node_modules/cockatiel/")) as string;
    expect(opsBuildKey(ROOT, inputs, editing(pkg))).not.toBe(key);
    expect(opsBuildKey(ROOT, inputs, editing("tsconfig.json"))).not.toBe(key);
    expect(opsBuildKey(ROOT, [...inputs, "no/such/file.ts"])).toBeUndefined();
    // The same sources elsewhere: the same key (the bundle needs no node_modules beside it).
    const read = (f: string) => fs.readFileSync(path.join(ROOT, f));
    expect(opsBuildKey("/elsewhere", inputs, read)).toBe(key);
  });

  it("is built once per key, and again when an input changes", () => {
    // A scratch checkout: the bundle's project inputs copied, the packages linked.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-ops-src-"));
    try {
      for (const f of bundleOps(ROOT).inputs.filter((f) => !f.startsWith("node_modules/"))) {
        fs.mkdirSync(path.dirname(path.join(scratch, f)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, f), path.join(scratch, f));
      }
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(scratch, "node_modules"));
      const first = ensureOpsBuild(scratch, cache);
      expect(path.basename(first)).toBe(OPS_BUNDLE);
      const builtAt = fs.statSync(first).mtimeMs;
      expect(ensureOpsBuild(scratch, cache)).toBe(first);
      expect(fs.statSync(first).mtimeMs).toBe(builtAt);
      // An edited module that now imports another: a new key, and the new module inside.
      // (A module with an effect: esbuild drops unused exports.)
      const extra = `Object.assign(globalThis, { extraMarker: "extra-marker-7" });\n`;
      fs.writeFileSync(path.join(scratch, "ops", "extra-marker.ts"), extra);
      fs.appendFileSync(
        path.join(scratch, "ops", "machines-api.ts"),
        `\nimport "./extra-marker";\n`,
      );
      const second = ensureOpsBuild(scratch, cache);
      expect(second).not.toBe(first);
      expect(fs.readFileSync(second, "utf8")).toContain("extra-marker-7");
      // Only the new module changes: its change alone gives another key.
      fs.writeFileSync(path.join(scratch, "ops", "extra-marker.ts"), extra.replace("-7", "-8"));
      const third = ensureOpsBuild(scratch, cache);
      expect(third).not.toBe(second);
      expect(fs.readFileSync(third, "utf8")).toContain("extra-marker-8");
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("answers as the ts-node launcher does", () => {
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
    const leftovers = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((d) =>
          d.isDirectory()
            ? leftovers(path.join(dir, d.name))
            : d.name.includes(".tmp-")
              ? [d.name]
              : [],
        );
    expect(leftovers(cache)).toEqual([]);
  });
});
