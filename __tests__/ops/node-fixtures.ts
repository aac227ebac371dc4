/** A control-plane node at `ip` whose Ready condition is `ready`, as kubectl lists it. */
export const cpNode = (name: string, ip: string, ready: string) => ({
  metadata: { name, labels: { "node-role.kubernetes.io/control-plane": "true" } },
  status: {
    addresses: [{ type: "InternalIP", address: ip }],
    conditions: [{ type: "Ready", status: ready }],
  },
});
