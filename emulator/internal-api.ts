/**
 * Fly's in-network API endpoint, `http://_api.internal:4280`: a TCP relay on
 * each org's DNS address to the emulator's HTTP port, so machines can call the
 * Machines API (with the same bearer token) as they would on Fly.
 */
import { createConnection, createServer, type Server } from "node:net";

export const INTERNAL_API_PORT = 4280;

export class InternalApiRelay {
  private server?: Server;

  constructor(
    readonly address: string,
    /** The emulator's HTTP port, read at connection time (it may not be known yet at boot). */
    private readonly target: () => number | undefined,
  ) {}

  async listen(): Promise<void> {
    const server = createServer((client) => {
      const port = this.target();
      if (!port) {
        client.destroy();
        return;
      }
      const upstream = createConnection({ host: "127.0.0.1", port });
      client.pipe(upstream).pipe(client);
      const close = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", close);
      upstream.on("error", close);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(INTERNAL_API_PORT, this.address, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
