import { Log } from "./log";
import { MachinesApi } from "./machines-api";

/** Turns scheduled snapshots off: Fly's create call cannot (the provider never sends the flag). */
export async function disableScheduledSnapshots(
  api: MachinesApi,
  app: string,
  volumeId: string,
  log: Log,
): Promise<void> {
  const v = await api.getVolume(app, volumeId);
  if (!v.auto_backup_enabled) {
    log(`volume ${app}/${volumeId}: scheduled snapshots already off`);
    return;
  }
  await api.updateVolume(app, volumeId, { auto_backup_enabled: false });
  log(`volume ${app}/${volumeId}: scheduled snapshots switched off`);
}
