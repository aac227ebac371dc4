/**
 * Where the time of one `./k3s.sh -c` went, from the lines it printed and
 * when each arrived (bench/harness.ts): the CLI's own progress lines
 * (`[  12s] synthesizing`, ...) mark where each phase begins. Pure.
 */
import type { TimedLine } from "./harness";

/** The phases of a deploy, each named by the line that begins it (none for the first). */
export const PHASES: readonly { readonly name: string; readonly begins?: RegExp }[] = [
  { name: "cli start" },
  { name: "target", begins: /^\[\s*\d+s\] target: / },
  { name: "synth", begins: /^\[\s*\d+s\] synthesizing$/ },
  { name: "init", begins: /^\[\s*\d+s\] initializing / },
  { name: "plan", begins: /^\[\s*\d+s\] refreshing the state from Fly/ },
  { name: "apply", begins: /^\[\s*\d+s\] applying$/ },
  { name: "record", begins: /^\[\s*\d+s\] recording what the roll steps changed$/ },
  { name: "status, exit", begins: /^\[\s*\d+s\] cluster \S+: \d+ of \d+ machines started/ },
];

export interface Phase {
  readonly name: string;
  readonly seconds: number;
}

/**
 * The seconds of each phase of a run that took `total` seconds. A phase whose
 * line never came (no roll step ran: nothing recorded) is left out, its time
 * counted in the phase before. Pure.
 */
export function phases(lines: readonly TimedLine[], total: number): Phase[] {
  const starts = PHASES.map((p) => (p.begins ? lines.find((l) => p.begins?.test(l.text))?.at : 0));
  const out: Phase[] = [];
  PHASES.forEach((p, i) => {
    const from = starts[i];
    if (from === undefined) return;
    const to = starts.slice(i + 1).find((s) => s !== undefined) ?? total;
    out.push({ name: p.name, seconds: Math.max(0, to - from) });
  });
  return out;
}

/** `cli start 2.9, synth 2.0, ...`: one line. Pure. */
export function phaseLine(ps: readonly Phase[]): string {
  return ps.map((p) => `${p.name} ${p.seconds.toFixed(1)}`).join(", ");
}
