/**
 * The Fly target's preflight (cli/preflight.ts): what is refused from the
 * config alone, exact messages; how Fly's answer about ORG_NAME is read; and
 * that no request is sent unless the offline checks pass.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, formatIssue } from "../../config/errors";
import { loadCluster, validateConfigText } from "../../config/load";
import { imageAppName, imageRef } from "../../cli/image";
import {
  OrgAnswer,
  askFlyForOrg,
  clustersNamed,
  flyPreflight,
  imageReference,
  orgVerdict,
  preflightAction,
} from "../../cli/preflight";
import { flyTarget } from "../../cli/target";

const ROOT = path.resolve(__dirname, "..", "..");
const POC = fs.readFileSync(path.join(ROOT, "clusters/fly-k3s-poc/config"), "utf8");
const LOCAL = fs.readFileSync(path.join(ROOT, "clusters/local/config"), "utf8");
/** The example with a real-looking org, so only NODE_IMAGE is in question. */
const POC_ORG = POC.replace('ORG_NAME="fly-org-slug-goes-here"', "ORG_NAME=personal");

/** The preflight's lines for a config text, as ./k3s.sh prints them. */
function lines(file: string, text: string): string[] {
  const config = validateConfigText(file, text);
  return flyPreflight(config, { file, text }).map((p) => formatIssue(file, p));
}

const PULL =
  "Fly cannot pull it, so every machine would fail after its app and volume were created";
const push = (dir: string, cluster: string) =>
  `npm run image -- ${dir} --push, which builds images/k3s-node, pushes it to ` +
  `registry.fly.io/${cluster}-images:<tag> and writes NODE_IMAGE into ${dir}/config`;
const ORG_FIX =
  'write your organization\'s slug, e.g. ORG_NAME="personal" (fly orgs list shows yours)';

describe("flyPreflight", () => {
  const poc = "clusters/fly-k3s-poc/config";
  const cases: [string, string, string, string[]][] = [
    [
      "the example as checked in: placeholder org, unpushed default image (line 14 is the last)",
      poc,
      POC,
      [
        `${poc}:14: ORG_NAME: "fly-org-slug-goes-here" is the example config's placeholder, not a Fly organization, so creating the first app would fail; ${ORG_FIX}`,
        `${poc}:14: NODE_IMAGE: not set, so the default "fly-k3s/k3s-node:v1.36.3-k3s1" is used, which no registry holds (it only names what images/k3s-node builds): ${PULL}; run ${push("clusters/fly-k3s-poc", "fly-k3s-poc")}`,
      ],
    ],
    [
      "clusters/local: the emulator's test image",
      "clusters/local/config",
      LOCAL,
      [
        `clusters/local/config:20: NODE_IMAGE: "localhost/fly-emulator-test:latest" is the local Fly emulator's test image (busybox, no k3s), built into this machine's podman: ${PULL}; unset FLY_API_TOKEN to run this cluster on the local Fly emulator, or delete this line and run ${push("clusters/local", "local")}`,
      ],
    ],
    [
      "a registry on this machine, with a port",
      poc,
      `${POC_ORG}NODE_IMAGE="localhost:5000/k3s-node:v1"\n`,
      [
        `${poc}:15: NODE_IMAGE: "localhost:5000/k3s-node:v1" is on a registry on this machine (localhost:5000): ${PULL}; delete this line and run ${push("clusters/fly-k3s-poc", "fly-k3s-poc")}`,
      ],
    ],
    [
      "a loopback IPv4 registry",
      poc,
      `${POC_ORG}NODE_IMAGE=127.0.0.1:5000/k3s-node\n`,
      [
        `${poc}:15: NODE_IMAGE: "127.0.0.1:5000/k3s-node" is on a registry on this machine (127.0.0.1:5000): ${PULL}; delete this line and run ${push("clusters/fly-k3s-poc", "fly-k3s-poc")}`,
      ],
    ],
    [
      "a loopback IPv6 registry",
      poc,
      `${POC_ORG}NODE_IMAGE="[::1]:5000/k3s-node:v1"\n`,
      [
        `${poc}:15: NODE_IMAGE: "[::1]:5000/k3s-node:v1" is on a registry on this machine ([::1]:5000): ${PULL}; delete this line and run ${push("clusters/fly-k3s-poc", "fly-k3s-poc")}`,
      ],
    ],
    [
      "the default name written out",
      poc,
      `${POC_ORG}NODE_IMAGE="fly-k3s/k3s-node:v1.36.3-k3s1"\n`,
      [
        `${poc}:15: NODE_IMAGE: "fly-k3s/k3s-node:v1.36.3-k3s1" is the project's default image name, which no registry holds: ${PULL}; delete this line and run ${push("clusters/fly-k3s-poc", "fly-k3s-poc")}`,
      ],
    ],
    [
      "the default name on Docker Hub, any tag",
      poc,
      `${POC_ORG}NODE_IMAGE=docker.io/fly-k3s/k3s-node:other\n`,
      [
        `${poc}:15: NODE_IMAGE: "docker.io/fly-k3s/k3s-node:other" is the project's default image name, which no registry holds: ${PULL}; delete this line and run ${push("clusters/fly-k3s-poc", "fly-k3s-poc")}`,
      ],
    ],
    [
      "an image npm run image pushed",
      poc,
      `${POC_ORG}NODE_IMAGE="registry.fly.io/fly-k3s-poc-images:v1.36.3-k3s1-0123456789ab"\n`,
      [],
    ],
    ["another registry", poc, `${POC_ORG}NODE_IMAGE=ghcr.io/acme/k3s-node:v1\n`, []],
    ["Docker Hub, which Fly pulls from", poc, `${POC_ORG}NODE_IMAGE=acme/k3s-node:v1\n`, []],
    [
      "a registry whose name only starts with localhost",
      poc,
      `${POC_ORG}NODE_IMAGE=localhost.example.com/k3s-node:v1\n`,
      [],
    ],
  ];
  it.each(cases)("%s", (_, file, text, want) => {
    expect(lines(file, text)).toEqual(want);
  });

  it("refuses an ORG_NAME that is not a slug (a config not checked by the schema)", () => {
    const text = `${POC_ORG}NODE_IMAGE=ghcr.io/acme/k3s-node:v1\n`;
    const config = { ...validateConfigText(poc, text), orgName: "Acme Corp" };
    expect(flyPreflight(config, { file: poc, text }).map((p) => formatIssue(poc, p))).toEqual([
      `${poc}:14: ORG_NAME: "Acme Corp" is not a Fly organization slug (lowercase letters, digits and dashes), so creating the first app would fail; ${ORG_FIX}`,
    ]);
  });

  it("names the reference npm run image pushes (cli/image.ts)", () => {
    expect(lines(poc, POC)[1]).toContain(imageRef(imageAppName("fly-k3s-poc"), "<tag>"));
  });
});

describe("imageReference", () => {
  it.each([
    ["localhost/fly-emulator-test:latest", { host: "localhost", repository: "fly-emulator-test" }],
    ["localhost:5000/a/b:1", { host: "localhost:5000", repository: "a/b" }],
    ["fly-k3s/k3s-node:v1", { repository: "fly-k3s/k3s-node" }],
    ["nginx", { repository: "nginx" }],
    ["nginx:1.27", { repository: "nginx" }],
    ["registry.fly.io/app:tag@sha256:abc", { host: "registry.fly.io", repository: "app" }],
  ])("%s", (ref, want) => {
    expect(imageReference(ref)).toEqual(want);
  });
});

describe("orgVerdict", () => {
  const url = "https://api.machines.dev/v1";
  const req = "GET https://api.machines.dev/v1/apps?org_slug=acme";
  const fix = "write the slug of an organization this token belongs to (fly orgs list shows them)";
  const cases: [string, OrgAnswer, ReturnType<typeof orgVerdict>][] = [
    [
      "200 with apps",
      { status: 200, body: '{"total_apps":2,"apps":[{},{}]}' },
      { kind: "known", apps: 2 },
    ],
    ["200 without a list", { status: 200, body: "{}" }, { kind: "known", apps: 0 }],
    [
      "404",
      { status: 404, body: '{"error":"organization not found"}' },
      {
        kind: "refused",
        message: `Fly knows no organization "acme" that FLY_API_TOKEN can see (${req} answered HTTP 404: organization not found); ${fix}`,
      },
    ],
    [
      "401",
      { status: 401, body: '{"error":"unauthorized"}' },
      {
        kind: "refused",
        message: `Fly refused FLY_API_TOKEN for organization "acme" (${req} answered HTTP 401: unauthorized): the token is not valid, or has no access to "acme"; use a token of that organization, or ${fix}`,
      },
    ],
    [
      "403 without a body",
      { status: 403, body: "" },
      {
        kind: "refused",
        message: `Fly refused FLY_API_TOKEN for organization "acme" (${req} answered HTTP 403: no body): the token is not valid, or has no access to "acme"; use a token of that organization, or ${fix}`,
      },
    ],
    [
      "422",
      { status: 422, body: '{"error":"invalid org_slug"}' },
      {
        kind: "refused",
        message: `Fly refused organization "acme" (${req} answered HTTP 422: invalid org_slug); ${fix}`,
      },
    ],
    [
      "503 after the retries: no verdict",
      { status: 503, body: "upstream down" },
      {
        kind: "unanswered",
        message: `could not ask Fly whether organization "acme" (ORG_NAME) exists: ${req} answered HTTP 503: upstream down; this says nothing about ORG_NAME, and nothing was created; re-run later`,
      },
    ],
    [
      "429: no verdict",
      { status: 429, body: '{"error":"rate limited"}' },
      {
        kind: "unanswered",
        message: `could not ask Fly whether organization "acme" (ORG_NAME) exists: ${req} answered HTTP 429: rate limited; this says nothing about ORG_NAME, and nothing was created; re-run later`,
      },
    ],
    [
      "a network failure: no verdict",
      { error: "fetch failed (connect ECONNREFUSED ::1:4280)" },
      {
        kind: "unanswered",
        message: `could not ask Fly whether organization "acme" (ORG_NAME) exists: ${req} failed: fetch failed (connect ECONNREFUSED ::1:4280); this says nothing about ORG_NAME, and nothing was created; check FLY_API_URL and the network, then re-run`,
      },
    ],
  ];
  it.each(cases)("%s", (_, answer, want) => {
    expect(orgVerdict("acme", url, answer)).toEqual(want);
  });
});

/** A fetch that records requests and answers from a function. */
function fakeFetch(answer: (url: string) => Response | Error) {
  const calls: { url: string; auth: string | null }[] = [];
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, auth: new Headers(init?.headers).get("authorization") });
    const a = answer(url);
    if (a instanceof Error) throw a;
    return a;
  }) as typeof fetch;
  return { fn, calls };
}

describe("askFlyForOrg", () => {
  const target = flyTarget({ FLY_API_TOKEN: "tok", FLY_API_URL: "http://fly.test/v1" })!;

  it("asks once, with the token, and returns Fly's status and body", async () => {
    const f = fakeFetch(() => new Response('{"error":"nope"}', { status: 404 }));
    expect(await askFlyForOrg(target, "acme", f.fn)).toEqual({
      status: 404,
      body: '{"error":"nope"}',
    });
    expect(f.calls).toEqual([{ url: "http://fly.test/v1/apps?org_slug=acme", auth: "Bearer tok" }]);
  });

  it("reports a network failure as one, with its cause", async () => {
    const f = fakeFetch(
      () => new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") }),
    );
    expect(await askFlyForOrg(target, "acme", f.fn)).toEqual({
      error: "fetch failed (connect ECONNREFUSED)",
    });
    expect(f.calls.length).toBe(3); // the client's attempts for a connection error
  });
});

describe("preflightAction", () => {
  let work: string;
  const write = (name: string, text: string) => {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "config"), text);
    return loadCluster(dir, `clusters/${name}`);
  };
  const fly = { FLY_API_TOKEN: "tok", FLY_API_URL: "http://fly.test/v1" };
  const ok = () => new Response('{"total_apps":0,"apps":[]}', { status: 200 });

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it("refuses the example with every problem before sending any request", async () => {
    const f = fakeFetch(ok);
    const c = write("fly-k3s-poc", POC);
    const err = await preflightAction("create", c, "clusters/fly-k3s-poc", () => {}, fly, f.fn)
      .then(() => undefined)
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message.split("\n")).toEqual(
      lines("clusters/fly-k3s-poc/config", POC),
    );
    expect(f.calls).toEqual([]);
  });

  it.each(["create", "add", "plan", "drift"] as const)(
    "checks %s: one request about ORG_NAME when the config passes",
    async (action) => {
      const f = fakeFetch(ok);
      const log: string[] = [];
      const c = write("good", `${POC_ORG}NODE_IMAGE=ghcr.io/acme/k3s-node:v1\n`);
      await preflightAction(action, c, "clusters/good", (l) => log.push(l), fly, f.fn);
      expect(f.calls.map((x) => x.url)).toEqual(["http://fly.test/v1/apps?org_slug=personal"]);
      expect(log).toEqual(["Fly.io organization personal is there (0 apps)"]);
    },
  );

  it("puts Fly's refusal of the org on ORG_NAME's line", async () => {
    const f = fakeFetch(() => new Response('{"error":"not found"}', { status: 404 }));
    const c = write("good", `${POC_ORG}NODE_IMAGE=ghcr.io/acme/k3s-node:v1\n`);
    await expect(
      preflightAction("create", c, "clusters/good", () => {}, fly, f.fn),
    ).rejects.toThrow(
      'clusters/good/config:14: ORG_NAME: Fly knows no organization "personal" that FLY_API_TOKEN can see (GET http://fly.test/v1/apps?org_slug=personal answered HTTP 404: not found); write the slug of an organization this token belongs to (fly orgs list shows them)',
    );
  });

  it.each(["destroy", "status", "list", "kubeconfig", "taint", "shell"] as const)(
    "leaves %s alone",
    async (action) => {
      const f = fakeFetch(ok);
      await preflightAction(action, write("poc", POC), "clusters/poc", () => {}, fly, f.fn);
      expect(f.calls).toEqual([]);
    },
  );

  it("is skipped, saying so, with FLY_K3S_SKIP_FLY_PREFLIGHT=1 (the emulator as the Fly target)", async () => {
    const f = fakeFetch(ok);
    const log: string[] = [];
    const env = { ...fly, FLY_K3S_SKIP_FLY_PREFLIGHT: "1" };
    await preflightAction(
      "create",
      write("poc", POC),
      "clusters/poc",
      (l) => log.push(l),
      env,
      f.fn,
    );
    expect(log).toEqual([
      "Fly preflight skipped (FLY_K3S_SKIP_FLY_PREFLIGHT=1): NODE_IMAGE and ORG_NAME are not checked",
    ]);
    expect(f.calls).toEqual([]);
  });

  it("does nothing on the local target", async () => {
    const f = fakeFetch(ok);
    await preflightAction("create", write("local", LOCAL), "clusters/local", () => {}, {}, f.fn);
    expect(f.calls).toEqual([]);
  });
});

describe("clustersNamed", () => {
  it.each([
    [["deploy", "local", "--auto-approve"], ["local"]],
    [
      ["deploy", "local", "fly-k3s-poc"],
      ["fly-k3s-poc", "local"],
    ],
    [
      ["deploy", "*"],
      ["fly-k3s-poc", "local"],
    ],
    [["diff"], ["fly-k3s-poc", "local"]],
  ])("%j", (args, want) => {
    expect(clustersNamed(args, ["fly-k3s-poc", "local"])).toEqual(want);
  });
});
