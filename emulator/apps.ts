/** Apps, their orgs (each with a 6PN network and DNS server) and app secrets. */
import { createHash } from "node:crypto";
import type { Context } from "./context";
import { DnsServer, type DnsView } from "./dns";
import { notFound, unprocessable } from "./errors";
import { appId } from "./ids";
import { InternalApiRelay } from "./internal-api";
import { dnsAddress } from "./network";
import type { AppRecord, OrgRecord, SecretRecord } from "./types";

export class Apps {
  constructor(private readonly ctx: Context) {}

  private get state() {
    return this.ctx.store.state;
  }

  get(name: string): AppRecord {
    const app = this.state.apps[name];
    if (!app) throw notFound(`app not found: ${name}`);
    return app;
  }

  list(org?: string): AppRecord[] {
    return Object.values(this.state.apps).filter((a) => !org || a.org === org);
  }

  counts(app: string): { machines: number; volumes: number } {
    const machines = Object.values(this.state.machines).filter(
      (m) => m.app === app && m.state !== "destroyed",
    ).length;
    const volumes = Object.values(this.state.volumes).filter((v) => v.app === app).length;
    return { machines, volumes };
  }

  /** Create an app (input checked by the route's schema). */
  async create(input: { name: string; org: string; network?: string }): Promise<AppRecord> {
    const { name, org } = input;
    if (this.state.apps[name])
      throw unprocessable(`app name "${name}" is already taken`, "name_taken");
    await this.ensureOrg(org);
    const app: AppRecord = {
      id: appId(),
      name,
      org,
      network: input.network || "default",
      createdAt: Date.now(),
      secrets: {},
      secretsVersion: 0,
    };
    this.state.apps[name] = app;
    this.ctx.store.save();
    return app;
  }

  org(slug: string): OrgRecord {
    const o = this.state.orgs[slug];
    if (!o) throw new Error(`internal: org ${slug} has no network`);
    return o;
  }

  private readonly ensuring = new Map<string, Promise<OrgRecord>>();

  /**
   * Create the org's network and start its DNS server (idempotent; used at
   * boot too). Parallel calls for one org (apps created side by side) share
   * one run: the network, DNS server and relay are each made once.
   */
  ensureOrg(slug: string): Promise<OrgRecord> {
    const running = this.ensuring.get(slug);
    if (running) return running;
    const run = this.doEnsureOrg(slug).finally(() => this.ensuring.delete(slug));
    this.ensuring.set(slug, run);
    return run;
  }

  private async doEnsureOrg(slug: string): Promise<OrgRecord> {
    let org: OrgRecord | undefined = this.state.orgs[slug];
    for (let attempt = 0; ; attempt++) {
      if (!org) {
        org = await this.ctx.networks.allocate(slug, Object.values(this.state.orgs), attempt);
        this.state.orgs[slug] = org;
        this.ctx.store.save();
      }
      try {
        await this.ctx.networks.ensure(org);
        break;
      } catch (e) {
        // Another emulator may have taken the same subnets meanwhile: pick again
        // (only while no machine uses this org's addresses yet).
        const used = Object.values(this.state.machines).some(
          (m) => this.state.apps[m.app]?.org === slug,
        );
        if (attempt >= 3 || used || (await this.ctx.podman.networkExists(org.podmanNetwork)))
          throw e;
        delete this.state.orgs[slug];
        org = undefined;
      }
    }
    if (!this.ctx.dns.has(slug)) {
      const server = new DnsServer(dnsAddress(org), this.dnsView(slug, dnsAddress(org)));
      await server.listen();
      this.ctx.dns.set(slug, server);
    }
    if (!this.ctx.relays.has(slug)) {
      const relay = new InternalApiRelay(dnsAddress(org), () => this.ctx.apiPort);
      await relay.listen();
      this.ctx.relays.set(slug, relay);
    }
    return org;
  }

  private dnsView(slug: string, apiAddress: string): DnsView {
    return {
      apiAddress,
      apps: () => this.list(slug).map((a) => a.name),
      machines: (app) =>
        Object.values(this.state.machines)
          .filter((m) => m.app === app && m.state !== "destroyed")
          .map((m) => ({
            id: m.id,
            region: m.region,
            ip: m.privateIp,
            started: m.state === "started",
            metadata: m.config.metadata ?? {},
          })),
    };
  }

  remove(name: string): void {
    delete this.state.apps[name];
    this.ctx.store.save();
  }

  // --- secrets -------------------------------------------------------------

  /** Set a secret (name and body checked by the route's schemas). */
  setSecret(app: AppRecord, name: string, input: { value: string; type?: string }): SecretRecord {
    const now = Date.now();
    const prev = app.secrets[name];
    const secret: SecretRecord = {
      value: input.value,
      type: input.type ?? "opaque",
      // Fly's digest is not the plain SHA-256 of the value; a keyed, shortened
      // hash reproduces the "digest differs from the client's" behaviour.
      digest: createHash("sha256")
        .update(`fly-emulator:${name}:${input.value}`)
        .digest("hex")
        .slice(0, 16),
      createdAt: prev?.createdAt ?? now,
      updatedAt: now,
    };
    app.secrets[name] = secret;
    app.secretsVersion++;
    this.ctx.store.save();
    return secret;
  }

  deleteSecret(app: AppRecord, name: string): void {
    if (!app.secrets[name]) throw notFound(`secret not found: ${name}`);
    delete app.secrets[name];
    app.secretsVersion++;
    this.ctx.store.save();
  }

  secretEnv(app: string): Record<string, string> {
    const a = this.state.apps[app];
    const env: Record<string, string> = {};
    for (const [k, s] of Object.entries(a?.secrets ?? {})) env[k] = s.value;
    return env;
  }
}
