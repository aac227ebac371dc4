/** Prints the README's config reference table, generated from config/schema.ts. */
import { KEYS, OPTIONAL_KEYS, REQUIRED_KEYS } from "../config/schema";

export function configReference(): string {
  const rows = [
    "| Key | Required | Meaning |",
    "| --- | --- | --- |",
    ...REQUIRED_KEYS.map((k) => `| \`${k}\` | yes | ${KEYS[k].doc} |`),
    ...Object.entries(OPTIONAL_KEYS).map(
      ([k, v]) => `| \`${k}\` | no (default \`${v.default}\`) | ${v.description} |`,
    ),
  ];
  return rows.join("\n") + "\n";
}

if (require.main === module) process.stdout.write(configReference());
