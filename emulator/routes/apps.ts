import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { APP_NAME } from "../../config/fly";
import * as views from "../views";
import { parseBody, parseQuery, type AppParams, type Services } from "./common";

const appName = z
  .string()
  .regex(
    APP_NAME,
    "must be 1-63 lowercase letters, digits and dashes, starting and ending with a letter or digit",
  );

/** POST /apps: the provider sends `app_name`, fly-go `name`. */
export const appCreateSchema = z
  .looseObject({
    app_name: appName.optional(),
    name: appName.optional(),
    org_slug: z.string({ error: "is required" }).min(1, "is required"),
    network: z.string().optional(),
  })
  .refine((b) => (b.app_name ?? b.name) !== undefined, {
    error: "is required",
    path: ["app_name"],
  })
  .transform((b) => ({ name: b.app_name ?? b.name ?? "", org: b.org_slug, network: b.network }));

/** GET /apps */
export const appListQuerySchema = z.looseObject({ org_slug: z.string().optional() });

export function appRoutes(f: FastifyInstance, s: Services): void {
  f.post("/apps", async (req, reply) => {
    const app = await s.apps.create(parseBody(appCreateSchema, req.body));
    return reply.code(201).send({ id: app.id, created_at: app.createdAt });
  });

  f.get("/apps", async (req) => {
    const q = parseQuery(appListQuerySchema, req.query);
    const apps = s.apps.list(q.org_slug || undefined);
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
    // Fly deletes everything of the app: no destroy delay here.
    for (const m of s.machines.list(app)) await s.machines.destroyNow(m);
    for (const v of s.volumes.list(app)) await s.volumes.destroy(v);
    s.apps.remove(app.name);
    return reply.code(202).send();
  });
}
