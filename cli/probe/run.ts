/**
 * `./k3s.sh --probe clusters/<name>`: before the first deploy, what this org
 * and region can run with the cluster's node image. One throwaway machine in
 * a throwaway app (cli/probe/machine.ts), the capability script through the
 * exec endpoint, a second exec for argument quoting, the time to `started`;
 * the facts are cached per org, region and image, and judged against the
 * config. The machine and the app are removed afterwards, also on SIGINT,
 * SIGTERM or an aborted `signal`.
 */
import * as fs from "fs";
import * as path from "path";
import { appInternalHost, controlPlaneInternalHost, probeAppName } from "../../config/naming";
import { ClusterConfig } from "../../config/schema";
import { MachinesApi } from "../../ops/machines-api";
import { flyTarget } from "../target";
import { ROOT, inCache } from "../toolchain";
import { probeCacheFile, readCachedProbe, writeCachedProbe } from "./cache";
import { decideCapabilities, refusals } from "./decide";
import { probeGate } from "./gate";
import { KERNEL_OPTION_LIST_PATH, parseKernelOptionList } from "./kernel-options";
import { appMayExist, createProbeApp, createProbeMachine, destroyProbe } from "./machine";
import { parseProbeOutput } from "./parse";
import {
  CAPABILITY_SCRIPT_PATH,
  QUOTING_COMMAND,
  QUOTING_EXPECTED,
  buildProbeScript,
  probeCommand,
} from "./script";
import { ProbeInterrupted, interruptible } from "./interrupt";
import { ProbeRecord, ProbeResult, ScriptFacts } from "./types";

export { ProbeInterrupted };

export interface ProbeOptions {
  readonly config: ClusterConfig;
  readonly api: MachinesApi;
  /** Progress, one line at a time (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** Whether the verb prints JSON; runProbe itself never writes to stdout. */
  readonly json?: boolean;
  /** Aborting it stops the probe, and the machine and app are removed. */
  readonly signal?: AbortSignal;
  /** Default: Fly when FLY_API_TOKEN is set, as cli/target.ts decides. */
  readonly target?: "fly" | "local";
  /** Default: PROBES_DIR of the cache layout. */
  readonly cacheDir?: string;
}

/** The result of a record for a config: the lines and the refusals. Pure. */
export function probeResult(
  record: ProbeRecord,
  config: ClusterConfig,
  cacheFile?: string,
): ProbeResult {
  const capabilities = decideCapabilities(record, config.flannelBackend);
  return {
    record,
    flannelBackend: config.flannelBackend,
    capabilities,
    refusals: refusals(capabilities),
    ...(cacheFile ? { cacheFile } : {}),
  };
}

/** The cache file of a config's org, region and image. */
export function probeCacheFileFor(config: ClusterConfig, cacheDir = inCache("PROBES_DIR")): string {
  return probeCacheFile(cacheDir, config.orgName, config.region, config.nodeImage);
}

/** The cached probe of a config's org, region and image, if any. */
export function cachedProbe(config: ClusterConfig, cacheDir?: string): ProbeRecord | undefined {
  return readCachedProbe(probeCacheFileFor(config, cacheDir));
}

export async function runProbe(opts: ProbeOptions): Promise<ProbeResult> {
  const { config, api, log } = opts;
  const app = probeAppName(config.clusterName);
  const cpHost = controlPlaneInternalHost(config.clusterName);
  const kernelOptions = parseKernelOptionList(
    fs.readFileSync(path.join(ROOT, KERNEL_OPTION_LIST_PATH), "utf8"),
  );
  const script = buildProbeScript(
    fs.readFileSync(path.join(ROOT, CAPABILITY_SCRIPT_PATH), "utf8"),
    kernelOptions,
  );
  const { checkpoint, orStop, dispose } = interruptible(opts.signal, log);
  let appMade = false;
  let machineId: string | undefined;

  const probe = async (): Promise<ProbeRecord> => {
    checkpoint();
    log(`probe: creating app ${app} in org ${config.orgName}`);
    appMade = true; // from here on the app may exist
    await createProbeApp(api, app, config.orgName, log).catch((e: unknown) => {
      appMade = appMayExist(e);
      throw e;
    });
    checkpoint();
    log(`probe: one machine of ${config.nodeImage} in ${config.region} (idle, no volume)`);
    const t0 = Date.now();
    const m = await createProbeMachine(api, app, config.region, config.nodeImage);
    machineId = m.id;
    checkpoint();
    await orStop(api.waitForState(app, m.id, "started", 300));
    const startMs = Date.now() - t0;
    log(`probe: machine ${m.id} started in ${(startMs / 1000).toFixed(1)} s; running the checks`);
    const command = probeCommand(cpHost, appInternalHost(app));
    const run = await orStop(api.exec(app, m.id, command, { stdin: script, timeoutSec: 60 }));
    let facts: ScriptFacts;
    try {
      facts = parseProbeOutput(run.stdout);
    } catch (e) {
      const stderr = run.stderr.trim() || "empty";
      throw new Error(`${(e as Error).message} (exit ${run.exit_code}; stderr: ${stderr})`, {
        cause: e,
      });
    }
    const q = await orStop(api.exec(app, m.id, QUOTING_COMMAND));
    return {
      version: 1,
      takenAt: new Date().toISOString(),
      target: opts.target ?? (flyTarget() ? "fly" : "local"),
      org: config.orgName,
      region: config.region,
      image: config.nodeImage,
      probeApp: app,
      cpHost,
      kernelOptions,
      facts: {
        script: facts,
        quoting: {
          sent: QUOTING_COMMAND,
          expected: QUOTING_EXPECTED,
          got: q.stdout,
          exitCode: q.exit_code,
        },
        startMs,
      },
    };
  };

  let record: ProbeRecord | undefined;
  let failure: unknown;
  try {
    record = await probe();
  } catch (e) {
    failure = e;
  }
  try {
    if (appMade) await destroyProbe(api, app, machineId, log);
  } catch (e) {
    log(`error: ${(e as Error).message}`);
    // "removed" would be untrue: say what is left instead.
    if (failure === undefined || failure instanceof ProbeInterrupted) failure = e;
  } finally {
    dispose();
  }
  if (failure !== undefined || !record) throw failure;
  const file = probeCacheFileFor(config, opts.cacheDir);
  writeCachedProbe(file, record);
  return probeResult(record, config, file);
}

/**
 * For the deploy on Fly: the reasons to stop, by the cached probe of the
 * config's org, region and image, running the probe first when there is none.
 */
export async function probeBeforeDeploy(opts: ProbeOptions): Promise<string[]> {
  let cached = cachedProbe(opts.config, opts.cacheDir);
  if (!cached) {
    opts.log(
      `no probe of org ${opts.config.orgName}, region ${opts.config.region}, image ${opts.config.nodeImage} yet: probing first`,
    );
    cached = (await runProbe(opts)).record;
  }
  return probeGate(opts.config, cached);
}
