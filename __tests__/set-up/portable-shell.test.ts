/**
 * The shell a laptop runs (npm run setup in the online mode, ./k3s.sh against
 * Fly, the provisioner launcher) uses no GNU-only tool or option and no
 * package manager, so it works on macOS (bash 3.2, BSD userland) and as a
 * non-root user. The package managers live in scripts/host-setup.ts, which
 * runs only for the local Fly and the developer tools.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");

const FILES = [
  "k3s.sh",
  "bin/fly-machines",
  ...fs
    .readdirSync(path.join(ROOT, "scripts"))
    .filter((f) => f.endsWith(".sh"))
    .map((f) => `scripts/${f}`),
];

/** What is not on macOS, or behaves differently there, with what to use instead. */
const NOT_PORTABLE: [RegExp, string][] = [
  [/-printf\b/, "find -printf is GNU-only: print the paths and reshape them with sed"],
  [
    /\bsed\s+(-[a-zA-Z]*\s+)*-i\b/,
    "sed -i takes a suffix argument on macOS: write to a temp file and mv",
  ],
  [/\breadlink\s+-f\b/, "readlink -f is GNU-only: cd into the directory and pwd"],
  [/\bstat\s+-c\b/, "stat -c is GNU-only (macOS: stat -f)"],
  [
    /\bsort\s+(-[a-zA-Z]*\s+)*-V\b/,
    "sort -V is not on every system: compare with version_ge (scripts/lib.sh)",
  ],
  [/\bdate\s+-d\b/, "date -d is GNU-only"],
  [/\bgrep\s+(-[a-zA-Z]*\s+)*-P\b/, "grep -P is GNU-only"],
  [/\bxargs\s+-r\b/, "xargs -r is GNU-only"],
  [/\bbase64\s+-w\b/, "base64 -w is GNU-only"],
  [/\bsed\b.*\\s/, "\\s in sed is GNU-only: use [[:space:]]"],
  [
    /\bapt(-get)?\b|\bdpkg(-query)?\b/,
    "no package manager here: scripts/host-setup.ts installs packages, only for the local Fly or the developer tools",
  ],
];

/** sha256sum is Linux-only: only sha256_of (scripts/lib.sh) may call it, falling back to shasum. */
function unguardedSha256sum(file: string, lines: string[]): string[] {
  return lines
    .map((l, i) => [l, i] as const)
    .filter(([l]) => /\bsha256sum\b/.test(l.replace(/^\s*#.*$/, "")))
    .filter(([l]) => !/command -v sha256sum|sha256sum "\$1"/.test(l))
    .map(([l, i]) => `${file}:${i + 1}: ${l.trim()}: use sha256_of (scripts/lib.sh)`);
}

describe("shell on the laptop's paths is portable", () => {
  it.each(FILES)("%s", (file) => {
    const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
    const found = lines.flatMap((line, i) => {
      const code = line.replace(/^\s*#.*$/, "");
      return NOT_PORTABLE.filter(([re]) => re.test(code)).map(
        ([, why]) => `${file}:${i + 1}: ${line.trim()}: ${why}`,
      );
    });
    expect([...found, ...unguardedSha256sum(file, lines)]).toEqual([]);
  });

  it("catches what it is meant to", () => {
    const hits = (s: string) => NOT_PORTABLE.filter(([re]) => re.test(s)).length;
    expect(hits(`find "$d" -name x -printf '%P\\n'`)).toBe(1);
    expect(hits(`sed -i 's/a/b/' f`)).toBe(1);
    expect(hits(`printf '%s' "$json" | sed -n 's/^\\s*"Dir"//p'`)).toBe(1);
    expect(hits(`apt-get install -y podman`)).toBe(1);
    expect(hits(`find "$work" -mindepth 2 -maxdepth 2 -name go.mod | head -n1`)).toBe(0);
    expect(unguardedSha256sum("f", [`actual=$(sha256sum "$file" | cut -d' ' -f1)`])).toHaveLength(
      1,
    );
  });
});
