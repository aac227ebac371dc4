#!/usr/bin/env bash
# Sourced by render-config.sh (not run): the etcd snapshot settings of a
# server. Uses render-config.sh's role, fail, log, scalar and flag.
# shellcheck shell=bash disable=SC2154

# --- etcd snapshots (servers only; config SNAPSHOT_*; README.md "Etcd snapshots") ---
# K3S_SNAPSHOT_SCHEDULE, _RETENTION, _S3_BUCKET, _S3_ENDPOINT, _S3_REGION, _S3_FOLDER and
# _S3_INSECURE become k3s's settings (names: k3s pkg/cli/cmds/server.go); unset, k3s's default.
# The S3 keys are never in the env: the deploy writes K3S_S3_CREDENTIALS_FILE (0600, through
# exec: ops/s3-credentials.ts), lines etcd-s3-access-key=... and etcd-s3-secret-key=...; they
# are rendered into the 0600 config, and the file's sha256 into <file>.rendered, which the
# deploy compares with the file (k3s reads the keys at start).
s3_bucket="" s3_access_key="" s3_secret_key="" s3_keys_digest=""
if [[ $role == server ]]; then
  if [[ -n ${K3S_SNAPSHOT_RETENTION:-} && ! $K3S_SNAPSHOT_RETENTION =~ ^[1-9][0-9]*$ ]]; then
    fail "K3S_SNAPSHOT_RETENTION must be a whole number of snapshots (got \"$K3S_SNAPSHOT_RETENTION\")"
  fi
  if [[ ! ${K3S_SNAPSHOT_S3_INSECURE:-false} =~ ^(true|false)$ ]]; then
    fail "K3S_SNAPSHOT_S3_INSECURE must be true or false (got \"$K3S_SNAPSHOT_S3_INSECURE\")"
  fi
  s3_bucket=${K3S_SNAPSHOT_S3_BUCKET:-}
fi

# Reads the keys (never printed); a missing or malformed file is a warning: snapshots stay local.
read_s3_keys() {
  local file=$K3S_S3_CREDENTIALS_FILE line n=0 access="" secret="" why=""
  if [[ ! -s $file ]]; then
    why="$file holds no S3 credentials (the deploy writes them)"
  else
    while IFS= read -r line || [[ -n $line ]]; do
      n=$((n + 1))
      case "$line" in
        etcd-s3-access-key=*) access=${line#*=} ;;
        etcd-s3-secret-key=*) secret=${line#*=} ;;
        "") ;;
        *) why="$file line $n is neither etcd-s3-access-key=... nor etcd-s3-secret-key=..." && break ;;
      esac
    done <"$file"
    if [[ -z $why && ! ($access =~ ^[[:graph:]]+$ && $secret =~ ^[[:graph:]]+$) ]]; then
      why="$file lacks a printable etcd-s3-access-key or etcd-s3-secret-key"
    fi
  fi
  if [[ -n $why ]]; then
    log "warning: K3S_SNAPSHOT_S3_BUCKET is set, but $why: snapshots are not uploaded to S3" \
      "until the deploy writes the file and k3s restarts"
    return 0
  fi
  s3_access_key=$access s3_secret_key=$secret
  s3_keys_digest=$(sha256sum <"$file") && s3_keys_digest=${s3_keys_digest%% *}
}
if [[ -n $s3_bucket ]]; then read_s3_keys; fi

render_snapshots() {
  if [[ -z ${K3S_SNAPSHOT_SCHEDULE:-}${K3S_SNAPSHOT_RETENTION:-}$s3_bucket ]]; then return 0; fi
  echo "# etcd snapshots (config SNAPSHOT_*)"
  if [[ -n ${K3S_SNAPSHOT_SCHEDULE:-} ]]; then scalar etcd-snapshot-schedule-cron "$K3S_SNAPSHOT_SCHEDULE"; fi
  if [[ -n ${K3S_SNAPSHOT_RETENTION:-} ]]; then flag etcd-snapshot-retention "$K3S_SNAPSHOT_RETENTION"; fi
  if [[ -z $s3_bucket ]]; then return 0; fi
  flag etcd-s3 true
  if [[ -n ${K3S_SNAPSHOT_S3_ENDPOINT:-} ]]; then scalar etcd-s3-endpoint "$K3S_SNAPSHOT_S3_ENDPOINT"; fi
  scalar etcd-s3-bucket "$s3_bucket"
  if [[ -n ${K3S_SNAPSHOT_S3_REGION:-} ]]; then scalar etcd-s3-region "$K3S_SNAPSHOT_S3_REGION"; fi
  if [[ -n ${K3S_SNAPSHOT_S3_FOLDER:-} ]]; then scalar etcd-s3-folder "$K3S_SNAPSHOT_S3_FOLDER"; fi
  if [[ ${K3S_SNAPSHOT_S3_INSECURE:-} == true ]]; then flag etcd-s3-insecure true; fi
  if [[ -n $s3_access_key ]]; then
    scalar etcd-s3-access-key "$s3_access_key"
    scalar etcd-s3-secret-key "$s3_secret_key"
  fi
}

# The keys k3s starts with (their digest, or none), for the deploy; written after the config.
record_s3_keys() {
  local rendered="$K3S_S3_CREDENTIALS_FILE.rendered" tmp_rendered
  rm -f -- "$rendered"
  if [[ -z $s3_keys_digest ]]; then return 0; fi
  tmp_rendered=$(mktemp "$rendered.XXXXXX")
  printf '%s\n' "$s3_keys_digest" >"$tmp_rendered"
  mv -f -- "$tmp_rendered" "$rendered"
}
