import * as fs from "fs";
import * as path from "path";
import { configReference } from "../scripts/config-reference";

const ROOT = path.join(__dirname, "..");

/** Top-level folders of the checkout: not .git, nor a folder .gitignore names (node_modules/, cdktf.out/, ...). */
function topLevelFolders(): string[] {
  const ignored = new Set(
    fs
      .readFileSync(path.join(ROOT, ".gitignore"), "utf8")
      .split("\n")
      .map((l) => /^\/?([\w.-]+)\/$/.exec(l.trim())?.[1])
      .filter((name): name is string => name !== undefined),
  );
  return fs
    .readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== ".git" && !ignored.has(e.name))
    .map((e) => `${e.name}/`)
    .sort();
}

/** The rows of the README's layout table (## Layout) whose first cell is a folder. */
function layoutRows(readme: string): string[] {
  const section = /\n## Layout\n([\s\S]*?)(?=\n## |$)/.exec(readme)?.[1] ?? "";
  return section.split("\n").filter((l) => /^\| `[^`]+\/` \|/.test(l));
}

/** The folders in the first column of the layout table. */
function layoutTableFolders(readme: string): string[] {
  return layoutRows(readme)
    .map((l) => /^\| `([^`]+\/)` \|/.exec(l)?.[1] ?? "")
    .sort();
}

describe("README", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

  it("carries the config reference generated from the schema", () => {
    const m = /<!-- config-reference:start[^>]*-->\n([\s\S]*?)<!-- config-reference:end -->/.exec(
      readme,
    );
    expect(m?.[1]).toBe(configReference());
  });

  it("starts with the set-up-and-run command and the test command", () => {
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(firstBlock).toContain("npm run setup && ./k3s.sh -c clusters/local");
    expect(firstBlock).toContain("npm test");
  });

  it("has one layout table, listing every top-level folder and only those", () => {
    expect(readme.match(/^## Layout$/gm)).toHaveLength(1);
    const table = layoutTableFolders(readme);
    const onDisk = topLevelFolders();
    expect({
      foldersMissingFromTheTable: onDisk.filter((f) => !table.includes(f)),
      listedFoldersThatDoNotExist: table.filter((f) => !onDisk.includes(f)),
    }).toEqual({ foldersMissingFromTheTable: [], listedFoldersThatDoNotExist: [] });
  });

  it("says which process each folder's files run in", () => {
    const withoutProcess = layoutRows(readme).filter((l) => (l.split("|")[2] ?? "").trim() === "");
    expect(withoutProcess).toEqual([]);
  });
});
