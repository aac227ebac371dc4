/**
 * Machines: the Fly state machine on top of podman containers.
 *
 * Every launch recreates the container from the stored config (Fly's rootfs
 * is a blank slate on each boot); volumes carry data across. Slow transitions
 * (launch, stop, suspend, reboot on update) run in the background, one at a
 * time per machine, while the API answers at once with the transient state;
 * clients use `wait` as on Fly.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import type { Apps } from "./apps";
import type { Context } from "./context";
import {
  ApiError,
  badRequest,
  conflict,
  notFound,
  preconditionFailed,
  unprocessable,
} from "./errors";
import { machineId, machineName, nonce, regionZones, rfc3339, ulid } from "./ids";
import { FLY_DNS, machineAddress } from "./network";
import {
  LABEL,
  LABEL_APP,
  LABEL_INSTANCE,
  LABEL_MACHINE,
  LABEL_ZONE,
  type ContainerSpec,
} from "./podman";
import { splitShellWords } from "./shellwords";
import type { AppRecord, ImageRef, MachineConfig, MachineRecord, MachineState } from "./types";

const RUNNING: MachineState[] = ["started", "starting", "updating"];
const DEFAULT_GUEST = { cpu_kind: "shared", cpus: 1, memory_mb: 256 };

export function parseImageRef(
  image: string,
  digest: string,
  labels: Record<string, string>,
): ImageRef {
  let rest = image.split("@")[0];
  let registry = "docker.io";
  const first = rest.split("/")[0];
  if (rest.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    rest = rest.slice(first.length + 1);
  } else if (!rest.includes("/")) {
    rest = `library/${rest}`;
  }
  const colon = rest.lastIndexOf(":");
  const tag = colon > rest.lastIndexOf("/") ? rest.slice(colon + 1) : "latest";
  const repository = colon > rest.lastIndexOf("/") ? rest.slice(0, colon) : rest;
  return { registry, repository, tag, digest, labels };
}

function durationSeconds(v: string | number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === "number") return Math.max(1, Math.round(v / 1e9));
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) return fallback;
  const n = Number(m[1]);
  const sec = m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
  return Math.max(1, Math.round(sec));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringArray(v: unknown, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw badRequest(`${what} must be an array of strings`);
  }
  return v as string[];
}

export class Machines {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly busy = new Set<string>();
  private readonly seenExited = new Set<string>();
  private lastRefresh = 0;
  private refreshing?: Promise<void>;

  constructor(
    private readonly ctx: Context,
    private readonly apps: Apps,
  ) {}

  private get state() {
    return this.ctx.store.state;
  }

  containerName(m: MachineRecord): string {
    return `flyemu-${this.state.instance}-${m.id}`;
  }

  // --- lookup --------------------------------------------------------------

  get(app: AppRecord, id: string): MachineRecord {
    const m = this.state.machines[id];
    if (!m || m.app !== app.name) throw notFound(`machine not found: ${id}`);
    return m;
  }

  list(app: AppRecord, includeDestroyed = false): MachineRecord[] {
    return Object.values(this.state.machines)
      .filter((m) => m.app === app.name && (includeDestroyed || m.state !== "destroyed"))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  // --- leases --------------------------------------------------------------

  /** Refuse a mutation while someone else's lease is held (Fly's 409). */
  checkLease(m: MachineRecord, headerNonce: string | undefined): void {
    const l = m.lease;
    if (!l) return;
    if (l.expiresAt <= Date.now()) {
      m.lease = undefined;
      return;
    }
    if (headerNonce !== l.nonce) {
      throw conflict(
        `aborted: machine ID ${m.id} lease currently held by ${l.owner}, expires at ${rfc3339(l.expiresAt)}`,
      );
    }
  }

  acquireLease(m: MachineRecord, ttlSec: number, description: string, headerNonce?: string) {
    this.checkLease(m, headerNonce);
    const lease = {
      nonce: m.lease?.nonce ?? nonce(),
      owner: "local@tokens.fly.io",
      description,
      expiresAt: Date.now() + ttlSec * 1000,
      version: ulid(),
    };
    m.lease = lease;
    this.ctx.store.save();
    return lease;
  }

  releaseLease(m: MachineRecord, headerNonce: string | undefined): void {
    if (!m.lease || m.lease.expiresAt <= Date.now()) {
      m.lease = undefined;
      return;
    }
    if (!headerNonce)
      throw badRequest("fly-machine-lease-nonce header is required to release a lease");
    this.checkLease(m, headerNonce);
    m.lease = undefined;
    this.ctx.store.save();
  }

  // --- create / update -----------------------------------------------------

  private async validateConfig(
    app: AppRecord,
    raw: unknown,
    region: string,
    existing?: MachineRecord,
  ): Promise<{ config: MachineConfig; imageRef: ImageRef; zone: string | undefined }> {
    if (!isObject(raw)) throw badRequest("config is required and must be an object");
    if (typeof raw.image !== "string" || raw.image === "")
      throw badRequest("config.image is required");
    for (const key of ["env", "metadata"] as const) {
      const v = raw[key];
      if (v !== undefined && v !== null) {
        if (!isObject(v) || Object.values(v).some((x) => typeof x !== "string")) {
          throw badRequest(`config.${key} must be an object of strings`);
        }
      }
    }
    if (raw.init !== undefined && raw.init !== null) {
      if (!isObject(raw.init)) throw badRequest("config.init must be an object");
      for (const k of ["exec", "entrypoint", "cmd"]) stringArray(raw.init[k], `config.init.${k}`);
    }
    if (raw.guest !== undefined && raw.guest !== null) {
      if (!isObject(raw.guest)) throw badRequest("config.guest must be an object");
      const { cpus: c, memory_mb: mem } = raw.guest;
      if (c !== undefined && (typeof c !== "number" || !Number.isInteger(c) || c < 1)) {
        throw badRequest(`config.guest.cpus must be a positive integer (got ${JSON.stringify(c)})`);
      }
      if (
        mem !== undefined &&
        (typeof mem !== "number" || !Number.isInteger(mem) || mem < 256 || mem % 256 !== 0)
      ) {
        throw badRequest(
          `config.guest.memory_mb must be a multiple of 256, at least 256 (got ${JSON.stringify(mem)})`,
        );
      }
    }
    if (raw.files !== undefined && raw.files !== null) {
      if (!Array.isArray(raw.files)) throw badRequest("config.files must be an array");
      for (const f of raw.files) {
        if (!isObject(f) || typeof f.guest_path !== "string" || !f.guest_path.startsWith("/")) {
          throw badRequest("config.files[].guest_path must be an absolute path");
        }
        if (typeof f.raw_value !== "string" && typeof f.secret_name !== "string") {
          throw badRequest(
            `config.files[] for ${f.guest_path} needs raw_value (base64) or secret_name`,
          );
        }
      }
    }
    let zone: string | undefined;
    if (raw.mounts !== undefined && raw.mounts !== null) {
      if (!Array.isArray(raw.mounts)) throw badRequest("config.mounts must be an array");
      if (raw.mounts.length > 1) throw badRequest("a machine can mount at most one volume");
      const mount = raw.mounts[0];
      if (mount !== undefined) {
        if (
          !isObject(mount) ||
          typeof mount.volume !== "string" ||
          typeof mount.path !== "string"
        ) {
          throw badRequest("config.mounts[0] needs volume and path");
        }
        const vol = this.state.volumes[mount.volume];
        if (!vol || vol.app !== app.name) throw notFound(`volume not found: ${mount.volume}`);
        const prev = existing?.config.mounts?.[0]?.volume;
        if (existing && prev !== mount.volume) {
          throw badRequest(
            `the mounted volume of machine ${existing.id} cannot change (${prev ?? "none"} -> ${mount.volume}); destroy and recreate the machine`,
          );
        }
        if (vol.region !== region) {
          throw badRequest(
            `volume ${vol.id} is in region ${vol.region}, but the machine is in ${region}`,
          );
        }
        if (vol.attachedMachineId && vol.attachedMachineId !== existing?.id) {
          const other = this.state.machines[vol.attachedMachineId];
          if (other && other.state !== "destroyed") {
            throw preconditionFailed(
              `failed_precondition: volume ${vol.id} is already attached to machine ${vol.attachedMachineId}`,
            );
          }
        }
        zone = vol.zone;
      }
    }
    if (!(Array.isArray(raw.mounts) && raw.mounts.length) && existing?.config.mounts?.length) {
      throw badRequest(
        `the mounted volume of machine ${existing.id} cannot be removed by an update`,
      );
    }
    const img = await this.ctx.podman.imageDigest(raw.image);
    if (!img) {
      throw unprocessable(
        `image ${JSON.stringify(raw.image)} not found: the local emulator only runs images present in podman (podman build/import/load it first)`,
      );
    }
    const config = { ...(raw as MachineConfig) };
    if (config.guest === undefined || config.guest === null) config.guest = { ...DEFAULT_GUEST };
    return { config, imageRef: parseImageRef(raw.image, img.digest, img.labels), zone };
  }

  async create(app: AppRecord, body: Record<string, unknown>): Promise<MachineRecord> {
    const region = body.region ?? "iad";
    if (typeof region !== "string" || !this.ctx.settings.regions.includes(region)) {
      throw badRequest(
        `invalid region ${JSON.stringify(region)}: use one of ${this.ctx.settings.regions.join(", ")}`,
      );
    }
    if (
      body.name !== undefined &&
      (typeof body.name !== "string" || !/^[a-zA-Z0-9-_.]{0,63}$/.test(body.name))
    ) {
      throw badRequest(`invalid machine name ${JSON.stringify(body.name)}`);
    }
    const name = (body.name as string | undefined) || machineName();
    if (this.list(app).some((m) => m.name === name)) {
      throw conflict(`machine name "${name}" is already used in app ${app.name}`);
    }
    const { config, imageRef, zone } = await this.validateConfig(app, body.config, region);
    const org = await this.apps.ensureOrg(app.org);
    const zones = regionZones(region, this.ctx.settings.zonesPerRegion);
    const machineZone = zone ?? zones[Math.floor(Math.random() * zones.length)];
    const taken = new Set(Object.values(this.state.machines).map((m) => m.privateIp));
    const now = Date.now();
    let id = machineId();
    while (this.state.machines[id]) id = machineId();
    const m: MachineRecord = {
      id,
      app: app.name,
      name,
      region,
      zone: machineZone,
      state: "created",
      instanceId: ulid(now),
      privateIp: machineAddress(org, machineZone, taken),
      createdAt: now,
      updatedAt: now,
      config,
      imageRef,
      events: [],
      cordoned: false,
    };
    this.event(m, "launch", "created", "user");
    this.state.machines[id] = m;
    const vol = config.mounts?.[0] && this.state.volumes[config.mounts[0].volume];
    if (vol) vol.attachedMachineId = id;
    this.ctx.store.save();
    // Fly answers a create with the machine as "created"; the launch follows.
    const created: MachineRecord = { ...m, events: [...m.events] };
    if (body.skip_launch !== true) {
      this.enqueue(m, async () => {
        if (m.state !== "created") return; // destroyed (or started) meanwhile
        this.setState(m, "starting");
        await this.launch(m);
      });
    }
    return created;
  }

  async update(m: MachineRecord, body: Record<string, unknown>): Promise<MachineRecord> {
    const app = this.apps.get(m.app);
    const region = body.region ?? m.region;
    if (region !== m.region)
      throw badRequest(`region cannot change (${m.region} -> ${String(region)})`);
    const { config, imageRef } = await this.validateConfig(app, body.config, m.region, m);
    this.assertAlive(m);
    m.config = config;
    m.imageRef = imageRef;
    m.instanceId = ulid();
    m.updatedAt = Date.now();
    this.event(m, "update", "pending", "user");
    const wasRunning = RUNNING.includes(m.state) || m.state === "suspended";
    if (wasRunning || body.skip_launch !== true) {
      this.setState(m, wasRunning ? "updating" : "starting");
      this.enqueue(m, async () => {
        if (wasRunning)
          await this.ctx.podman
            .stop(this.containerName(m), this.stopTimeout(m))
            .catch(() => undefined);
        await this.launch(m);
      });
    }
    this.ctx.store.save();
    return m;
  }

  // --- lifecycle -----------------------------------------------------------

  private assertAlive(m: MachineRecord): void {
    if (m.state === "destroyed" || m.state === "destroying") {
      throw preconditionFailed(`failed_precondition: machine ${m.id} is ${m.state}`);
    }
  }

  start(m: MachineRecord): { previous_state: string; migrated: boolean; new_host: string } {
    this.assertAlive(m);
    const previous = m.state;
    if (previous === "suspended") {
      this.setState(m, "starting");
      this.enqueue(m, async () => {
        await this.ctx.podman.unpause(this.containerName(m));
        this.event(m, "start", "started", "user");
        this.setState(m, "started");
      });
    } else if (!RUNNING.includes(previous) && previous !== "stopping") {
      this.setState(m, "starting");
      this.enqueue(m, () => this.launch(m));
    } else if (previous === "stopping") {
      this.enqueue(m, async () => {
        this.setState(m, "starting");
        await this.launch(m);
      });
    }
    return { previous_state: previous, migrated: false, new_host: "" };
  }

  stop(m: MachineRecord): void {
    this.assertAlive(m);
    if (!RUNNING.includes(m.state) && m.state !== "suspended") return;
    this.setState(m, "stopping");
    this.enqueue(m, async () => {
      await this.ctx.podman.stop(this.containerName(m), this.stopTimeout(m));
      this.event(m, "exit", "stopped", "user");
      this.setState(m, "stopped");
    });
  }

  suspend(m: MachineRecord): void {
    this.assertAlive(m);
    if (m.state === "suspended") return;
    if (!RUNNING.includes(m.state)) {
      throw preconditionFailed(
        `failed_precondition: machine ${m.id} is ${m.state}, only a started machine can suspend`,
      );
    }
    this.setState(m, "suspending");
    this.enqueue(m, async () => {
      await this.ctx.podman.pause(this.containerName(m));
      this.event(m, "suspend", "suspended", "user");
      this.setState(m, "suspended");
    });
  }

  restart(m: MachineRecord): void {
    this.assertAlive(m);
    if (!RUNNING.includes(m.state)) {
      throw preconditionFailed(`failed_precondition: machine ${m.id} is ${m.state}, not started`);
    }
    this.setState(m, "stopping");
    this.enqueue(m, async () => {
      await this.ctx.podman.stop(this.containerName(m), this.stopTimeout(m)).catch(() => undefined);
      this.setState(m, "starting");
      await this.launch(m);
    });
  }

  async destroy(m: MachineRecord, force: boolean): Promise<void> {
    if (m.state === "destroyed") return;
    if (
      !force &&
      (RUNNING.includes(m.state) || m.state === "stopping" || m.state === "suspending")
    ) {
      throw preconditionFailed(
        `failed_precondition: unable to destroy machine ${m.id}, not currently stopped, suspended, or failed (state ${m.state}); stop it first or pass force=true`,
      );
    }
    this.setState(m, "destroying");
    await this.serialize(m, async () => {
      await this.ctx.podman.removeContainer(this.containerName(m));
    });
    for (const v of Object.values(this.state.volumes)) {
      if (v.attachedMachineId === m.id) v.attachedMachineId = null;
    }
    m.destroyedAt = Date.now();
    m.lease = undefined;
    this.event(m, "destroy", "destroyed", "user");
    this.setState(m, "destroyed");
  }

  async wait(m: MachineRecord, state: string, timeoutSec: number): Promise<boolean> {
    const deadline = Date.now() + timeoutSec * 1000;
    for (;;) {
      await this.refresh();
      if (m.state === state) return true;
      if (m.state === "failed" && state !== "stopped") {
        throw preconditionFailed(
          `failed_precondition: machine ${m.id} failed to launch: ${m.lastError ?? "unknown error"}`,
        );
      }
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
    }
  }

  async exec(m: MachineRecord, body: Record<string, unknown>) {
    let argv = stringArray(body.command, "command");
    if (!argv) {
      if (typeof body.cmd !== "string")
        throw badRequest("cmd (string) or command (array) is required");
      argv = splitShellWords(body.cmd);
    }
    if (argv.length === 0) throw badRequest("cmd is empty");
    const t = body.timeout;
    if (t !== undefined && (typeof t !== "number" || t <= 0))
      throw badRequest("timeout must be a positive number of seconds");
    await this.refresh();
    if (m.state !== "started") {
      throw preconditionFailed(`failed_precondition: machine ${m.id} is ${m.state}, not started`);
    }
    if (body.stdin !== undefined && typeof body.stdin !== "string")
      throw badRequest("stdin must be a string");
    const timeoutSec = typeof t === "number" ? t : 30;
    const r = await this.ctx.podman.exec(
      this.containerName(m),
      argv,
      timeoutSec * 1000,
      body.stdin,
    );
    if (r.timedOut)
      throw new ApiError(408, `deadline_exceeded: command did not finish within ${timeoutSec}s`);
    return { exit_code: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  setMetadata(m: MachineRecord, key: string, value: unknown): void {
    this.assertAlive(m);
    if (typeof value !== "string") throw badRequest("value is required and must be a string");
    m.config = { ...m.config, metadata: { ...(m.config.metadata ?? {}), [key]: value } };
    this.ctx.store.save();
  }

  deleteMetadata(m: MachineRecord, key: string): void {
    this.assertAlive(m);
    const md = { ...(m.config.metadata ?? {}) };
    if (!(key in md)) throw notFound(`metadata key not found: ${key}`);
    delete md[key];
    m.config = { ...m.config, metadata: md };
    this.ctx.store.save();
  }

  // --- internals -----------------------------------------------------------

  private event(m: MachineRecord, type: string, status: string, source: string): void {
    m.events.push({ id: ulid(), type, status, source, timestamp: Date.now() });
    if (m.events.length > 20) m.events.splice(0, m.events.length - 20);
  }

  private setState(m: MachineRecord, s: MachineState): void {
    m.state = s;
    m.updatedAt = Date.now();
    this.ctx.store.save();
  }

  private stopTimeout(m: MachineRecord): number {
    return Math.min(300, durationSeconds(m.config.stop_config?.timeout, 5));
  }

  /** Run `fn` after the machine's queued operations; errors are returned to the caller. */
  private serialize(m: MachineRecord, fn: () => Promise<void>): Promise<void> {
    const prev = this.queues.get(m.id) ?? Promise.resolve();
    const run = prev.then(async () => {
      this.busy.add(m.id);
      try {
        await fn();
      } finally {
        this.busy.delete(m.id);
      }
    });
    const tail = run.catch(() => undefined);
    this.queues.set(m.id, tail);
    void tail.then(() => {
      if (this.queues.get(m.id) === tail) this.queues.delete(m.id);
    });
    return run;
  }

  /** Queue a background transition; a failure puts the machine in state "failed". */
  private enqueue(m: MachineRecord, fn: () => Promise<void>): void {
    void this.serialize(m, fn).catch((e: unknown) => {
      if (m.state === "destroyed" || m.state === "destroying") return;
      m.lastError = e instanceof Error ? e.message : String(e);
      this.event(m, "launch", "failed", "flyd");
      this.setState(m, "failed");
    });
  }

  /** Wait for all queued background work (used by close()). */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }

  /** Build the podman container for the current config and start it. */
  private async launch(m: MachineRecord): Promise<void> {
    const name = this.containerName(m);
    await this.ctx.podman.removeContainer(name);
    if (m.state === "destroyed" || m.state === "destroying") return;
    await this.ctx.podman.containerCreate(this.spec(m));
    await this.copyFiles(m, name);
    await this.ctx.podman.start(name);
    this.seenExited.delete(m.id);
    this.event(m, "start", "started", "flyd");
    this.setState(m, "started");
  }

  private async copyFiles(m: MachineRecord, container: string): Promise<void> {
    const files = m.config.files ?? [];
    if (files.length === 0) return;
    const tmp = mkdtempSync(join(this.ctx.store.dir, "files-"));
    try {
      const secrets = this.apps.secretEnv(m.app);
      for (const f of files) {
        const b64 = f.raw_value ?? (f.secret_name ? secrets[f.secret_name] : undefined);
        if (b64 === undefined)
          throw new Error(`file ${f.guest_path}: secret ${f.secret_name} is not set`);
        const target = join(tmp, f.guest_path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, Buffer.from(b64, "base64"), { mode: f.mode ?? 0o644 });
      }
      await this.ctx.podman.copyInto(container, `${tmp}/.`, "/");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  spec(m: MachineRecord): ContainerSpec {
    const org = this.apps.org(this.apps.get(m.app).org);
    const c = m.config;
    const guest = c.guest ?? DEFAULT_GUEST;
    const memoryMb = guest.memory_mb ?? 256;
    const env: Record<string, string> = {
      ...(c.env ?? {}),
      ...this.apps.secretEnv(m.app),
      FLY_APP_NAME: m.app,
      FLY_MACHINE_ID: m.id,
      FLY_ALLOC_ID: m.id,
      FLY_REGION: m.region,
      FLY_PRIVATE_IP: m.privateIp,
      FLY_VM_MEMORY_MB: String(memoryMb),
      FLY_MACHINE_VERSION: m.instanceId,
      FLY_IMAGE_REF: c.image,
      PRIMARY_REGION: c.env?.PRIMARY_REGION ?? m.region,
    };
    const pg = c.metadata?.fly_process_group;
    if (pg) env.FLY_PROCESS_GROUP = pg;
    const policy = c.restart?.policy;
    const restart =
      policy === "no"
        ? "no"
        : policy === "always"
          ? "always"
          : `on-failure:${c.restart?.max_retries ?? 10}`;
    const init = c.init ?? {};
    const entrypoint = init.exec ?? init.entrypoint;
    const cmd = init.exec ? [] : init.cmd;
    const volumes = (c.mounts ?? []).map((mt) => ({
      source: this.state.volumes[mt.volume]?.podmanVolume ?? `missing-${mt.volume}`,
      target: mt.path,
    }));
    return {
      name: this.containerName(m),
      hostname: m.id,
      image: c.image,
      labels: {
        [LABEL]: "1",
        [LABEL_INSTANCE]: this.state.instance,
        [LABEL_APP]: m.app,
        [LABEL_MACHINE]: m.id,
        [LABEL_ZONE]: m.zone,
      },
      env,
      network: org.podmanNetwork,
      ip6: m.privateIp,
      dns: FLY_DNS,
      addHosts: { "fly-local-6pn": m.privateIp },
      cpus: Math.min(guest.cpus ?? 1, cpus().length),
      memoryMb: Math.min(memoryMb, Math.floor((totalmem() / 1024 / 1024) * 0.75)),
      restart,
      stopSignal: c.stop_config?.signal ?? "SIGINT",
      stopTimeoutSec: this.stopTimeout(m),
      entrypoint: entrypoint && entrypoint.length ? entrypoint : undefined,
      cmd: cmd && cmd.length ? cmd : undefined,
      volumes,
      extraArgs: this.ctx.settings.podmanArgs,
    };
  }

  /**
   * Bring machine states in line with their containers (a process that exited
   * stops its machine; auto_destroy then destroys it). Cheap enough to call on
   * every read: one `podman ps` at most every 500 ms.
   */
  refresh(force = false): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (!force && Date.now() - this.lastRefresh < 500) return Promise.resolve();
    this.refreshing = this.doRefresh(force).finally(() => {
      this.lastRefresh = Date.now();
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(adopting: boolean): Promise<void> {
    const list = await this.ctx.podman.containers(`${LABEL_INSTANCE}=${this.state.instance}`);
    const byMachine = new Map(list.map((c) => [c.labels[LABEL_MACHINE], c]));
    let changed = false;
    for (const m of Object.values(this.state.machines)) {
      if (m.state === "destroyed") {
        if (m.destroyedAt && Date.now() - m.destroyedAt > this.ctx.settings.destroyedTtlMs) {
          delete this.state.machines[m.id];
          changed = true;
        }
        continue;
      }
      if (this.busy.has(m.id) || this.queues.has(m.id)) continue;
      const c = byMachine.get(m.id);
      const cs = c?.state ?? "missing";
      if (adopting && m.state === "destroying") {
        await this.destroy(m, true);
        continue;
      }
      if (cs === "running" && (m.state !== "started" || adopting)) {
        if (m.state !== "started") {
          this.event(m, "start", "started", "flyd");
          this.setState(m, "started");
        }
      } else if (cs === "paused" && m.state !== "suspended") {
        this.setState(m, "suspended");
      } else if (cs !== "running" && cs !== "paused" && RUNNING.includes(m.state)) {
        // A container restarting under its policy shows "exited" briefly:
        // only a second sighting (or policy "no") counts as a stop.
        if (
          !adopting &&
          m.config.restart?.policy !== "no" &&
          !this.seenExited.has(m.id) &&
          cs !== "missing"
        ) {
          this.seenExited.add(m.id);
          continue;
        }
        this.seenExited.delete(m.id);
        this.event(m, "exit", "stopped", "flyd");
        this.setState(m, "stopped");
        if (m.config.auto_destroy) await this.destroy(m, true);
      } else if (adopting && (m.state === "stopping" || m.state === "suspending")) {
        this.setState(m, "stopped");
      }
    }
    if (changed) this.ctx.store.save();
  }
}
