/**
 * Bring machine states in line with their containers: a process that exited
 * stops its machine (`auto_destroy` then destroys it), a paused container is
 * a suspended machine; at start-up, containers left running by a previous
 * emulator process are adopted. Cheap enough to call on every read: one
 * `podman ps` at most every 500 ms.
 */
import { LABEL_INSTANCE, LABEL_MACHINE } from "../contract/podman-labels";
import type { Context } from "./context";
import { RUNNING, type MachineLifecycle } from "./machine-lifecycle";

const MIN_INTERVAL_MS = 500;

export class Reconciler {
  /** Machines whose container was seen exited once (a restart under its policy shows that briefly). */
  private readonly seenExited = new Set<string>();
  private lastRefresh = 0;
  private refreshing?: Promise<void>;

  constructor(
    private readonly ctx: Context,
    private readonly life: MachineLifecycle,
  ) {}

  private get state() {
    return this.ctx.store.state;
  }

  /** A new container runs for the machine: earlier sightings no longer count. */
  forget(id: string): void {
    this.seenExited.delete(id);
  }

  /** `adopting`: the first pass after start-up (forced, trusts the containers). */
  refresh(adopting = false): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (!adopting && Date.now() - this.lastRefresh < MIN_INTERVAL_MS) return Promise.resolve();
    this.refreshing = this.run(adopting).finally(() => {
      this.lastRefresh = Date.now();
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async run(adopting: boolean): Promise<void> {
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
      if (this.life.queues.busy(m.id)) continue;
      if (m.state === "destroying") {
        // Only an emulator restart leaves an idle machine in "destroying".
        if (adopting) this.life.resumeDestroy(m);
        continue;
      }
      const cs = byMachine.get(m.id)?.state ?? "missing";
      if (cs === "running") {
        if (m.state !== "started") {
          this.life.event(m, "start", "started", "flyd");
          this.life.setState(m, "started");
        }
      } else if (cs === "paused") {
        if (m.state !== "suspended") this.life.setState(m, "suspended");
      } else if (RUNNING.includes(m.state)) {
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
        this.life.event(m, "exit", "stopped", "flyd");
        this.life.setState(m, "stopped");
        if (m.config.auto_destroy) this.life.destroy(m, true);
      } else if (adopting && (m.state === "stopping" || m.state === "suspending")) {
        this.life.setState(m, "stopped");
      }
    }
    if (changed) this.ctx.store.save();
  }
}
