/** Editing clusters/<name>/node-groups. Pure. */
import { parseNodeGroups } from "../config/load";

/**
 * The node-groups file text with `id` recorded (unchanged when it already is,
 * whatever comments its line carries); keeps one id per line.
 */
export function withNodeGroup(text: string, id: string): string {
  if (parseNodeGroups("node-groups", text).includes(id)) return text;
  const sep = text === "" || text.endsWith("\n") ? "" : "\n";
  return `${text}${sep}${id}\n`;
}

/**
 * The node-groups file text without `id`'s line (unchanged when it is not
 * recorded); every other line, comments included, stays as it is.
 */
export function withoutNodeGroup(text: string, id: string): string {
  const lines = text.split("\n");
  const kept = lines.filter((l) => l.replace(/#.*/, "").trim() !== id);
  return kept.length === lines.length ? text : kept.join("\n");
}
