import type { FastifyInstance } from "fastify";
import * as views from "../views";
import { body, type AppParams, type Services } from "./common";

export function appRoutes(f: FastifyInstance, s: Services): void {
  f.post("/apps", async (req, reply) => {
    const app = await s.apps.create(body(req.body));
    return reply.code(201).send({ id: app.id, created_at: app.createdAt });
  });

  f.get<{ Querystring: { org_slug?: string } }>("/apps", async (req) => {
    const apps = s.apps.list(req.query.org_slug || undefined);
    return {
      total_apps: apps.length,
      apps: apps.map((a) => views.appView(a, s.apps.counts(a.name))),
    };
  });

  f.get<{ Params: AppParams }>("/apps/:app", async (req) => {
    const app = s.apps.get(req.params.app);
    return views.appView(app, s.apps.counts(app.name));
  });

  f.delete<{ Params: AppParams }>("/apps/:app", async (req, reply) => {
    const app = s.apps.get(req.params.app);
    for (const m of s.machines.list(app)) await s.machines.destroy(m, true);
    for (const v of s.volumes.list(app)) await s.volumes.destroy(v);
    s.apps.remove(app.name);
    return reply.code(202).send();
  });
}
