/**
 * Which process's code may import which (STYLE.md, "Processes and contracts").
 * The processes share only contract/ (and the pure config/ it builds on):
 * - constructs/ (synthesis) never reaches the run-time code of ops/, cli/,
 *   bin/ or emulator/, nor fs, child_process, net or http, even through
 *   another module;
 * - ops/ (the provisioner step) never imports constructs/;
 * - cli/ and bin/ (the operator CLI) never import constructs/;
 * - emulator/ (the local Fly) imports none of the others' run-time code;
 * - contract/ imports only contract/ and config/, no package, and reaches
 *   none of fs, child_process, net, http, even through config/ (so it may use
 *   config/naming.ts, never config/load.ts).
 * Each failure names the importing file and the import as written.
 */
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..");
const SKIP = new Set(["node_modules", ".gen", ".git", "cdktf.out", "coverage"]);
/** Builtins that touch the host: files, processes, the network. */
const IMPURE = new Set([
  "fs",
  "fs/promises",
  "child_process",
  "net",
  "http",
  "https",
  "http2",
  "tls",
  "dgram",
]);

interface Import {
  /** As written in the source. */
  readonly spec: string;
  /** Project-relative file, for a relative import. */
  readonly file?: string;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) || e.name.startsWith("zz-") ? [] : tsFiles(p);
    return e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

function resolve(from: string, spec: string): string {
  const base = path.resolve(path.dirname(path.join(ROOT, from)), spec);
  const found = [`${base}.ts`, path.join(base, "index.ts"), base].find(
    (f) => fs.existsSync(f) && fs.statSync(f).isFile(),
  );
  return path
    .relative(ROOT, found ?? base)
    .split(path.sep)
    .join("/");
}

const graph = new Map<string, Import[]>(
  tsFiles(ROOT).map((abs) => {
    const file = path.relative(ROOT, abs).split(path.sep).join("/");
    const imports = ts
      .preProcessFile(fs.readFileSync(abs, "utf8"), true, true)
      .importedFiles.map((i) => i.fileName)
      .map((spec) => (spec.startsWith(".") ? { spec, file: resolve(file, spec) } : { spec }));
    return [file, imports];
  }),
);

const folder = (file: string) => file.split("/")[0];
const builtin = (spec: string) => spec.replace(/^node:/, "");

/** Every import of the files in `dir` that `bad` objects to, as "file: import (why)". */
function offending(dir: string, bad: (i: Import) => string | undefined): string[] {
  return [...graph]
    .filter(([f]) => folder(f) === dir)
    .flatMap(([f, imports]) =>
      imports.flatMap((i) => {
        const why = bad(i);
        return why ? [`${f}: import "${i.spec}" (${why})`] : [];
      }),
    );
}

/** Project files reachable from `start` through relative imports, with the path taken. */
function closure(start: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[start, [start]]]);
  const todo = [start];
  while (todo.length > 0) {
    const f = todo.pop() as string;
    for (const i of graph.get(f) ?? []) {
      if (i.file && !seen.has(i.file)) {
        seen.set(i.file, [...(seen.get(f) ?? []), i.file]);
        todo.push(i.file);
      }
    }
  }
  return seen;
}

/** Files reached from `dir` that `bad` objects to (or that import an impure builtin), with the path. */
function reached(dir: string, bad: (file: string) => string | undefined): string[] {
  const out = new Set<string>();
  for (const start of [...graph.keys()].filter((f) => folder(f) === dir)) {
    for (const [f, via] of closure(start)) {
      const why =
        bad(f) ??
        (graph.get(f) ?? [])
          .map((i) => builtin(i.spec))
          .filter((s) => IMPURE.has(s))
          .map((s) => `imports ${s}`)[0];
      if (why) out.add(`${via.join(" -> ")}: ${why}`);
    }
  }
  return [...out];
}

const RUN_TIME = ["ops", "cli", "bin", "emulator"];

describe("architecture: what each process may import", () => {
  it("reads the project's imports", () => {
    expect(graph.get("constructs/fly-node.ts")?.length).toBeGreaterThan(0);
    expect(graph.get("contract/node-env.ts")?.map((i) => i.file)).toContain("config/naming.ts");
  });

  it("constructs/ imports no run-time code (ops/, cli/, bin/, emulator/)", () => {
    expect(
      offending("constructs", (i) =>
        i.file && RUN_TIME.includes(folder(i.file)) ? `${folder(i.file)}/ is run-time` : undefined,
      ),
    ).toEqual([]);
  });

  it("constructs/ reaches neither run-time code nor fs, child_process, net, http", () => {
    expect(
      reached("constructs", (f) =>
        RUN_TIME.includes(folder(f)) ? `${folder(f)}/ is run-time` : undefined,
      ),
    ).toEqual([]);
  });

  it.each([
    ["ops", ["constructs"]],
    ["cli", ["constructs"]],
    ["bin", ["constructs"]],
    ["emulator", ["constructs", "ops", "cli", "bin"]],
  ])("%s/ imports none of %j", (dir, forbidden) => {
    expect(
      offending(dir, (i) =>
        i.file && forbidden.includes(folder(i.file))
          ? `${folder(i.file)}/ belongs to another process; share through contract/`
          : undefined,
      ),
    ).toEqual([]);
  });

  it("contract/ imports only contract/, config/ and pure builtins", () => {
    expect(
      offending("contract", (i) => {
        if (i.file) {
          return ["contract", "config"].includes(folder(i.file))
            ? undefined
            : `${folder(i.file)}/ is outside contract/ and config/`;
        }
        const b = builtin(i.spec);
        if (IMPURE.has(b)) return `${b} touches the host`;
        return builtinModules.includes(b) ? undefined : "a package: contracts depend on none";
      }),
    ).toEqual([]);
  });

  it("contract/ reaches nothing outside contract/ and config/, and no fs, child_process, net, http", () => {
    expect(
      reached("contract", (f) =>
        ["contract", "config"].includes(folder(f)) ? undefined : `${folder(f)}/ is outside`,
      ),
    ).toEqual([]);
  });
});
