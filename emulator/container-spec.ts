/**
 * Fly machine config → podman container: pure functions, no I/O.
 *
 * Every launch recreates the container from the stored config (Fly's rootfs
 * is a blank slate on each boot): privileged, hostname = machine id,
 * `fly-local-6pn` in /etc/hosts, Fly's FLY_* env plus app secrets,
 * init.exec/entrypoint/cmd, guest CPUs/memory capped to the host, restart
 * policy, stop signal and timeout.
 */
import {
  LABEL,
  LABEL_APP,
  LABEL_INSTANCE,
  LABEL_MACHINE,
  LABEL_ZONE,
} from "../contract/podman-labels";
import { FLY_DNS } from "./network";
import type { ContainerSpec } from "./podman";
import type { ImageRef, MachineConfig, MachineRecord } from "./types";

/** Fly's `guest` when a config has none (shared-cpu-1x). */
export const DEFAULT_GUEST = { cpu_kind: "shared", cpus: 1, memory_mb: 256 };

/** Fly's default stop timeout, and its maximum, in seconds. */
const STOP_TIMEOUT_DEFAULT_SEC = 5;
const STOP_TIMEOUT_MAX_SEC = 300;

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

/** A duration as Fly sends it (nanoseconds, or "10s"/"500ms"/"1m") in whole seconds, at least 1. */
export function durationSeconds(v: string | number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === "number") return Math.max(1, Math.round(v / 1e9));
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) return fallback;
  const n = Number(m[1]);
  const sec = m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
  return Math.max(1, Math.round(sec));
}

export function stopTimeoutSec(c: MachineConfig): number {
  return Math.min(
    STOP_TIMEOUT_MAX_SEC,
    durationSeconds(c.stop_config?.timeout, STOP_TIMEOUT_DEFAULT_SEC),
  );
}

export function containerName(instance: string, machineId: string): string {
  return `flyemu-${instance}-${machineId}`;
}

/** podman's restart policy for Fly's `restart` (default on-failure, 10 retries). */
export function restartPolicy(c: MachineConfig): string {
  const policy = c.restart?.policy;
  if (policy === "no") return "no";
  if (policy === "always") return "always";
  return `on-failure:${c.restart?.max_retries ?? 10}`;
}

export interface SpecInput {
  machine: MachineRecord;
  /** The emulator instance id (labels and container name). */
  instance: string;
  /** The org's podman network. */
  network: string;
  /** App secrets, exposed as env like Fly does. */
  secrets: Record<string, string>;
  /** Podman volume name of each Fly volume id the config mounts. */
  podmanVolumes: Record<string, string | undefined>;
  /** Host limits the guest is capped to. */
  hostCpus: number;
  hostMemoryMb: number;
  extraArgs: readonly string[];
}

export function containerSpec(i: SpecInput): ContainerSpec {
  const m = i.machine;
  const c = m.config;
  const guest = c.guest ?? DEFAULT_GUEST;
  const memoryMb = guest.memory_mb ?? DEFAULT_GUEST.memory_mb;
  const env: Record<string, string> = {
    ...(c.env ?? {}),
    ...i.secrets,
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
  const init = c.init ?? {};
  const entrypoint = init.exec ?? init.entrypoint;
  const cmd = init.exec ? [] : init.cmd;
  return {
    name: containerName(i.instance, m.id),
    hostname: m.id,
    image: c.image,
    labels: {
      [LABEL]: "1",
      [LABEL_INSTANCE]: i.instance,
      [LABEL_APP]: m.app,
      [LABEL_MACHINE]: m.id,
      [LABEL_ZONE]: m.zone,
    },
    env,
    network: i.network,
    ip6: m.privateIp,
    dns: FLY_DNS,
    addHosts: { "fly-local-6pn": m.privateIp },
    cpus: Math.min(guest.cpus ?? DEFAULT_GUEST.cpus, i.hostCpus),
    memoryMb: Math.min(memoryMb, i.hostMemoryMb),
    restart: restartPolicy(c),
    stopSignal: c.stop_config?.signal ?? "SIGINT",
    stopTimeoutSec: stopTimeoutSec(c),
    entrypoint: entrypoint && entrypoint.length ? entrypoint : undefined,
    cmd: cmd && cmd.length ? cmd : undefined,
    volumes: (c.mounts ?? []).map((mt) => ({
      source: i.podmanVolumes[mt.volume] ?? `missing-${mt.volume}`,
      target: mt.path,
    })),
    extraArgs: i.extraArgs,
  };
}
