import * as fs from "fs";
import * as path from "path";
import { VM_SIZES, vmSizeName } from "../../config/fly";

const ROOT = path.join(__dirname, "..", "..");
/** Directories that hold no project source. */
const SKIP = new Set(["node_modules", ".gen", ".git", "cdktf.out", "coverage"]);

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) || e.name.startsWith("zz-") ? [] : tsFiles(p);
    return e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Sizes named on purpose although Fly has none: the test that says so. */
const NOT_A_SIZE_ON_PURPOSE: Record<string, string[]> = {
  "__tests__/config/validate.test.ts": ["performance-3x"],
  "__tests__/config/vm-size-names.test.ts": ["performance-3x"],
};

describe("Fly size names (config/fly.ts owns them)", () => {
  const files = tsFiles(ROOT)
    .map((f) => path.relative(ROOT, f))
    .filter((f) => f !== path.join("config", "fly.ts"));

  it("appear elsewhere only as Fly has them", () => {
    const bad = files.flatMap((f) => {
      const text = fs.readFileSync(path.join(ROOT, f), "utf8");
      const names = text.match(/\b(?:shared-cpu|performance(?:-cpu)?)-\d+x\b/g) ?? [];
      const allowed = NOT_A_SIZE_ON_PURPOSE[f.split(path.sep).join("/")] ?? [];
      return names.filter((n) => !VM_SIZES.has(n) && !allowed.includes(n)).map((n) => `${f}: ${n}`);
    });
    expect(bad).toEqual([]);
  });

  it("are made from a guest only by vmSizeName", () => {
    const built = files.filter((f) =>
      /-cpu-\$\{|performance-\$\{/.test(fs.readFileSync(path.join(ROOT, f), "utf8")),
    );
    expect(built).toEqual([]);
  });

  it("name a guest as Fly does, and no size Fly lacks", () => {
    expect(vmSizeName("performance", 4)).toBe("performance-4x");
    expect(vmSizeName("shared", 2)).toBe("shared-cpu-2x");
    expect(vmSizeName("performance", 3)).toBeUndefined();
    expect(vmSizeName(undefined, 1)).toBeUndefined();
  });
});
