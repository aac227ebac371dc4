/**
 * The one way the provisioner steps and the CLI write a file on a machine
 * (ops/exec.ts): the command runs here with sh, as a machine's exec would run
 * it, on paths that would break an unquoted script.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeFileCommand } from "../../ops/exec";

describe("writeFileCommand", () => {
  it.each([["plain"], ["a b"], [`it's "q"`], ["$HOME `x`; rm"]])(
    "writes stdin to a file under %j, mode 0600, making its directory",
    (name) => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-exec-"));
      try {
        const file = path.join(root, name, "sub", "secret");
        const [sh, flag, script] = writeFileCommand(file);
        expect([sh, flag]).toEqual(["sh", "-c"]);
        const r = spawnSync(sh, [flag, script], { input: "s3cret\n", encoding: "utf8" });
        expect(r.status).toBe(0);
        expect(fs.readFileSync(file, "utf8")).toBe("s3cret\n");
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        expect(fs.existsSync(`${file}.tmp`)).toBe(false);
        expect(fs.readdirSync(root)).toEqual([name]);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  );

  it("is one script in one argv element, so no word splitting touches it", () => {
    expect(writeFileCommand("/data/k3s-token")).toEqual([
      "sh",
      "-c",
      "umask 077 && mkdir -p /data && cat > /data/k3s-token.tmp && mv /data/k3s-token.tmp /data/k3s-token",
    ]);
  });
});
