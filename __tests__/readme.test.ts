import * as fs from "fs";
import * as path from "path";
import { configReference } from "../scripts/config-reference";

describe("README", () => {
  const readme = fs.readFileSync(path.join(__dirname, "../README.md"), "utf8");

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
});
