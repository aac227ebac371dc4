/**
 * Machines: the service the routes use. It ties together the parts, one job
 * per file:
 *
 *  - machine-lifecycle.ts: state machine, launch/start/stop/destroy;
 *  - machine-queue.ts: one queue of slow work per machine;
 *  - machine-config.ts: config checks against state, placement;
 *  - container-spec.ts: Fly config → podman container;
 *  - leases.ts, reconcile.ts (containers → states), machine-host.ts (host loss).
 *
 * Request bodies arrive already checked by machine-schemas.ts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ExecResult } from "../contract/machines-api-types";
import type { Apps } from "./apps";
import type { Context } from "./context";
import { ApiError, badRequest, conflict, notFound, preconditionFailed } from "./errors";
import { machineId, machineName, ulid } from "./ids";
import { acquireLease, checkLease, currentLease, releaseLease } from "./leases";
import { checkMachineConfig, placeMachine } from "./machine-config";
import { loseHost } from "./machine-host";
import { MachineLifecycle, type StartResult } from "./machine-lifecycle";
import { MachineQueues } from "./machine-queue";
import type { ExecBody, MachineCreateBody, MachineUpdateBody } from "./machine-schemas";
import { machineAddress } from "./network";
import type { ContainerSpec } from "./podman";
import { Reconciler } from "./reconcile";
import { execArgv } from "./shellwords";
import type { AppRecord, Lease, MachineRecord } from "./types";

export { parseImageRef } from "./container-spec";

export class Machines {
  private readonly queues = new MachineQueues();
  private readonly life: MachineLifecycle;
  private readonly reconciler: Reconciler;
  /** `<app>/<name>` of creates in flight, so parallel creates cannot share a name. */
  private readonly reservedNames = new Set<string>();

  constructor(
    private readonly ctx: Context,
    private readonly apps: Apps,
  ) {
    this.life = new MachineLifecycle(ctx, apps, this.queues, {
      launched: (m) => this.reconciler.forget(m.id),
    });
    this.reconciler = new Reconciler(ctx, this.life);
  }

  private get state() {
    return this.ctx.store.state;
  }

  containerName(m: MachineRecord): string {
    return this.life.containerName(m);
  }

  spec(m: MachineRecord): ContainerSpec {
    return this.life.spec(m);
  }

  /** Regions machines may use (the setting, read live). */
  regions(): readonly string[] {
    return this.ctx.settings.regions;
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

  checkLease(m: MachineRecord, headerNonce: string | undefined): void {
    checkLease(m, headerNonce);
  }

  acquireLease(m: MachineRecord, ttlSec: number, description: string, headerNonce?: string) {
    const lease = acquireLease(m, ttlSec, description, headerNonce);
    this.ctx.store.save();
    return lease;
  }

  releaseLease(m: MachineRecord, headerNonce: string | undefined): void {
    releaseLease(m, headerNonce);
    this.ctx.store.save();
  }

  currentLease(m: MachineRecord): Lease | undefined {
    return currentLease(m);
  }

  // --- create / update -----------------------------------------------------

  private nameTaken(app: AppRecord, name: string): boolean {
    return (
      this.reservedNames.has(`${app.name}/${name}`) || this.list(app).some((m) => m.name === name)
    );
  }

  /**
   * With `uniqueMachineNames`, a name a live machine of the app has is refused
   * (409). The name is reserved before the first await: parallel creates race.
   */
  private reserveName(app: AppRecord, wanted: string | undefined): string | undefined {
    if (!this.ctx.settings.uniqueMachineNames) return undefined;
    let name = wanted;
    if (name && this.nameTaken(app, name)) {
      throw conflict(`machine name "${name}" is already used in app ${app.name}`);
    }
    while (!name || this.nameTaken(app, name)) name = machineName();
    this.reservedNames.add(`${app.name}/${name}`);
    return name;
  }

  async create(app: AppRecord, body: MachineCreateBody): Promise<MachineRecord> {
    const { region } = body;
    const reserved = this.reserveName(app, body.name || undefined);
    const name = reserved ?? (body.name || machineName());
    try {
      const { config, imageRef, zone } = await checkMachineConfig(
        this.ctx,
        app,
        body.config,
        region,
      );
      const org = await this.apps.ensureOrg(app.org);
      const machineZone = zone ?? placeMachine(this.ctx, region);
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
      this.life.event(m, "launch", "created", "user");
      this.state.machines[id] = m;
      const vol = config.mounts?.[0] && this.state.volumes[config.mounts[0].volume];
      if (vol) vol.attachedMachineId = id;
      this.ctx.store.save();
      // Fly answers a create with the machine as "created"; the launch follows.
      const created: MachineRecord = { ...m, events: [...m.events] };
      if (body.skip_launch !== true) this.life.launchCreated(m);
      return created;
    } finally {
      if (reserved) this.reservedNames.delete(`${app.name}/${reserved}`);
    }
  }

  async update(m: MachineRecord, body: MachineUpdateBody): Promise<MachineRecord> {
    const app = this.apps.get(m.app);
    if (body.region !== undefined && body.region !== m.region)
      throw badRequest(`region cannot change (${m.region} -> ${body.region})`);
    const { config, imageRef } = await checkMachineConfig(this.ctx, app, body.config, m.region, m);
    this.life.assertAlive(m);
    m.config = config;
    m.imageRef = imageRef;
    m.instanceId = ulid();
    m.updatedAt = Date.now();
    this.life.event(m, "update", "pending", "user");
    this.life.relaunch(m, body.skip_launch === true);
    this.ctx.store.save();
    return m;
  }

  // --- lifecycle -----------------------------------------------------------

  start(m: MachineRecord): StartResult {
    return this.life.start(m);
  }

  stop(m: MachineRecord): void {
    this.life.stop(m);
  }

  suspend(m: MachineRecord): void {
    this.life.suspend(m);
  }

  restart(m: MachineRecord): void {
    this.life.restart(m);
  }

  cordon(m: MachineRecord, cordoned: boolean): void {
    m.cordoned = cordoned;
    this.ctx.store.save();
  }

  /** Answer at once: `destroying` now, `destroyed` after the `destroyDelayMs` setting. */
  destroy(m: MachineRecord, force: boolean): void {
    this.life.destroy(m, force);
  }

  /** Destroy without delay and wait for the end (app deletion). */
  async destroyNow(m: MachineRecord): Promise<void> {
    this.life.destroy(m, true, 0);
    await this.queues.settled(m.id);
  }

  /** Host loss (admin fault): see machine-host.ts. Resolves once the machine is gone or back. */
  loseHost(m: MachineRecord, opts: { renumber: boolean }): Promise<void> {
    return loseHost(this.ctx, this.apps, this.life, m, opts);
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
      await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
    }
  }

  async exec(m: MachineRecord, body: ExecBody) {
    const argv = execArgv(body);
    if (argv.length === 0) throw badRequest("cmd is empty");
    await this.refresh();
    if (m.state !== "started") {
      throw preconditionFailed(`failed_precondition: machine ${m.id} is ${m.state}, not started`);
    }
    const timeoutSec = body.timeout ?? 30;
    const r = await this.ctx.podman.exec(
      this.containerName(m),
      argv,
      timeoutSec * 1000,
      body.stdin,
    );
    if (r.timedOut)
      throw new ApiError(408, `deadline_exceeded: command did not finish within ${timeoutSec}s`);
    return { exit_code: r.code, stdout: r.stdout, stderr: r.stderr } satisfies ExecResult;
  }

  setMetadata(m: MachineRecord, key: string, value: string): void {
    this.life.assertAlive(m);
    m.config = { ...m.config, metadata: { ...(m.config.metadata ?? {}), [key]: value } };
    this.ctx.store.save();
  }

  deleteMetadata(m: MachineRecord, key: string): void {
    this.life.assertAlive(m);
    const md = { ...(m.config.metadata ?? {}) };
    if (!(key in md)) throw notFound(`metadata key not found: ${key}`);
    delete md[key];
    m.config = { ...m.config, metadata: md };
    this.ctx.store.save();
  }

  // --- background ----------------------------------------------------------

  /** Sync states with containers (see reconcile.ts); `force` adopts at start-up. */
  refresh(force = false): Promise<void> {
    return this.reconciler.refresh(force);
  }

  /** Wait for all queued background work (used by close()). */
  idle(): Promise<void> {
    return this.queues.idle();
  }
}
