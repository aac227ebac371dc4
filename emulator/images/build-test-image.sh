#!/usr/bin/env bash
# Build the emulator's test image from Debian's busybox-static (no registry
# needed): a rootfs with busybox and its applets, and an /init that idles
# until SIGINT/SIGTERM (Fly's default stop signal is SIGINT). Cached: skipped
# when the image with the same recipe version is already present.
#
#   build-test-image.sh IMAGE   (the name is emulator/test-image.ts's EMULATOR_TEST_IMAGE)
set -euo pipefail

image=${1:?usage: build-test-image.sh IMAGE}
recipe=1
busybox=/bin/busybox

have=$(podman image inspect --format '{{index .Labels "io.fly-k3s.test-image"}}' "$image" 2>/dev/null || true)
if [ "$have" = "$recipe" ]; then
  echo "$image: cached" >&2
  exit 0
fi

[ -x "$busybox" ] || { echo "error: $busybox missing; as root, run npm run setup -- --local (installs busybox-static)" >&2; exit 1; }
if ldd "$busybox" >/dev/null 2>&1; then
  echo "error: $busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,tmp,proc,sys,dev,run,root,var/tmp,data}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
cat >"$root/init" <<'INIT'
#!/bin/sh
# Idle until told to stop; exit 0 on SIGINT/SIGTERM.
trap 'exit 0' INT TERM
while :; do sleep 1 & wait $!; done
INIT
chmod 0755 "$root/init"
chmod 1777 "$root/tmp" "$root/var/tmp"

tar -C "$root" -cf "$root.tar" .
trap 'rm -rf "$root" "$root.tar"' EXIT
podman import \
  --change 'CMD ["/init"]' \
  --change 'ENV PATH=/bin:/sbin' \
  --change "LABEL io.fly-k3s.test-image=$recipe" \
  "$root.tar" "$image" >/dev/null
echo "$image: built" >&2
