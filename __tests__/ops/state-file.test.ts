/**
 * The refreshed state a saved plan carries, and why a push was refused
 * (ops/state-file.ts). OpenTofu's own plan files and refusals are met in
 * integration/rolls-in-turns.test.ts and remote-state.test.ts; here, the
 * files and texts they are read from.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { strToU8, zipSync } from "fflate";
import { pushRefusal, refreshedStateOf } from "../../ops/state-file";

describe("refreshedStateOf", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-planfile-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: Uint8Array | string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  };

  it("takes the plan's tfstate with the next serial, leaving tfstate-prev", () => {
    const p = file(
      "plan",
      zipSync({
        tfplan: strToU8("x"),
        tfstate: strToU8(JSON.stringify({ serial: 3, lineage: "L", resources: [{ a: 1 }] })),
        "tfstate-prev": strToU8(JSON.stringify({ serial: 3, lineage: "L", resources: [] })),
      }),
    );
    expect(refreshedStateOf(p)).toEqual({ serial: 4, lineage: "L", resources: [{ a: 1 }] });
  });

  it.each([
    ["not a zip (an encrypted plan)", "\x00encrypted"],
    ["a zip without tfstate", zipSync({ tfplan: strToU8("x") })],
    ["a tfstate without a serial", zipSync({ tfstate: strToU8("{}") })],
  ])("is undefined for %s", (_, bytes) => {
    expect(refreshedStateOf(file("other", bytes))).toBeUndefined();
  });

  it("is undefined for a missing file", () => {
    expect(refreshedStateOf(path.join(dir, "missing"))).toBeUndefined();
  });
});

describe("pushRefusal", () => {
  it("names a lock held elsewhere, as OpenTofu's boxed, coloured error says it", () => {
    const stderr =
      "\x1b[31m╷\x1b[0m\x1b[0m\n\x1b[31m│\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1mError acquiring the state lock\x1b[0m\n";
    expect(pushRefusal(stderr)).toBe("another run holds the state's lock");
  });

  it("gives OpenTofu's first error otherwise", () => {
    expect(pushRefusal("Error: Failed to write the imported state\n\ncannot overwrite")).toBe(
      "tofu state push: Failed to write the imported state",
    );
    expect(pushRefusal("")).toBe("tofu state push failed");
  });
});
