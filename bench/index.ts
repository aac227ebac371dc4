/**
 * `npm run bench -- <name> [options]`: runs one benchmark.
 *
 *   create          3 servers + 6/12/30 workers vs the critical-path floor (bench/create.ts)
 *   deploy-time     where a clusters/local deploy's time goes (bench/deploy-time.ts)
 *   machine-start   emulator create→started vs plain podman (bench/machine-start.ts)
 */
import * as path from "path";

const BENCHES: Record<string, string> = {
  create: "create.ts",
  "deploy-time": "deploy-time.ts",
  "machine-start": "machine-start.ts",
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !(name in BENCHES)) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join("|")}> [options]`);
  process.exit(2);
}
process.argv = [process.argv[0], path.join(__dirname, BENCHES[name]), ...rest];
void import(path.join(__dirname, BENCHES[name]));
