/**
 * Writes scripts/cache-layout.sh from CACHE_LAYOUT (contract/cache-layout.ts):
 *   npx ts-node --transpile-only scripts/write-cache-layout.ts
 */
import * as fs from "fs";
import * as path from "path";
import { CACHE_LAYOUT_SCRIPT_PATH, cacheLayoutScript } from "../contract/cache-layout";

const file = path.join(__dirname, "..", CACHE_LAYOUT_SCRIPT_PATH);
const want = cacheLayoutScript();
const changed = !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== want;
if (changed) fs.writeFileSync(file, want);
console.log(`${CACHE_LAYOUT_SCRIPT_PATH}: ${changed ? "written" : "up to date"}`);
