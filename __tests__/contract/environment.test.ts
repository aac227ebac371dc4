/**
 * contract/environment.ts is the one list of the environment variables
 * fly-k3s reads, and `./k3s.sh -h` prints it. Fails when code names a
 * FLY_K3S_* variable, reads one from `process.env` or from a
 * `NodeJS.ProcessEnv` named `env`
 * that the table does not list, or when a row names a variable no code reads.
 */
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENT, environmentOf } from "../../contract/environment";
import { usage } from "../../cli/options";

const ROOT = path.join(__dirname, "../..");

/** Where fly-k3s's own code lives (tests excluded: they set variables, they do not define them). */
const CODE_DIRS = [
  "bin",
  "cli",
  "config",
  "constructs",
  "contract",
  "ops",
  "scripts",
  "emulator",
  "images",
  "bench",
];
const CODE_FILES = ["main.ts", "k3s.sh"];
/** Folders whose `env.X` is a process environment (elsewhere `env` is also a machine's env). */
const PROCESS_ENV_DIRS = ["bin", "cli", "config", "contract", "ops", "scripts", "bench"];
/** Read everywhere and obvious: not in the table. */
const STANDARD = new Set(["PATH", "HOME"]);

function files(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : files(rel);
    return e.isFile() && /(\.(ts|sh|js)|^fly-machines|^no-flyctl)$/.test(e.name) ? [rel] : [];
  });
}

const code = [...CODE_DIRS.flatMap(files), ...CODE_FILES].map((f) => ({
  file: f,
  text: fs.readFileSync(path.join(ROOT, f), "utf8"),
}));

/** name -> the files that name it, for every match of `re` (its group 1) in `of`. */
function names(of: typeof code, re: RegExp): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const { file, text } of of) {
    for (const m of text.matchAll(re)) found.set(m[1], [...(found.get(m[1]) ?? []), file]);
  }
  return found;
}

const listed = new Set(ENVIRONMENT.map((v) => v.name));
const unlisted = (found: Map<string, string[]>) =>
  [...found]
    .filter(([name]) => !listed.has(name) && !STANDARD.has(name))
    .map(([name, where]) => `${name} (${[...new Set(where)].join(", ")})`);

describe("contract/environment.ts", () => {
  it("lists every FLY_K3S_* variable the code names", () => {
    expect(unlisted(names(code, /\b(FLY_K3S_[A-Z0-9_]*[A-Z0-9])\b/g))).toEqual([]);
  });

  it("lists every process.env.X the code reads", () => {
    expect(unlisted(names(code, /process\.env(?:\.|\[["'])([A-Z][A-Za-z0-9_]*)/g))).toEqual([]);
  });

  it("lists every env.X read from a process environment (K3S_* are the node's: contract/node-env.ts)", () => {
    const inProcessCode = code.filter((c) =>
      PROCESS_ENV_DIRS.some((d) => c.file.startsWith(`${d}/`)),
    );
    const found = names(inProcessCode, /(?<![.\w])env\??\.([A-Z][A-Za-z0-9_]*)/g);
    for (const k of [...found.keys()]) if (k.startsWith("K3S_")) found.delete(k);
    expect(unlisted(found)).toEqual([]);
  });

  it("lists nothing that no code reads", () => {
    const all = code
      .filter((c) => c.file !== path.join("contract", "environment.ts"))
      .map((c) => c.text)
      .join("\n");
    const unread = ENVIRONMENT.map((v) => v.name).filter(
      (n) => !new RegExp(`\\b${n}\\b`).test(all),
    );
    expect(unread).toEqual([]);
  });

  it("has one row per variable, each saying what it does and who reads it", () => {
    expect(new Set(ENVIRONMENT.map((v) => v.name)).size).toBe(ENVIRONMENT.length);
    for (const v of ENVIRONMENT) {
      expect(v.doc.length).toBeGreaterThan(10);
      expect(v.readBy.length).toBeGreaterThan(3);
    }
  });

  it("is what ./k3s.sh -h prints: every operator and internal row, not the tests' own", () => {
    const help = usage();
    for (const v of [...environmentOf("operator"), ...environmentOf("internal")]) {
      expect(help).toMatch(
        new RegExp(`^  ${v.name} +${v.doc.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"),
      );
    }
    for (const v of environmentOf("tests")) expect(help).not.toContain(v.name);
  });
});
