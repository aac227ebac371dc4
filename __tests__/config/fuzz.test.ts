import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import * as ipaddr from "ipaddr.js";
import { ConfigError } from "../../config/errors";
import { validateConfigText } from "../../config/load";
import { parseConfigText } from "../../config/parse";
import { ALL_KEYS, clusterConfigSchema } from "../../config/schema";

// Property-based checks: whatever a config file holds, the parser and the
// schema either return a result or throw the project's ConfigError (never a
// TypeError, RangeError or a zod crash), and nothing in the file is executed.

const EXAMPLE = fs.readFileSync(path.join(__dirname, "../../clusters/fly-k3s-poc/config"), "utf8");
const RUNS = { numRuns: 300 };

/** Text made of the pieces that matter to a shell-style parser. */
const shellish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "=",
        '"',
        "'",
        "\\",
        "$",
        "$(",
        ")",
        "`",
        "${",
        "}",
        "#",
        " ",
        "\t",
        "\n",
        "\r\n",
        ";",
        "|",
        "&",
        "<",
        ">",
        "export ",
        "A",
        "KEY",
        "CLUSTER_CIDR",
        "\u0000",
        "é",
        "💥",
      ),
      fc.string({ unit: "binary", maxLength: 8 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

/** The example with one line replaced by arbitrary text, or a value swapped. */
const mutatedExample = fc
  .tuple(fc.nat({ max: 14 }), shellish, fc.boolean())
  .map(([index, text, asValue]) => {
    const lines = EXAMPLE.split("\n");
    const key = lines[index]?.split("=")[0] ?? "X";
    lines[index] = asValue ? `${key}=${text}` : text;
    return lines.join("\n");
  });

/** A CIDR with no host bits, as the schema requires, so range checks are reached. */
const ipv6Range = fc
  .tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 }))
  .map(([ip, bits]) => ipaddr.IPv6.networkAddressFromCIDR(`${ip}/${bits}`).toString() + `/${bits}`);
const ipv4Range = fc
  .tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 }))
  .map(([ip, bits]) => ipaddr.IPv4.networkAddressFromCIDR(`${ip}/${bits}`).toString() + `/${bits}`);
const dualStack = fc.tuple(ipv6Range, ipv4Range).map(([a, b]) => `"${a},${b}"`);

function expectConfigErrorOrResult(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
}

describe("config parsing and validation never crash", () => {
  it("parseConfigText returns issues, never throws, on arbitrary text", () => {
    fc.assert(
      fc.property(fc.oneof(shellish, fc.string({ unit: "binary" })), (text) => {
        const result = parseConfigText(text);
        expect(result.lineCount).toBeGreaterThanOrEqual(1);
      }),
      RUNS,
    );
  });

  it("validateConfigText returns a config or throws ConfigError on arbitrary text", () => {
    fc.assert(
      fc.property(fc.oneof(shellish, mutatedExample), (text) => {
        expectConfigErrorOrResult(() => validateConfigText("f", text));
      }),
      RUNS,
    );
  });

  it("the schema reports, never throws, on arbitrary values for every key", () => {
    const values = fc.record(
      Object.fromEntries(ALL_KEYS.map((k) => [k, fc.string({ unit: "binary", maxLength: 30 })])),
    );
    fc.assert(
      fc.property(values, (v) => {
        expect(() => clusterConfigSchema.safeParse(v)).not.toThrow();
      }),
      RUNS,
    );
  });

  it("address-plan checks hold up on arbitrary well-formed ranges and versions", () => {
    fc.assert(
      fc.property(
        dualStack,
        dualStack,
        fc.oneof(fc.ipV6(), fc.constant("dead:beef:2::10")),
        fc.integer({ min: 31, max: 99 }),
        (pods, services, dns, minor) => {
          const text = EXAMPLE.replace(/^CLUSTER_CIDR=.*$/m, `CLUSTER_CIDR=${pods}`)
            .replace(/^SERVICE_CIDR=.*$/m, `SERVICE_CIDR=${services}`)
            .replace(/^CLUSTER_DNS=.*$/m, `CLUSTER_DNS="${dns}"`)
            .replace(/^K3S_VERSION=.*$/m, `K3S_VERSION=v1.${minor}.0+k3s1`);
          expectConfigErrorOrResult(() => validateConfigText("f", text));
        },
      ),
      RUNS,
    );
  });
});

describe("config files are read, never run", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-fuzz-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("command substitutions and backticks in any value create no file", () => {
    const marker = path.join(dir, "executed");
    const payloads = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `"$(touch ${marker})"`,
      `'$(touch ${marker})'`,
      `x;touch ${marker}`,
      `\${HOME:+$(touch ${marker})}`,
    ];
    fc.assert(
      fc.property(
        fc.nat({ max: 13 }),
        fc.constantFrom(...payloads),
        fc.constantFrom("", "export ", "  "),
        (index, payload, prefix) => {
          const lines = EXAMPLE.split("\n");
          const key = lines[index].split("=")[0];
          lines[index] = `${prefix}${key}=${payload}`;
          expectConfigErrorOrResult(() => validateConfigText("f", lines.join("\n")));
          parseConfigText(lines.join("\n"));
          expect(fs.existsSync(marker)).toBe(false);
        },
      ),
      RUNS,
    );
  });
});
