/**
 * The probe cache: one file per org, region and node image, under the cache
 * root (contract/cache-layout.ts, PROBES_DIR), holding the facts and when they
 * were taken. Written atomically; a file that cannot be read counts as none.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ProbeRecord } from "./types";

/** The file of one org, region and image in the probes directory. Pure. */
export function probeCacheFile(dir: string, org: string, region: string, image: string): string {
  const digest = createHash("sha256").update(image).digest("hex").slice(0, 16);
  return path.join(dir, `${org}--${region}--${digest}.json`);
}

/** The cached record, or undefined when there is none or it is not a probe of this version. */
export function readCachedProbe(file: string): ProbeRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const r = parsed as Partial<ProbeRecord> | null;
  return r && r.version === 1 && typeof r.takenAt === "string" && r.facts
    ? (r as ProbeRecord)
    : undefined;
}

export function writeCachedProbe(file: string, record: ProbeRecord): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(record, null, 2) + "\n");
  fs.renameSync(tmp, file);
}
