import type { FastifyInstance, FastifyRequest } from "fastify";
import { badRequest } from "../errors";
import { ApiError } from "../errors";
import type { MachineRecord } from "../types";
import { WAITABLE_STATES } from "../types";
import { machineView } from "../views";
import { body, type AppParams, type MachineParams, type Services } from "./common";

const NONCE_HEADER = "fly-machine-lease-nonce";

function nonceOf(req: FastifyRequest): string | undefined {
  const v = req.headers[NONCE_HEADER];
  return Array.isArray(v) ? v[0] : v;
}

export function machineRoutes(f: FastifyInstance, s: Services): void {
  const machine = (p: MachineParams): MachineRecord => s.machines.get(s.apps.get(p.app), p.id);
  /** A mutation: the machine must exist and not be leased by someone else. */
  const leased = (req: FastifyRequest<{ Params: MachineParams }>): MachineRecord => {
    const m = machine(req.params);
    s.machines.checkLease(m, nonceOf(req));
    return m;
  };

  f.post<{ Params: AppParams }>("/apps/:app/machines", async (req) => {
    const app = s.apps.get(req.params.app);
    return machineView(await s.machines.create(app, body(req.body)));
  });

  f.get<{ Params: AppParams; Querystring: { include_deleted?: string } }>(
    "/apps/:app/machines",
    async (req) => {
      const app = s.apps.get(req.params.app);
      await s.machines.refresh();
      return s.machines.list(app, req.query.include_deleted === "true").map(machineView);
    },
  );

  f.get<{ Params: MachineParams }>("/apps/:app/machines/:id", async (req) => {
    const m = machine(req.params);
    await s.machines.refresh();
    return machineView(m);
  });

  f.post<{ Params: MachineParams }>("/apps/:app/machines/:id", async (req) => {
    return machineView(await s.machines.update(leased(req), body(req.body)));
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
      const m = leased(req);
      m.cordoned = action === "cordon";
      return { ok: true };
    });
  }

  f.get<{
    Params: MachineParams;
    Querystring: { state?: string; timeout?: string; instance_id?: string };
  }>("/apps/:app/machines/:id/wait", async (req, reply) => {
    const m = machine(req.params);
    const state = req.query.state ?? "started";
    if (!(WAITABLE_STATES as readonly string[]).includes(state)) {
      throw badRequest(
        `invalid_argument: state must be one of ${WAITABLE_STATES.join(", ")} (got ${JSON.stringify(state)})`,
      );
    }
    const raw = req.query.timeout ?? "60";
    const timeout = Number(raw);
    if (!/^\d+$/.test(raw) || timeout < 1 || timeout > 60) {
      throw badRequest(
        `invalid_argument: timeout must be an integer from 1 to 60 seconds (got ${JSON.stringify(raw)})`,
      );
    }
    // instance_id names a version of the machine. A replaced version no longer
    // runs: waiting for it to stop is already done, waiting for it to start
    // never will be (Fly's exact answer there is unconfirmed; 400 here).
    const instance = req.query.instance_id;
    if (instance !== undefined && instance !== m.instanceId) {
      if (state === "stopped" || state === "destroyed") return { ok: true };
      throw badRequest(
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

  f.delete<{ Params: MachineParams; Querystring: { force?: string } }>(
    "/apps/:app/machines/:id",
    async (req) => {
      await s.machines.destroy(leased(req), req.query.force === "true");
      return { ok: true };
    },
  );

  f.post<{ Params: MachineParams; Querystring: { ttl?: string } }>(
    "/apps/:app/machines/:id/lease",
    async (req) => {
      const m = machine(req.params);
      const b = body(req.body);
      const ttl = b.ttl ?? (req.query.ttl !== undefined ? Number(req.query.ttl) : 30);
      if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > 3600) {
        throw badRequest(
          `ttl must be an integer number of seconds from 1 to 3600 (got ${JSON.stringify(ttl)})`,
        );
      }
      const description = typeof b.description === "string" ? b.description : "";
      const lease = s.machines.acquireLease(m, ttl, description, nonceOf(req));
      return { status: "success", data: leaseData(lease) };
    },
  );

  f.get<{ Params: MachineParams }>("/apps/:app/machines/:id/lease", async (req) => {
    const m = machine(req.params);
    if (!m.lease || m.lease.expiresAt <= Date.now())
      throw new ApiError(404, `no active lease for machine ${m.id}`);
    return { status: "success", data: { ...leaseData(m.lease), nonce: undefined } };
  });

  f.delete<{ Params: MachineParams }>("/apps/:app/machines/:id/lease", async (req) => {
    s.machines.releaseLease(machine(req.params), nonceOf(req));
    return { ok: true };
  });

  f.post<{ Params: MachineParams }>("/apps/:app/machines/:id/exec", async (req) =>
    s.machines.exec(machine(req.params), body(req.body)),
  );

  f.get<{ Params: MachineParams }>("/apps/:app/machines/:id/metadata", async (req) => ({
    ...(machine(req.params).config.metadata ?? {}),
  }));

  f.post<{ Params: MachineParams & { key: string } }>(
    "/apps/:app/machines/:id/metadata/:key",
    async (req, reply) => {
      s.machines.setMetadata(leased(req), req.params.key, body(req.body).value);
      return reply.code(204).send();
    },
  );

  f.delete<{ Params: MachineParams & { key: string } }>(
    "/apps/:app/machines/:id/metadata/:key",
    async (req, reply) => {
      s.machines.deleteMetadata(leased(req), req.params.key);
      return reply.code(204).send();
    },
  );
}

function leaseData(l: {
  nonce: string;
  owner: string;
  description: string;
  expiresAt: number;
  version: string;
}) {
  return {
    nonce: l.nonce,
    expires_at: Math.floor(l.expiresAt / 1000),
    owner: l.owner,
    description: l.description,
    version: l.version,
  };
}
