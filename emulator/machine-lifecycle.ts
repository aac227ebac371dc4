/**
 * The Fly machine state machine on top of podman containers: launch, start,
 * stop, suspend, restart, destroy. Each call checks and sets the transient
 * state at once; the slow part runs on the machine's queue (clients `wait`,
 * as on Fly).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { MACHINE_GONE, type MachineState } from "../contract/fly-states";
import type { Apps } from "./apps";
import { containerName, containerSpec, stopTimeoutSec } from "./container-spec";
import type { Context } from "./context";
import { preconditionFailed } from "./errors";
import { ulid } from "./ids";
import { assertHostCapacity } from "./machine-config";
import type { MachineQueues } from "./machine-queue";
import type { ContainerSpec } from "./podman";
import type { MachineRecord } from "./types";

/** States in which the machine's container runs (or is about to). */
export const RUNNING: readonly MachineState[] = ["started", "starting", "updating"];

export const gone = (m: MachineRecord): boolean => MACHINE_GONE.includes(m.state);

export interface StartResult {
  previous_state: string;
  migrated: boolean;
  new_host: string;
}

export interface LifecycleHooks {
  /** Called after a container was (re)started for the machine. */
  launched(m: MachineRecord): void;
}

export class MachineLifecycle {
  constructor(
    private readonly ctx: Context,
    private readonly apps: Apps,
    readonly queues: MachineQueues,
    private readonly hooks: LifecycleHooks,
  ) {}

  private get state() {
    return this.ctx.store.state;
  }

  containerName(m: MachineRecord): string {
    return containerName(this.state.instance, m.id);
  }

  event(m: MachineRecord, type: string, status: string, source: string): void {
    m.events.push({ id: ulid(), type, status, source, timestamp: Date.now() });
    if (m.events.length > 20) m.events.splice(0, m.events.length - 20);
  }

  setState(m: MachineRecord, s: MachineState): void {
    m.state = s;
    m.updatedAt = Date.now();
    this.ctx.store.save();
  }

  assertAlive(m: MachineRecord): void {
    if (gone(m)) throw preconditionFailed(`failed_precondition: machine ${m.id} is ${m.state}`);
  }

  /** Queue a background transition; a failure puts the machine in state "failed". */
  enqueue(m: MachineRecord, fn: () => Promise<void>): void {
    this.queues.enqueue(m.id, fn, (e: unknown) => {
      if (gone(m)) return;
      m.lastError = e instanceof Error ? e.message : String(e);
      this.event(m, "launch", "failed", "flyd");
      this.setState(m, "failed");
    });
  }

  spec(m: MachineRecord): ContainerSpec {
    const podmanVolumes: Record<string, string | undefined> = {};
    for (const mt of m.config.mounts ?? [])
      podmanVolumes[mt.volume] = this.state.volumes[mt.volume]?.podmanVolume;
    return containerSpec({
      machine: m,
      instance: this.state.instance,
      network: this.apps.org(this.apps.get(m.app).org).podmanNetwork,
      secrets: this.apps.secretEnv(m.app),
      podmanVolumes,
      hostCpus: cpus().length,
      hostMemoryMb: Math.floor((totalmem() / 1024 / 1024) * 0.75),
      extraArgs: this.ctx.settings.podmanArgs,
    });
  }

  /** Build the podman container for the current config and start it. */
  async launch(m: MachineRecord): Promise<void> {
    await this.firstBootDelay(m);
    const name = this.containerName(m);
    await this.ctx.podman.removeContainer(name);
    if (gone(m)) return;
    await this.ctx.podman.containerCreate(this.spec(m));
    await this.copyFiles(m, name);
    await this.ctx.podman.start(name);
    this.hooks.launched(m);
    this.event(m, "start", "started", "flyd");
    this.setState(m, "started");
  }

  /**
   * A machine's first boot waits `firstBootDelayMs` (only for the images in
   * `firstBootDelayImages` when that is non-empty): a large image pulled onto
   * a new host. A destroy cuts it short.
   */
  private async firstBootDelay(m: MachineRecord): Promise<void> {
    if (m.events.some((e) => e.type === "start")) return;
    const { firstBootDelayMs, firstBootDelayImages } = this.ctx.settings;
    if (!(firstBootDelayMs > 0)) return;
    if (firstBootDelayImages?.length && !firstBootDelayImages.includes(m.config.image)) return;
    const until = Date.now() + firstBootDelayMs;
    while (Date.now() < until && !gone(m)) await sleep(Math.min(100, until - Date.now()));
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

  /** Stop the container with the machine's signal and timeout. */
  stopContainer(m: MachineRecord): Promise<void> {
    return this.ctx.podman.stop(this.containerName(m), stopTimeoutSec(m.config));
  }

  /** The launch after a create (unless skip_launch). */
  launchCreated(m: MachineRecord): void {
    this.enqueue(m, async () => {
      if (m.state !== "created") return; // destroyed (or started) meanwhile
      this.setState(m, "starting");
      await this.launch(m);
    });
  }

  /** After an update: a running machine reboots; a stopped one starts unless skip_launch. */
  relaunch(m: MachineRecord, skipLaunch: boolean): void {
    const wasRunning = RUNNING.includes(m.state) || m.state === "suspended";
    if (!wasRunning && skipLaunch) return;
    this.setState(m, wasRunning ? "updating" : "starting");
    this.enqueue(m, async () => {
      if (wasRunning) await this.stopContainer(m).catch(() => undefined);
      await this.launch(m);
    });
  }

  start(m: MachineRecord): StartResult {
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
      assertHostCapacity(this.ctx, m.config);
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
      await this.stopContainer(m);
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
      await this.stopContainer(m).catch(() => undefined);
      this.setState(m, "starting");
      await this.launch(m);
    });
  }

  /**
   * Start destroying: the machine is `destroying` at once; after `delayMs`
   * (default: the `destroyDelayMs` setting, read now) its container goes, its
   * volume is detached and it is `destroyed`. Await `queues.settled` for the end.
   */
  destroy(m: MachineRecord, force: boolean, delayMs?: number): void {
    if (gone(m)) return;
    if (
      !force &&
      (RUNNING.includes(m.state) || m.state === "stopping" || m.state === "suspending")
    ) {
      throw preconditionFailed(
        `failed_precondition: unable to destroy machine ${m.id}, not currently stopped, suspended, or failed (state ${m.state}); stop it first or pass force=true`,
      );
    }
    m.lease = undefined;
    this.setState(m, "destroying");
    this.scheduleDestroy(m, delayMs ?? this.ctx.settings.destroyDelayMs);
  }

  /** Finish a destroy interrupted by an emulator restart. */
  resumeDestroy(m: MachineRecord): void {
    if (m.state === "destroying") this.scheduleDestroy(m, 0);
  }

  private scheduleDestroy(m: MachineRecord, delayMs: number): void {
    this.queues.enqueue(
      m.id,
      async () => {
        if (delayMs > 0) await sleep(delayMs);
        try {
          await this.ctx.podman.removeContainer(this.containerName(m));
        } finally {
          for (const v of Object.values(this.state.volumes)) {
            if (v.attachedMachineId === m.id) v.attachedMachineId = null;
          }
          m.destroyedAt = Date.now();
          this.event(m, "destroy", "destroyed", "user");
          this.setState(m, "destroyed");
        }
      },
      (e: unknown) => {
        m.lastError = e instanceof Error ? e.message : String(e);
      },
    );
  }
}
