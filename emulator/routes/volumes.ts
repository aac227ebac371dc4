import type { FastifyInstance } from "fastify";
import { volumeView } from "../views";
import { body, type AppParams, type Services } from "./common";

type VolumeParams = AppParams & { id: string };

export function volumeRoutes(f: FastifyInstance, s: Services): void {
  f.post<{ Params: AppParams }>("/apps/:app/volumes", async (req) => {
    const app = s.apps.get(req.params.app);
    const vol = await s.volumes.create(app, body(req.body));
    return volumeView(vol, s.volumes.stateOf(vol));
  });

  f.get<{ Params: AppParams }>("/apps/:app/volumes", async (req) => {
    const app = s.apps.get(req.params.app);
    return s.volumes.list(app).map((v) => volumeView(v, s.volumes.stateOf(v)));
  });

  f.get<{ Params: VolumeParams }>("/apps/:app/volumes/:id", async (req) => {
    const app = s.apps.get(req.params.app);
    const vol = s.volumes.get(app, req.params.id);
    return volumeView(vol, s.volumes.stateOf(vol));
  });

  f.put<{ Params: VolumeParams }>("/apps/:app/volumes/:id", async (req) => {
    const app = s.apps.get(req.params.app);
    const vol = s.volumes.update(s.volumes.get(app, req.params.id), body(req.body));
    return volumeView(vol, s.volumes.stateOf(vol));
  });

  f.put<{ Params: VolumeParams }>("/apps/:app/volumes/:id/extend", async (req) => {
    const app = s.apps.get(req.params.app);
    const vol = s.volumes.extend(s.volumes.get(app, req.params.id), body(req.body));
    return { volume: volumeView(vol, s.volumes.stateOf(vol)), needs_restart: false };
  });

  f.delete<{ Params: VolumeParams }>("/apps/:app/volumes/:id", async (req) => {
    const app = s.apps.get(req.params.app);
    const vol = s.volumes.get(app, req.params.id);
    // Soft delete (Fly docs, volume states): 200 with the volume, pending_destroy.
    await s.volumes.destroy(vol);
    return volumeView(vol, s.volumes.stateOf(vol));
  });
}
