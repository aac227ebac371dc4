/**
 * The probe's report: a table, one line per capability (name, result, detail,
 * what the node does), or the same data as JSON. Rendering is pure;
 * printProbe writes it to stdout.
 */
import { ProbeResult } from "./types";

/** The JSON form: where and when, the backend judged, every line, the refusals, the facts. */
export function probeJson(r: ProbeResult): object {
  const { record } = r;
  return {
    org: record.org,
    region: record.region,
    image: record.image,
    target: record.target,
    takenAt: record.takenAt,
    flannelBackend: r.flannelBackend,
    ...(r.cacheFile ? { cacheFile: r.cacheFile } : {}),
    capabilities: r.capabilities.map(({ name, result, detail, node, required }) => ({
      name,
      result,
      detail,
      node,
      required,
    })),
    refusals: r.refusals,
    facts: record.facts,
  };
}

/** The table and a summary, as lines. */
export function renderProbeTable(r: ProbeResult): string[] {
  const { record } = r;
  const rows = [
    ["CAPABILITY", "RESULT", "DETAIL", "WHAT THE NODE DOES"],
    ...r.capabilities.map((c) => [c.name, c.result, c.detail, c.node]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const count = (o: string) => r.capabilities.filter((c) => c.result === o).length;
  return [
    `probe of org ${record.org}, region ${record.region}, image ${record.image}` +
      ` (${record.target === "fly" ? "Fly.io" : "the local Fly"}, ${record.takenAt}); FLANNEL_BACKEND=${r.flannelBackend}`,
    ...rows.map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    ),
    `${count("ok")} ok, ${count("missing")} missing, ${count("unknown")} unknown`,
    ...(r.refusals.length === 0
      ? ["a deploy with this config would go ahead"]
      : ["a deploy with this config would be refused:", ...r.refusals.map((x) => `  - ${x}`)]),
  ];
}

export function printProbe(r: ProbeResult, json: boolean): void {
  if (json) console.log(JSON.stringify(probeJson(r), null, 2));
  else for (const line of renderProbeTable(r)) console.log(line);
}
