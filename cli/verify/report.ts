/**
 * How `--verify` shows its result: a table (one line per check, what each
 * failure means under it, the pod matrices that did not fully pass) or JSON.
 * Pure.
 */
import { FlannelBackend } from "../../config/schema";
import { Matrix, VerifyLine } from "./checks";

export type ExitCode = 0 | 1 | 2 | 3;

export interface VerifyReport {
  readonly cluster: string;
  readonly flannelBackend: FlannelBackend;
  /** 0 every check passed (expected failures included), 2 some failed, 1 could not run, 3 no Kubernetes. */
  readonly exitCode: ExitCode;
  readonly lines: readonly VerifyLine[];
  /** Why the run stopped early (1) or had nothing to verify (3). */
  readonly note?: string;
}

const WIDTH = 100;

/** Words of `text` in lines of at most `width`, each after `indent`. */
function wrap(text: string, indent: string, width = WIDTH): string[] {
  const out: string[] = [];
  let cur = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (cur && indent.length + cur.length + 1 + word.length > width) {
      out.push(indent + cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(indent + cur);
  return out;
}

function matrixLines(title: string, m: Matrix): string[] {
  const first = Math.max(...m.labels.map((l) => l.length));
  const width = Math.max(4, ...m.labels.map((l) => l.length));
  const pad = (s: string, n: number) => s.padEnd(n);
  return [
    `${title} (a row asks each column: ok, fail, - itself, ? no pod or address):`,
    `  ${pad("", first)}  ${m.labels.map((l) => pad(l, width)).join("  ")}`.trimEnd(),
    ...m.labels.map((l, i) =>
      `  ${pad(l, first)}  ${m.rows[i].map((c) => pad(c, width)).join("  ")}`.trimEnd(),
    ),
  ];
}

/** The table `./k3s.sh --verify` prints. */
export function renderTable(r: VerifyReport): string {
  const out = [`verify ${r.cluster} (flannel ${r.flannelBackend})`];
  if (r.lines.length > 0) {
    const checkWidth = Math.max(5, ...r.lines.map((l) => l.check.length));
    const resultWidth = Math.max(6, ...r.lines.map((l) => l.status.length));
    const indent = " ".repeat(checkWidth + resultWidth + 4);
    out.push(`${"CHECK".padEnd(checkWidth)}  ${"RESULT".padEnd(resultWidth)}  DETAIL`);
    for (const l of r.lines) {
      out.push(`${l.check.padEnd(checkWidth)}  ${l.status.padEnd(resultWidth)}  ${l.detail}`);
      if (l.meaning && l.status !== "pass") out.push(...wrap(`-> ${l.meaning}`, indent));
    }
    for (const l of r.lines) {
      if (l.matrix && l.status !== "pass" && l.matrix.labels.length > 1)
        out.push("", ...matrixLines(`${l.check} matrix`, l.matrix));
    }
  }
  if (r.note) out.push("", ...wrap(r.note, ""));
  const count = (s: VerifyLine["status"]) => r.lines.filter((l) => l.status === s).length;
  out.push(
    "",
    r.lines.length > 0
      ? `${count("pass")} pass, ${count("expected")} expected, ${count("fail")} fail, ${count("skipped")} skipped: exit ${r.exitCode}`
      : `exit ${r.exitCode}`,
  );
  return `${out.join("\n")}\n`;
}

/** The same as JSON (`--json`). */
export function renderJson(r: VerifyReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
