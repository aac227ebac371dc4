import { ConfigIssue } from "./errors";

/** One `KEY=VALUE` assignment read from a config file. */
export interface Assignment {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

export interface ParseResult {
  readonly assignments: readonly Assignment[];
  readonly issues: readonly ConfigIssue[];
  /** Number of lines in the file (missing keys are reported at its end). */
  readonly lineCount: number;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

class LineError extends Error {}

/**
 * Parses a shell-style `KEY=VALUE` file without executing anything.
 *
 * Supported: blank lines, `#` comments (whole line, or after an unquoted value
 * and whitespace), an optional leading `export`, unquoted values, single quotes
 * (literal) and double quotes (with `\"`, `\\`, `\$` and `` \` `` escapes), and
 * adjacent quoted/unquoted pieces (`a"b c"`). Anything that a shell would
 * expand or run (`$VAR`, `$(...)`, backticks) is rejected, never evaluated.
 */
export function parseConfigText(text: string): ParseResult {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const assignments: Assignment[] = [];
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();

  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const body = trimmed.replace(/^export\s+/, "");
    const eq = body.indexOf("=");
    const key = eq > 0 ? body.slice(0, eq) : "";
    if (!KEY.test(key)) {
      issues.push({
        line,
        key: "",
        message: `expected KEY=VALUE (got ${JSON.stringify(trimmed)})`,
      });
      return;
    }
    try {
      const value = parseValue(body.slice(eq + 1));
      const previous = seen.get(key);
      if (previous !== undefined) {
        issues.push({ line, key, message: `set twice (first on line ${previous}); keep one` });
        return;
      }
      seen.set(key, line);
      assignments.push({ key, value, line });
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      issues.push({ line, key, message: e.message });
    }
  });
  return { assignments, issues, lineCount: Math.max(lines.length, 1) };
}

function parseValue(src: string): string {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new LineError("unterminated single quote");
      out += src.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < src.length) {
        const d = src[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "\\" && i + 1 < src.length && '"\\$`'.includes(src[i + 1])) {
          out += src[i + 1];
          i += 2;
          continue;
        }
        rejectExpansion(src, i);
        out += d;
        i++;
      }
      if (!closed) throw new LineError("unterminated double quote");
    } else if (c === " " || c === "\t") {
      const rest = src.slice(i).trim();
      if (rest === "" || rest.startsWith("#")) break;
      throw new LineError(
        `unquoted whitespace in value (a shell would run ${JSON.stringify(rest)} as a command); quote the value`,
      );
    } else if (c === "\\") {
      if (i + 1 >= src.length) throw new LineError("line continuation is not supported");
      out += src[i + 1];
      i += 2;
    } else {
      if (c === ";" || c === "|" || c === "&" || c === "<" || c === ">") {
        throw new LineError(`shell operator ${JSON.stringify(c)} is not allowed; quote the value`);
      }
      rejectExpansion(src, i);
      out += c;
      i++;
    }
  }
  return out;
}

function rejectExpansion(src: string, i: number): void {
  const c = src[i];
  if (c === "`" || (c === "$" && i + 1 < src.length && /[A-Za-z_({]/.test(src[i + 1]))) {
    throw new LineError(
      "shell expansion ($VAR, $(...), `...`) is not supported: the file is read, never run; write the value literally",
    );
  }
}
