/**
 * A JavaScript build of `bin/fly-machines.ts` and the modules it imports, so a
 * provisioner step starts in a tenth of a second instead of paying ts-node's
 * start-up (about a second of CPU each; a 33-node deploy runs ~70 steps).
 *
 * The build is keyed by the content of every source it holds and kept in the
 * cache (`<cache>/ops-js/<hash>/`: OPS_JS_DIR of contract/cache-layout.ts), so a fresh clone with the same sources
 * reuses it and an edited source gets a new build. `bin/fly-machines` runs it
 * when FLY_K3S_OPS_JS names it (the toolchain's environment does), and falls
 * back to ts-node otherwise.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** The project-relative entry point the provisioners run. */
export const OPS_ENTRY = "bin/fly-machines.ts";

/** Relative imports of one TypeScript source (`./x`, `../y`), resolved to files. Pure but for fs. */
function localImports(file: string, text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((f) => f.startsWith("."))
    .map((f) => {
      const base = path.resolve(path.dirname(file), f);
      for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) {
        if (fs.existsSync(candidate)) return candidate;
      }
      if (fs.existsSync(base) && base.endsWith(".json")) return base;
      throw new Error(`${path.relative(process.cwd(), file)}: cannot resolve import ${f}`);
    });
}

/** Every project source the entry point needs, with its text, in a stable order. */
export function opsSources(root: string, entry = OPS_ENTRY): Map<string, string> {
  const seen = new Map<string, string>();
  const todo = [path.join(root, entry)];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    const rel = path.relative(root, file);
    if (seen.has(rel)) continue;
    const text = fs.readFileSync(file, "utf8");
    seen.set(rel, text);
    if (file.endsWith(".ts")) todo.push(...localImports(file, text));
  }
  return new Map([...seen.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The build's key: the checkout (whose node_modules the build uses),
 * TypeScript's version and every source's path and text. Pure.
 */
export function opsBuildKey(root: string, sources: Map<string, string>): string {
  const h = createHash("sha256").update(`${root}\ntypescript ${ts.version}\n`);
  for (const [rel, text] of sources) h.update(`${rel}\n${text.length}\n${text}`);
  return h.digest("hex").slice(0, 16);
}

/**
 * Builds (once per key) and returns the path of the entry point's JavaScript.
 * Written to a temporary directory and renamed into place, so a build killed
 * half-way is never used.
 */
export function ensureOpsBuild(root: string, buildsDir: string): string {
  const sources = opsSources(root);
  const dir = path.join(buildsDir, opsBuildKey(root, sources));
  const entryJs = path.join(dir, OPS_ENTRY.replace(/\.ts$/, ".js"));
  if (fs.existsSync(entryJs)) return entryJs;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  for (const [rel, text] of sources) {
    const out = path.join(tmp, rel.endsWith(".ts") ? rel.replace(/\.ts$/, ".js") : rel);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const js = rel.endsWith(".ts")
      ? ts.transpileModule(text, {
          fileName: rel,
          compilerOptions: {
            module: ts.ModuleKind.CommonJS,
            target: ts.ScriptTarget.ES2022,
            esModuleInterop: true,
          },
        }).outputText
      : text;
    fs.writeFileSync(out, js);
  }
  // Packages (node_modules) are found from the checkout, as ts-node finds them.
  fs.symlinkSync(path.join(root, "node_modules"), path.join(tmp, "node_modules"));
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    // Another process built the same key first: use theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(entryJs)) throw e;
  }
  return entryJs;
}
