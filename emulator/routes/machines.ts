import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError } from "../errors";
import {
  deleteQuerySchema,
  execSchema,
  leaseBodySchema,
  leaseQuerySchema,
  listQuerySchema,
  machineCreateSchema,
  machineUpdateSchema,
  metadataSchema,
  waitQuerySchema,
} from "../machine-schemas";
import type { Lease, MachineRecord } from "../types";
import { machineView } from "../views";
import { parseBody, parseQuery, type AppParams, type MachineParams, type Services } from "./common";

const NONCE_HEADER = "fly-machine-lease-nonce";

function nonceOf(req: FastifyRequest): string | undefined {
  const v = req.headers[NONCE_HEADER];
  return Array.isArray(v) ? v[0] : v;
}

type KeyParams = MachineParams & { key: string };

export function machineRoutes(f: FastifyInstance, s: Services): void {
  const machine = (p: MachineParams): MachineRecord => s.machines.get(s.apps.get(p.app), p.id);
  /** A mutation: the machine must exist and not be leased by someone else. */
  const leased = (req: FastifyRequest<{ Params: MachineParams }>): MachineRecord => {
    const m = machine(req.params);
    s.machines.checkLease(m, nonceOf(req));
    return m;
  };

  f.post<{ Params: AppParams }>("/apps/:app/machines", async (req) => {
    // Read live: the regions setting may change at run time.
    const b = parseBody(machineCreateSchema(s.machines.regions()), req.body);
    const app = s.apps.get(req.params.app);
    return machineView(await s.machines.create(app, b));
  });

  f.get<{ Params: AppParams }>("/apps/:app/machines", async (req) => {
    const q = parseQuery(listQuerySchema, req.query);
    const app = s.apps.get(req.params.app);
    await s.machines.refresh();
    return s.machines.list(app, q.include_deleted === "true").map(machineView);
  });

  f.get<{ Params: MachineParams }>("/apps/:app/machines/:id", async (req) => {
    const m = machine(req.params);
    await s.machines.refresh();
    return machineView(m);
  });

  f.post<{ Params: MachineParams }>("/apps/:app/machines/:id", async (req) => {
    const b = parseBody(machineUpdateSchema, req.body);
    return machineView(await s.machines.update(leased(req), b));
  });

  f.post<{ Params: MachineParams }>("/apps/:app/machines/:id/start", async (req) =>
    s.machines.start(leased(req)),
  );

  f.post<{ Params: MachineParams }>("/apps/:app/machines/:id/stop", async (req) => {
    s.machines.stop(leased(req));
    return { ok: true };
  });

  f.post<{ Params: MachineParams }>("/apps/:app/machines/:id/suspend", async (req) => {
    s.machines.suspend(leased(req));
    return { ok: true };
  });

  f.post<{ Params: MachineParams }>("/apps/:app/machines/:id/restart", async (req) => {
    s.machines.restart(leased(req));
    return { ok: true };
  });

  for (const action of ["cordon", "uncordon"] as const) {
    f.post<{ Params: MachineParams }>(`/apps/:app/machines/:id/${action}`, async (req) => {
      s.machines.cordon(leased(req), action === "cordon");
      return { ok: true };
    });
  }

  f.get<{ Params: MachineParams }>("/apps/:app/machines/:id/wait", async (req, reply) => {
    const { state, timeout, instance_id: instance } = parseQuery(waitQuerySchema, req.query);
    const m = machine(req.params);
    // instance_id names a version of the machine. A replaced version no longer
    // runs: waiting for it to stop is already done, waiting for it to start
    // never will be (Fly's exact answer there is unconfirmed; 400 here).
    if (instance !== undefined && instance !== m.instanceId) {
      if (state === "stopped" || state === "destroyed") return { ok: true };
      throw new ApiError(
        400,
        `invalid_argument: instance_id ${instance} is not the current version of machine ${m.id} (${m.instanceId})`,
      );
    }
    if (!(await s.machines.wait(m, state, timeout))) {
      return reply.code(408).send({
        error: `deadline_exceeded: machine ${m.id} did not reach state ${state} within ${timeout}s (state ${m.state})`,
      });
    }
    return { ok: true };
  });

  f.delete<{ Params: MachineParams }>("/apps/:app/machines/:id", async (req) => {
    const q = parseQuery(deleteQuerySchema, req.query);
    s.machines.destroy(leased(req), q.force === "true");
    return { ok: true };
  });

  f.post<{ Params: MachineParams }>("/apps/:app/machines/:id/lease", async (req) => {
    const b = parseBody(leaseBodySchema, req.body);
    const q = parseQuery(leaseQuerySchema, req.query);
    const m = machine(req.params);
    const lease = s.machines.acquireLease(
      m,
      b.ttl ?? q.ttl ?? 30,
      b.description ?? "",
      nonceOf(req),
    );
    return { status: "success", data: leaseData(lease) };
  });

  f.get<{ Params: MachineParams }>("/apps/:app/machines/:id/lease", async (req) => {
    const m = machine(req.params);
    const lease = s.machines.currentLease(m);
    if (!lease) throw new ApiError(404, `no active lease for machine ${m.id}`);
    return { status: "success", data: { ...leaseData(lease), nonce: undefined } };
  });

  f.delete<{ Params: MachineParams }>("/apps/:app/machines/:id/lease", async (req) => {
    s.machines.releaseLease(machine(req.params), nonceOf(req));
    return { ok: true };
  });

  f.post<{ Params: MachineParams }>("/apps/:app/machines/:id/exec", async (req) => {
    const b = parseBody(execSchema, req.body);
    return s.machines.exec(machine(req.params), b);
  });

  f.get<{ Params: MachineParams }>("/apps/:app/machines/:id/metadata", async (req) => ({
    ...(machine(req.params).config.metadata ?? {}),
  }));

  f.post<{ Params: KeyParams }>("/apps/:app/machines/:id/metadata/:key", async (req, reply) => {
    const b = parseBody(metadataSchema, req.body);
    s.machines.setMetadata(leased(req), req.params.key, b.value);
    return reply.code(204).send();
  });

  f.delete<{ Params: KeyParams }>("/apps/:app/machines/:id/metadata/:key", async (req, reply) => {
    s.machines.deleteMetadata(leased(req), req.params.key);
    return reply.code(204).send();
  });
}

function leaseData(l: Lease) {
  return {
    nonce: l.nonce,
    expires_at: Math.floor(l.expiresAt / 1000),
    owner: l.owner,
    description: l.description,
    version: l.version,
  };
}
