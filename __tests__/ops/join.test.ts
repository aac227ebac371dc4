import { joinAndWaitReady, joinNode } from "../../ops/join";
import { MachinesApi } from "../../ops/machines-api";

describe("joinAndWaitReady", () => {
  it("writes the token through exec stdin, then waits until the node is Ready", async () => {
    const execs: { machine: string; command: string[]; stdin?: string }[] = [];
    let kubectlCalls = 0;
    const fn = (async (url: string, init: RequestInit) => {
      const u = new URL(url);
      let body: unknown;
      if (u.pathname === "/v1/apps/cp/machines") {
        body = [{ id: "b1", name: "ctrl-0", private_ip: "fdaa::2", config: {} }];
      } else if (u.pathname === "/v1/apps/ng/machines") {
        body = [{ id: "w1", name: "worker-ng-0-0", private_ip: "fdaa::9", config: {} }];
      } else if (u.pathname.endsWith("/exec")) {
        const req = JSON.parse(init.body as string) as { command: string[]; stdin?: string };
        execs.push({ machine: u.pathname.split("/")[5], command: req.command, stdin: req.stdin });
        let stdout = "";
        if (req.command[0] === "cat") stdout = "K10abc::server:s3cret\n";
        if (req.command.join(" ") === "k3s kubectl get nodes -o json") {
          kubectlCalls++;
          const ready = kubectlCalls > 1 ? "True" : "False";
          stdout = JSON.stringify({
            items: [
              {
                metadata: { name: "w1.vm.ng.internal" },
                status: {
                  addresses: [{ type: "InternalIP", address: "fdaa::9" }],
                  conditions: [{ type: "Ready", status: ready }],
                },
              },
            ],
          });
        }
        body = { exit_code: 0, stdout, stderr: "" };
      }
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    const api = new MachinesApi({ baseUrl: "http://f/v1", token: "t", fetch: fn });
    const name = await joinAndWaitReady(api, "cp", "ctrl-0", "ng", "worker-ng-0-0", () => {}, 30);
    expect(name).toBe("w1.vm.ng.internal");
    expect(execs[0]).toEqual({
      machine: "b1",
      command: ["cat", "/data/k3s/server/token"],
      stdin: undefined,
    });
    // The shell script is one argv element: no word splitting (ours or Fly's) touches it.
    expect(execs[1]).toEqual({
      machine: "w1",
      command: [
        "sh",
        "-c",
        "umask 077 && mkdir -p /data && cat > /data/k3s-token.tmp && mv /data/k3s-token.tmp /data/k3s-token",
      ],
      stdin: "K10abc::server:s3cret\n",
    });
    expect(kubectlCalls).toBe(2);
  }, 20000);
});

describe("joinNode on a server that names a snapshot bucket", () => {
  const keys = {
    SNAPSHOT_S3_ACCESS_KEY_ID: "AKIDJOINTEST",
    SNAPSHOT_S3_SECRET_ACCESS_KEY: "join/secret+KEY",
  };
  async function join(env: NodeJS.ProcessEnv, bucket = "etcd") {
    const execs: { command: string[]; stdin?: string }[] = [];
    const fn = (async (url: string, init: RequestInit) => {
      const u = new URL(url);
      let body: unknown;
      if (u.pathname === "/v1/apps/cp/machines") {
        body = [
          { id: "b1", name: "ctrl-0", private_ip: "fdaa::2", config: {} },
          {
            id: "s2",
            name: "ctrl-1",
            private_ip: "fdaa::3",
            state: "started",
            config: { env: { K3S_ROLE: "server", K3S_SNAPSHOT_S3_BUCKET: bucket } },
          },
        ];
      } else if (u.pathname.endsWith("/exec")) {
        const req = JSON.parse(init.body as string) as { command: string[]; stdin?: string };
        if (u.pathname.split("/")[5] === "s2") execs.push(req);
        body = { exit_code: 0, stdout: req.command[0] === "cat" ? "K10abc::server:s3cret\n" : "" };
      }
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    const api = new MachinesApi({ baseUrl: "http://f/v1", token: "t", fetch: fn });
    const lines: string[] = [];
    await joinNode(api, "cp", "ctrl-0", "cp", "ctrl-1", (l) => lines.push(l), 30, env);
    return { files: execs.map((e) => e.command[2].split(" ").pop()), execs, lines };
  }

  it("writes the S3 keys before the join token, which its k3s waits for", async () => {
    const { files, execs, lines } = await join(keys);
    expect(files).toEqual(["/data/fly-k3s/s3-credentials", "/data/k3s-token"]);
    expect(execs[0].stdin).toBe(
      "etcd-s3-access-key=AKIDJOINTEST\netcd-s3-secret-key=join/secret+KEY\n",
    );
    expect(lines.join("\n")).not.toContain("join/secret+KEY");
    expect(lines).toContain(
      "S3 snapshot credentials written (0600, on the volume) before k3s starts: cp/ctrl-1",
    );
  });

  it("writes only the token without keys in the environment or without a bucket", async () => {
    expect((await join({})).files).toEqual(["/data/k3s-token"]);
    expect((await join(keys, "")).files).toEqual(["/data/k3s-token"]);
  });
});
