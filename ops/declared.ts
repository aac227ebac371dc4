/**
 * What the synthesized stack declares that the deploy, the adoption and the
 * destroy compare with Fly: its apps, machines and volumes (`cdk.tf.json`),
 * and the attributes the provider's import cannot read back.
 */
import { mountedVolume } from "../contract/tofu-state";

/** A declared machine or volume of the synthesized stack. */
export interface DeclaredResource {
  readonly address: string;
  readonly app: string;
  readonly name: string;
  /** Declared values of the attributes the provider's import cannot read back. */
  readonly unreadable: Readonly<Record<string, unknown>>;
}

export interface DeclaredMachine extends DeclaredResource {
  /** Address of the volume it mounts, if declared in the stack. */
  readonly volumeAddress?: string;
}

export interface DeclaredApp {
  readonly address: string;
  readonly name: string;
  readonly org: string;
}

export interface Declared {
  readonly apps: readonly DeclaredApp[];
  readonly machines: readonly DeclaredMachine[];
  readonly volumes: readonly DeclaredResource[];
}

interface SynthResource {
  readonly app?: string;
  readonly name?: string;
  readonly org_slug?: string;
  readonly [attribute: string]: unknown;
}

interface SynthJson {
  readonly resource?: Record<string, Record<string, SynthResource>>;
}

/**
 * Attributes the provider's import leaves empty, with the provider's defaults
 * (a declared value wins). Fly's GET does not answer them.
 */
export const VOLUME_UNREADABLE: Readonly<Record<string, unknown>> = { require_unique_zone: null };
export const MACHINE_UNREADABLE: Readonly<Record<string, unknown>> = {
  desired_status: "started",
  cordoned: false,
  skip_launch: false,
};

/**
 * The declared machines and volumes of a synthesized stack (`cdk.tf.json`):
 * addresses, apps (resolved through `${fly_app.<id>.name}`) and names. Pure.
 */
export function declaredFromSynth(json: SynthJson): Declared {
  const res = json.resource ?? {};
  const apps = res.fly_app ?? {};
  const appOf = (ref: string | undefined): string | undefined => {
    const m = /^\$\{fly_app\.([^.]+)\.name\}$/.exec(ref ?? "");
    return m ? apps[m[1]]?.name : ref;
  };
  const unreadable = (r: SynthResource, defaults: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(defaults).map(([k, d]) => [k, r[k] ?? d]));
  const volumes = Object.entries(res.fly_volume ?? {}).flatMap(([id, v]) => {
    const app = appOf(v.app);
    return app && v.name
      ? [
          {
            address: `fly_volume.${id}`,
            app,
            name: v.name,
            unreadable: unreadable(v, VOLUME_UNREADABLE),
          },
        ]
      : [];
  });
  const machines = Object.entries(res.fly_machine ?? {}).flatMap(([id, m]) => {
    const app = appOf(m.app);
    if (!app || !m.name) return [];
    const ref = /^\$\{(fly_volume\.[^.]+)\.id\}$/.exec(mountedVolume(m.mount) ?? "");
    return [
      {
        address: `fly_machine.${id}`,
        app,
        name: m.name,
        unreadable: unreadable(m, MACHINE_UNREADABLE),
        ...(ref ? { volumeAddress: ref[1] } : {}),
      },
    ];
  });
  const declaredApps = Object.entries(apps).flatMap(([id, a]) =>
    a.name ? [{ address: `fly_app.${id}`, name: a.name, org: a.org_slug ?? "" }] : [],
  );
  return { apps: declaredApps, machines, volumes };
}
