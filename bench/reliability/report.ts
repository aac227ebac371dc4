/** Reading OpenTofu's output for the reliability summary. Pure. */

/** Counts of provider error lines (`Error: ...`) by their first words. Pure. */
export function errorKinds(output: string): Map<string, number> {
  const kinds = new Map<string, number>();
  const found = [...output.matchAll(/^│? ?Error: (.*)$/gm)];
  for (const [i, m] of found.entries()) {
    const detail = output.slice(m.index, found[i + 1]?.index ?? m.index + 600);
    const kind = /status 429|rate limit/i.test(detail)
      ? `${m[1]} (429 rate limited)`
      : /status 5\d\d/.test(detail)
        ? `${m[1]} (5xx)`
        : m[1];
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return kinds;
}

/** OpenTofu's error blocks in a run's output (at most the first `max`). Pure. */
export function errorBlocks(output: string, max = 3): string[] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of output.split("\n")) {
    if (/^│? ?Error: /.test(line)) {
      current = [line];
      blocks.push(current);
    } else if (current && line.startsWith("│")) {
      current.push(line);
    } else {
      current = undefined;
    }
  }
  return blocks.slice(0, max).map((b) => b.join("\n").trim());
}
