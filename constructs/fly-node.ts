import { Fn } from "cdktf";
import { Construct } from "constructs";
import { App } from "../.gen/providers/fly/app";
import { Machine } from "../.gen/providers/fly/machine";
import { Volume } from "../.gen/providers/fly/volume";
import { VmSpec } from "../config/schema";
import { ROLL_CONFIG_ENV } from "../contract/fly-machines-call";
import { MANAGED_CONFIG_FIELDS, NODE_STOP_CONFIG, guestOf } from "../contract/machine-config";
import { VOLUME_MOUNT_PATH } from "../contract/node-paths";
import { OpsStep } from "./ops-step";

export interface FlyNodeProps {
  /** Fly app the node belongs to (referenced, so the app is created first). */
  readonly app: App;
  /** Machine name, e.g. `ctrl-0`. */
  readonly machineName: string;
  readonly region: string;
  /** Volume name; every node of an app shares it and gets its own zone. */
  readonly volumeName: string;
  readonly volumeSizeGb: number;
  readonly vm: VmSpec;
  readonly image: string;
  /** Machine environment; may reference this node's volume zone through `zoneRef`. */
  readonly env: (zoneRef: string) => Record<string, string>;
  readonly metadata: Record<string, string>;
  /**
   * When set, a roll that restarts the machine waits until its node is Ready
   * again (and, with `etcd`, until etcd reports healthy through it) before the
   * step completes, so the next node's roll starts only then. Only for node
   * images that run k3s. @default no readiness wait
   */
  readonly rollReadiness?: FlyNodeRollReadiness;
}

export interface FlyNodeRollReadiness {
  /**
   * The control plane's bootstrap server, whose view of the nodes counts.
   * @default this node (the bootstrap server itself)
   */
  readonly bootstrap?: FlyNode;
  /** The node is a server: wait for etcd too. */
  readonly etcd: boolean;
}

/**
 * One k3s node: a Fly volume in a zone of its own (scheduled snapshots off)
 * and a machine that mounts it at /data.
 *
 * The provider cannot change a machine in place on Fly (it takes a lease and
 * then omits its nonce, and Fly answers 409), so Terraform creates the machine
 * and ignores later changes to the managed fields; the `roll` step applies
 * them through the Machines API under a proper lease. The provider also never
 * sends `auto_backup_enabled` on create, so the `snapshots-off` step switches
 * scheduled snapshots off once the volume exists. Both leave a clean plan.
 * The roll also sets `stop_config` (SIGTERM, 120 s), which the provider cannot
 * send at all, and, with `rollReadiness`, completes only once a restarted node
 * is Ready again (servers: and etcd healthy), so that a node that does not
 * come back stops the roll.
 *
 * Terraform creates the machine without starting it (`skip_launch`); its roll
 * step starts it once, with its final config, as soon as the machine exists,
 * behind no other machine. The roll steps are not chained in the graph: the
 * deploy gives the rolls of machines that have run their turns (one server at
 * a time, then the workers a quarter of each group at a time:
 * ops/roll-turns.ts), and such a roll refuses to run outside them.
 */
export class FlyNode extends Construct {
  readonly app: App;
  readonly volume: Volume;
  readonly machine: Machine;
  /** Complete once the machine runs the desired config. */
  readonly rolled: OpsStep;

  constructor(scope: Construct, id: string, props: FlyNodeProps) {
    super(scope, id);
    this.app = props.app;
    this.volume = new Volume(this, "volume", {
      app: this.app.name,
      name: props.volumeName,
      region: props.region,
      sizeGb: props.volumeSizeGb,
      encrypted: true,
      requireUniqueZone: true,
    });
    new OpsStep(this, "snapshots-off", {
      description: `switch scheduled snapshots off on volume ${props.volumeName} of ${props.machineName}`,
      call: { command: "snapshots-off", app: this.app.name, volume: this.volume.id },
      triggers: { volume_id: this.volume.id },
    });

    const env = props.env(this.volume.zone);
    const guest = {
      cpuKind: props.vm.cpuKind,
      cpus: props.vm.cpus,
      memoryMb: props.vm.memoryMb,
    };
    this.machine = new Machine(this, "machine", {
      app: this.app.name,
      name: props.machineName,
      region: props.region,
      image: props.image,
      env,
      metadata: props.metadata,
      guest,
      mount: { volume: this.volume.id, path: VOLUME_MOUNT_PATH },
      // max_retries is declared although Fly ignores it for "always": the
      // provider omits a 0 on the wire but stores what Fly echoes (0 when
      // absent), so leaving it unset fails every create with "inconsistent
      // result after apply".
      restart: { policy: "always", maxRetries: 0 },
      // Created, not started: its first start is the roll below, with the
      // final config (stop_config included), so it starts once.
      skipLaunch: true,
      // The roll step owns the managed fields (one list:
      // contract/machine-config.ts). skip_launch matters only on create: a
      // machine created before it was declared keeps false in its state, and
      // a change would be an in-place update, which the provider cannot do.
      lifecycle: { ignoreChanges: [...MANAGED_CONFIG_FIELDS, "skip_launch"] },
    });

    // stop_config is set by the roll only: the provider has no attribute for
    // it (so it is not in ignoreChanges above).
    const desired = Fn.jsonencode({
      image: props.image,
      env,
      metadata: props.metadata,
      guest: guestOf(guest),
      stop_config: NODE_STOP_CONFIG,
    });
    const r = props.rollReadiness;
    const viewer = r?.bootstrap ?? this;
    this.rolled = new OpsStep(this, "roll", {
      description: `bring machine ${props.machineName} to its declared config`,
      call: {
        command: "roll",
        app: this.app.name,
        machine: this.machine.id,
        waitReady: r
          ? { cpApp: viewer.app.name, bootstrap: viewer.machine.id, etcd: r.etcd }
          : undefined,
      },
      triggers: { machine_id: this.machine.id, config: desired },
      environment: { [ROLL_CONFIG_ENV]: desired },
    });
  }
}
