#!/usr/bin/env bash
# Start, stop or show the services Image Renamer needs in development and CI:
# PostgreSQL, Redis, an S3 server (SeaweedFS) and clamd. Everything binds 127.0.0.1.
#
#   scripts/services.sh [up]   start what is missing (idempotent; the default)
#   scripts/services.sh down   stop what this script started (by its pid files)
#   scripts/services.sh status show each service and where it listens
#   scripts/services.sh up replica   PostgreSQL plus a streaming standby of it (optional, for
#                                    the read-replica routing in docs/scaling.md); `down` stops it too
#
# A PostgreSQL or Redis that already answers on its port is used as it is; otherwise
# a private one is started with its data, log and pid file under $RENAMER_DATA_DIR
# (default <repo>/.data). Environment knobs, all optional:
#   RENAMER_DATA_DIR    RENAMER_PG_PORT (5432)   RENAMER_REDIS_PORT (6379)
#   RENAMER_PG_REPLICA_PORT (5433, the standby started by `up replica`)
#   RENAMER_S3_PORT (9000; the other SeaweedFS ports move with it)
#   RENAMER_S3_ACCESS_KEY / RENAMER_S3_SECRET_KEY / RENAMER_S3_BUCKET (the core/config.py defaults)
#   RENAMER_CLAMD_PORT (3310, TCP, used only by the benchmark)
#   RENAMER_FRESHCLAM=0 never try to download the official ClamAV databases
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${RENAMER_DATA_DIR:-$REPO/.data}
mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)

PG_PORT=${RENAMER_PG_PORT:-5432}
PG_DATABASE=renamer
# The role the app connects as (RENAMER_DATABASE_URL): row-level security applies to it, so
# it is an ordinary login role; migrations, run as postgres, grant it DML (core/db_roles.py).
PG_APP_ROLE=${RENAMER_PG_APP_ROLE:-renamer_app}
REDIS_PORT=${RENAMER_REDIS_PORT:-6379}
S3_PORT=${RENAMER_S3_PORT:-9000}
S3_ACCESS_KEY=${RENAMER_S3_ACCESS_KEY:-renamer}
S3_SECRET_KEY=${RENAMER_S3_SECRET_KEY:-renamer-dev-secret}
S3_BUCKET=${RENAMER_S3_BUCKET:-renamer}
CLAMD_TCP_PORT=${RENAMER_CLAMD_PORT:-3310}

PG_DIR=$DATA/postgres
REDIS_DIR=$DATA/redis
SW_DIR=$DATA/seaweedfs
CLAMD_DIR=$DATA/clamd
CLAMD_SOCKET=$CLAMD_DIR/clamd.sock
VENV_PY=$REPO/.venv/bin/python
# The small socket checks want a python that starts fast (a pyenv shim takes ~0.2 s).
PYTHON=$VENV_PY
[[ -x $PYTHON ]] || PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=python3
WEED=$REPO/.venv/bin/weed

# SeaweedFS's own defaults (8888, 9333, 9340, 18888, ...) collide with Jupyter and
# other dev tools, so every internal port is derived from the S3 port: the default
# S3 port 9000 gives master 19333, volume 19340, filer 19888, admin 23646 (its UI is
# off, but mini always runs the admin server) and gRPC ports 24646-29888, all below
# the kernel's ephemeral range (32768+). RENAMER_S3_PORT=9100 moves the set by 100.
SW_MASTER_PORT=$((S3_PORT + 10333))
SW_VOLUME_PORT=$((S3_PORT + 10340))
SW_FILER_PORT=$((S3_PORT + 10888))
SW_MASTER_GRPC=$((SW_MASTER_PORT + 10000))
SW_VOLUME_GRPC=$((SW_VOLUME_PORT + 10000))
SW_FILER_GRPC=$((SW_FILER_PORT + 10000))
SW_S3_GRPC=$((S3_PORT + 20000))
SW_ADMIN_PORT=$((S3_PORT + 14646))
SW_ADMIN_GRPC=$((S3_PORT + 15646))

# --- helpers ---------------------------------------------------------------

say() { printf '%-9s %s\n' "$1" "$2"; }

die() {
  printf 'services: %s\n' "$*" >&2
  exit 1
}

# die_with_log SERVICE LOGFILE MESSAGE: the message, then the end of the log.
die_with_log() {
  local service=$1 log=$2
  shift 2
  {
    printf 'services: %s: %s\n' "$service" "$*"
    if [[ -s $log ]]; then
      printf -- '--- last lines of %s ---\n' "$log"
      tail -n 40 "$log"
      printf -- '---\n'
    else
      printf '(no log at %s)\n' "$log"
    fi
  } >&2
  exit 1
}

as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root to run: $* (install sudo or run this as root)"
  fi
}

APT_UPDATED=0
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null) == ii* ]] || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get here: install them by hand"
  if ((APT_UPDATED == 0)); then
    as_root apt-get update -qq >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >"$DATA/apt-install.log" 2>&1 || die_with_log apt "$DATA/apt-install.log" "installing ${missing[*]} failed"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for SECONDS COMMAND...: retry COMMAND every 0.2 s until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# The pid in PIDFILE when that process is alive and its command name is NAME.
live_pid() {
  local pidfile=$1 name=$2 pid
  [[ -r $pidfile ]] || return 1
  pid=$(<"$pidfile")
  pid=${pid%%[!0-9]*}
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name"* ]] || return 1
  echo "$pid"
}

# stop_pid SERVICE PIDFILE NAME: SIGTERM, wait up to 15 s, then SIGKILL.
stop_pid() {
  local service=$1 pidfile=$2 name=$3 pid
  if ! pid=$(live_pid "$pidfile" "$name"); then
    rm -f "$pidfile"
    say "$service" "not running here"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  if ! wait_for 15 eval "! kill -0 $pid 2>/dev/null"; then
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "$service" "stopped (pid $pid)"
}

# --- PostgreSQL --------------------------------------------------------------

PG_BIN=""
PG_DATA=$PG_DIR/data
PG_RUN=$PG_DIR/run
PG_LOG=$PG_DIR/postgres.log

# The newest installed server (Debian keeps each major version under /usr/lib/postgresql).
pg_find_bin() {
  local version
  PG_BIN=""
  for version in $(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null |
    cut -d/ -f5 | sort -V); do
    PG_BIN=/usr/lib/postgresql/$version/bin
  done
  [[ -n $PG_BIN ]]
}

pg_answers() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }

# postgres refuses to run as root, so a root caller runs the cluster as `postgres`.
pg_as_owner() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_managed_here() { [[ -r $PG_DATA/postmaster.pid ]] && live_pid "$PG_DATA/postmaster.pid" postgres >/dev/null; }

pg_start_private() {
  if ! pg_find_bin; then
    # Debian's postinst would create and start a `main` cluster on 5432 whose
    # pg_hba wants passwords; this drop-in keeps it from doing so.
    if [[ ! -d /etc/postgresql ]]; then
      as_root mkdir -p /etc/postgresql-common/createcluster.d
      echo 'create_main_cluster = false' |
        as_root tee /etc/postgresql-common/createcluster.d/renamer-no-main-cluster.conf >/dev/null
    fi
    apt_install postgresql
    pg_find_bin || die "postgresql is installed but no initdb under /usr/lib/postgresql/*/bin"
    if pg_answers; then return 0; fi
  fi
  mkdir -p "$PG_DIR"
  if [[ $EUID -eq 0 ]]; then
    chown postgres: "$PG_DIR"
    runuser -u postgres -- test -w "$PG_DIR" ||
      die "postgres: the postgres user cannot write $PG_DIR (a parent directory is not world-searchable); set RENAMER_DATA_DIR elsewhere or RENAMER_PG_PORT to an existing server"
  fi
  if [[ ! -s $PG_DATA/PG_VERSION ]]; then
    pg_as_owner mkdir -p "$PG_DATA" "$PG_RUN"
    pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale \
      >"$PG_DIR/initdb.log" 2>&1 || die_with_log postgres "$PG_DIR/initdb.log" "initdb failed"
  fi
  pg_as_owner mkdir -p "$PG_RUN"
  # pg_ctl hands -o to a shell, hence the single quotes around the path.
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories='$PG_RUN'" \
    start >"$PG_DIR/pg_ctl.log" 2>&1 9>&- || die_with_log postgres "$PG_LOG" "pg_ctl start failed on 127.0.0.1:$PG_PORT"
  wait_for 30 pg_answers || die_with_log postgres "$PG_LOG" "not answering on 127.0.0.1:$PG_PORT"
}

pg_ensure_database() {
  local out
  if ! out=$(PGCONNECT_TIMEOUT=5 psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tA \
    -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" 2>&1); then
    die "postgres: 127.0.0.1:$PG_PORT answers but refuses 'postgres' without a password: $out
  Allow trust for 127.0.0.1 in its pg_hba.conf, or set RENAMER_PG_PORT to a free port (and
  RENAMER_DATABASE_URL to match) so that a private cluster is started under $PG_DIR."
  fi
  if [[ $out != 1 ]]; then
    createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DATABASE" >"$DATA/createdb.log" 2>&1 ||
      die_with_log postgres "$DATA/createdb.log" "could not create database $PG_DATABASE"
  fi
  pg_ensure_app_role
}

# Idempotent, and safe against a concurrent creation (a test run creating it at the same time).
pg_ensure_app_role() {
  psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >"$DATA/app-role.log" 2>&1 <<SQL ||
DO \$\$ BEGIN
  CREATE ROLE "$PG_APP_ROLE" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END \$\$;
SQL
    die_with_log postgres "$DATA/app-role.log" "could not create the database role $PG_APP_ROLE"
}

pg_up() {
  if ! command -v pg_isready >/dev/null || ! command -v psql >/dev/null; then
    apt_install postgresql-client
  fi
  local how
  if pg_answers; then
    if pg_managed_here; then how="running, data in $PG_DIR"; else how="already running, not managed here"; fi
  else
    pg_start_private
    if pg_managed_here; then how="started, data in $PG_DIR"; else how="started by the postgresql package"; fi
  fi
  pg_ensure_database
  say postgres "127.0.0.1:$PG_PORT db=$PG_DATABASE ($how)"
}

pg_down() {
  if pg_managed_here && pg_find_bin; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >"$PG_DIR/pg_ctl.log" 2>&1 ||
      die_with_log postgres "$PG_LOG" "pg_ctl stop failed"
    say postgres "stopped"
  else
    say postgres "not running here"
  fi
}

pg_status() {
  if pg_answers; then
    local how="not managed here"
    pg_managed_here && how="managed here, data in $PG_DIR"
    say postgres "up   127.0.0.1:$PG_PORT ($how)"
  else
    say postgres "down 127.0.0.1:$PG_PORT"
    return 1
  fi
}

# --- PostgreSQL replica (optional) --------------------------------------------

PG_REPLICA_PORT=${RENAMER_PG_REPLICA_PORT:-5433}
PG_REPLICA_DIR=$DATA/postgres-replica
PG_REPLICA_DATA=$PG_REPLICA_DIR/data
PG_REPLICA_LOG=$PG_REPLICA_DIR/postgres.log

pg_replica_answers() { pg_isready -q -h 127.0.0.1 -p "$PG_REPLICA_PORT" -t 2; }
pg_replica_managed_here() {
  [[ -r $PG_REPLICA_DATA/postmaster.pid ]] && live_pid "$PG_REPLICA_DATA/postmaster.pid" postgres >/dev/null
}

# A hot standby of the primary made with `pg_basebackup -R`, so it streams the primary's
# changes: the real leader/follower setup, lag included. The primary must accept replication
# connections from `postgres` on 127.0.0.1; the private cluster above does (initdb --auth=trust),
# a system one may not, and then this says so rather than touching its configuration.
pg_replica_up() {
  local how
  if pg_replica_answers; then
    if pg_replica_managed_here; then how="running, data in $PG_REPLICA_DIR"; else how="already running, not managed here"; fi
  else
    pg_find_bin || die "replica: no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql)"
    mkdir -p "$PG_REPLICA_DIR"
    [[ $EUID -ne 0 ]] || chown postgres: "$PG_REPLICA_DIR"
    if [[ ! -s $PG_REPLICA_DATA/PG_VERSION ]]; then
      if ! pg_as_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$PG_REPLICA_DATA" \
        -R -X stream --checkpoint=fast >"$PG_REPLICA_DIR/basebackup.log" 2>&1; then
        rm -rf "$PG_REPLICA_DATA"
        die_with_log replica "$PG_REPLICA_DIR/basebackup.log" "pg_basebackup from 127.0.0.1:$PG_PORT failed; the primary needs wal_level=replica and a pg_hba.conf line 'host replication postgres 127.0.0.1/32 trust'"
      fi
      # A Debian system cluster keeps its configuration in /etc, so the copy may lack it.
      [[ -e $PG_REPLICA_DATA/postgresql.conf ]] || pg_as_owner touch "$PG_REPLICA_DATA/postgresql.conf"
      [[ -e $PG_REPLICA_DATA/pg_hba.conf ]] ||
        printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | pg_as_owner tee "$PG_REPLICA_DATA/pg_hba.conf" >/dev/null
    fi
    pg_as_owner mkdir -p "$PG_REPLICA_DIR/run"
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_REPLICA_DATA" -l "$PG_REPLICA_LOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$PG_REPLICA_PORT -c unix_socket_directories='$PG_REPLICA_DIR/run' -c hba_file='$PG_REPLICA_DATA/pg_hba.conf'" \
      start >"$PG_REPLICA_DIR/pg_ctl.log" 2>&1 9>&- ||
      die_with_log replica "$PG_REPLICA_LOG" "pg_ctl start failed on 127.0.0.1:$PG_REPLICA_PORT"
    wait_for 30 pg_replica_answers || die_with_log replica "$PG_REPLICA_LOG" "not answering on 127.0.0.1:$PG_REPLICA_PORT"
    how="started, data in $PG_REPLICA_DIR"
  fi
  say replica "127.0.0.1:$PG_REPLICA_PORT standby of :$PG_PORT ($how)"
  say "" "RENAMER_DATABASE_REPLICA_URL=postgresql+psycopg://postgres@127.0.0.1:$PG_REPLICA_PORT/$PG_DATABASE"
}

pg_replica_down() {
  if pg_replica_managed_here && pg_find_bin; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_REPLICA_DATA" -m fast -w -t 30 stop >"$PG_REPLICA_DIR/pg_ctl.log" 2>&1 ||
      die_with_log replica "$PG_REPLICA_LOG" "pg_ctl stop failed"
    say replica "stopped"
  fi
}

pg_replica_status() {
  [[ -d $PG_REPLICA_DATA ]] || return 0 # never set up: not part of the status
  if pg_replica_answers; then
    local how="not managed here"
    pg_replica_managed_here && how="managed here, data in $PG_REPLICA_DIR"
    say replica "up   127.0.0.1:$PG_REPLICA_PORT ($how)"
  else
    say replica "down 127.0.0.1:$PG_REPLICA_PORT"
    return 1
  fi
}

# --- Redis -------------------------------------------------------------------

REDIS_PID=$REDIS_DIR/redis.pid
REDIS_LOG=$REDIS_DIR/redis.log

# PING over bash's /dev/tcp, so no redis-cli is needed to find an existing server.
redis_reply() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" || exit 0
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 line <&3 || true
    printf '%s' "${line%$'\r'}"
  ) 2>/dev/null
}
redis_answers() { [[ $(redis_reply) == +PONG ]]; }

redis_up() {
  local how reply
  if redis_answers; then
    if live_pid "$REDIS_PID" redis-server >/dev/null; then how="running, logs in $REDIS_DIR"; else how="already running, not managed here"; fi
  else
    reply=$(redis_reply || true)
    [[ -z $reply ]] || die "redis: 127.0.0.1:$REDIS_PORT answers PING with '$reply' (a password?); free the port or set RENAMER_REDIS_PORT"
    if ! command -v redis-server >/dev/null; then
      apt_install redis-server
    fi
    if redis_answers; then
      how="started by the redis-server package"
    else
      mkdir -p "$REDIS_DIR"
      redis-server --daemonize yes --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$REDIS_DIR" --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" >/dev/null 2>"$REDIS_DIR/redis.start.log" 9>&- ||
        die_with_log redis "$REDIS_DIR/redis.start.log" "redis-server failed to start"
      wait_for 10 redis_answers || die_with_log redis "$REDIS_LOG" "no PONG from 127.0.0.1:$REDIS_PORT"
      how="started, logs in $REDIS_DIR"
    fi
  fi
  say redis "127.0.0.1:$REDIS_PORT ($how)"
}

redis_status() {
  if redis_answers; then
    local how="not managed here"
    live_pid "$REDIS_PID" redis-server >/dev/null && how="managed here, logs in $REDIS_DIR"
    say redis "up   127.0.0.1:$REDIS_PORT ($how)"
  else
    say redis "down 127.0.0.1:$REDIS_PORT"
    return 1
  fi
}

# --- S3 (SeaweedFS) ------------------------------------------------------------

SW_PID=$SW_DIR/weed.pid
# weed's stdout and stderr (start-up banner, errors); glog's files, flushed lazily, go to logs/.
SW_OUT=$SW_DIR/weed.out
# Holds the pid of the weed that passed s3_verify, so a no-op `up` skips boto3 (~1 s).
SW_VERIFIED=$SW_DIR/verified.pid

# Makes sure the bucket exists, then proves the server is the one the app expects:
# an authenticated put/get round trip works and anonymous requests are refused.
s3_verify() {
  "$VENV_PY" - "http://127.0.0.1:$S3_PORT" "$S3_ACCESS_KEY" "$S3_SECRET_KEY" "$S3_BUCKET" "$1" <<'PY'
import sys
import time
import uuid

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

endpoint, access_key, secret_key, bucket, wait_seconds = sys.argv[1:6]
config = Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1}, s3={"addressing_style": "path"})
common = {"endpoint_url": endpoint, "region_name": "us-east-1"}
s3 = boto3.client("s3", aws_access_key_id=access_key, aws_secret_access_key=secret_key, config=config, **common)
anonymous = boto3.client("s3", config=config.merge(Config(signature_version=UNSIGNED)), **common)

deadline = time.monotonic() + float(wait_seconds)
while True:
    try:
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("404", "NoSuchBucket"):
                raise
            s3.create_bucket(Bucket=bucket)
        key = f".services-check/{uuid.uuid4().hex}"
        s3.put_object(Bucket=bucket, Key=key, Body=b"ok")
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        break
    except (BotoCoreError, ClientError) as exc:
        if time.monotonic() > deadline:
            sys.exit(f"authenticated S3 requests to {endpoint} as {access_key!r} fail: {exc}")
        time.sleep(0.5)
try:
    if body != b"ok":
        sys.exit(f"S3 at {endpoint} returned {body!r} for an object that holds b'ok'")
    for attempt in (
        lambda: anonymous.get_object(Bucket=bucket, Key=key),
        lambda: anonymous.put_object(Bucket=bucket, Key=key + "-anon", Body=b"x"),
        lambda: anonymous.list_objects_v2(Bucket=bucket, MaxKeys=1),
    ):
        try:
            attempt()
        except ClientError as exc:
            if exc.response["ResponseMetadata"]["HTTPStatusCode"] not in (401, 403):
                raise
        else:
            sys.exit(f"S3 at {endpoint} serves anonymous requests; it must refuse them")
finally:
    s3.delete_object(Bucket=bucket, Key=key)
PY
}

s3_write_identities() {
  local config=$SW_DIR/s3.json
  (umask 077 && cat >"$config.tmp") <<EOF
{
  "identities": [
    {
      "name": "renamer",
      "credentials": [{"accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY"}],
      "actions": ["Admin", "Read", "List", "Tagging", "Write"]
    }
  ]
}
EOF
  mv "$config.tmp" "$config"
}

s3_up() {
  local how port busy=()
  [[ -x $VENV_PY ]] || die "s3: $VENV_PY is missing; run scripts/bootstrap.sh (uv sync) first"
  if live_pid "$SW_PID" weed >/dev/null; then
    how="running, data in $SW_DIR"
  elif port_open "$S3_PORT"; then
    how="already running, not managed here"
  else
    [[ -x $WEED ]] || die "s3: $WEED is missing; run scripts/bootstrap.sh (uv sync) first"
    for port in "$SW_MASTER_PORT" "$SW_VOLUME_PORT" "$SW_FILER_PORT" "$SW_MASTER_GRPC" "$SW_VOLUME_GRPC" \
      "$SW_FILER_GRPC" "$SW_S3_GRPC" "$SW_ADMIN_PORT" "$SW_ADMIN_GRPC"; do
      port_open "$port" && busy+=("$port")
    done
    ((${#busy[@]} == 0)) ||
      die "s3: SeaweedFS needs ports already in use: ${busy[*]}; pick another RENAMER_S3_PORT (the others follow it)"
    mkdir -p "$SW_DIR/data" "$SW_DIR/logs"
    s3_write_identities
    # Started from $SW_DIR so that no weed.toml/security.toml in the caller's directory is picked up.
    (
      cd "$SW_DIR"
      exec setsid nohup "$WEED" -logdir="$SW_DIR/logs" -alsologtostderr=false -log_max_size_mb=64 \
        mini -dir="$SW_DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
        -master.port="$SW_MASTER_PORT" -master.port.grpc="$SW_MASTER_GRPC" -master.telemetry=false \
        -volume.port="$SW_VOLUME_PORT" -volume.port.grpc="$SW_VOLUME_GRPC" \
        -filer.port="$SW_FILER_PORT" -filer.port.grpc="$SW_FILER_GRPC" -filer.localSocket="$SW_DIR/filer.sock" \
        -s3.port="$S3_PORT" -s3.port.grpc="$SW_S3_GRPC" -s3.localSocket="$SW_DIR/s3.sock" \
        -s3.port.iceberg=0 -s3.port.lance=0 -s3.config="$SW_DIR/s3.json" \
        -webdav=false -admin.ui=false -admin.port="$SW_ADMIN_PORT" -admin.port.grpc="$SW_ADMIN_GRPC" \
        -bucket="$S3_BUCKET" \
        </dev/null >"$SW_OUT" 2>&1 9>&-
    ) &
    echo $! >"$SW_PID"
    wait_for 60 port_open "$S3_PORT" ||
      die_with_log s3 "$SW_OUT" "SeaweedFS did not open 127.0.0.1:$S3_PORT within 60 s (more in $SW_DIR/logs)"
    how="started, data in $SW_DIR"
  fi
  local out pid
  pid=$(live_pid "$SW_PID" weed || true)
  if [[ -n $pid && $(cat "$SW_VERIFIED" 2>/dev/null) == "$pid" ]]; then
    say s3 "http://127.0.0.1:$S3_PORT bucket=$S3_BUCKET ($how)"
    return 0
  fi
  # A server we just started may need seconds before its volumes take writes; one that
  # was already running gets a short grace only.
  if ! out=$(s3_verify "$([[ $how == already* ]] && echo 5 || echo 60)" 2>&1); then
    if [[ $how == already* ]]; then
      die "s3: 127.0.0.1:$S3_PORT is taken by a server that is not usable as the app's S3: ${out##*$'\n'}
  Stop it, or set RENAMER_S3_PORT to a free port (and RENAMER_S3_ENDPOINT_URL to match)."
    fi
    die_with_log s3 "$SW_OUT" "${out##*$'\n'} (more in $SW_DIR/logs)"
  fi
  [[ -z $pid ]] || echo "$pid" >"$SW_VERIFIED"
  say s3 "http://127.0.0.1:$S3_PORT bucket=$S3_BUCKET ($how)"
}

s3_status() {
  if port_open "$S3_PORT"; then
    local how="not managed here"
    live_pid "$SW_PID" weed >/dev/null &&
      how="managed here, data in $SW_DIR; master $SW_MASTER_PORT volume $SW_VOLUME_PORT filer $SW_FILER_PORT"
    say s3 "up   http://127.0.0.1:$S3_PORT ($how)"
  else
    say s3 "down http://127.0.0.1:$S3_PORT"
    return 1
  fi
}

# --- ClamAV --------------------------------------------------------------------

CLAMD_CONF=$CLAMD_DIR/clamd.conf
CLAMD_PID=$CLAMD_DIR/clamd.pid
CLAMD_LOG=$CLAMD_DIR/clamd.log
CLAMD_DB=$CLAMD_DIR/db
FRESHCLAM_PID=$CLAMD_DIR/freshclam.pid
FRESHCLAM_LOG=$CLAMD_DIR/freshclam.log
FRESHCLAM_STAMP=$CLAMD_DIR/freshclam.last-attempt

clamd_bin() {
  local candidate
  for candidate in "$(command -v clamd 2>/dev/null || true)" /usr/sbin/clamd /usr/local/sbin/clamd; do
    [[ -n $candidate && -x $candidate ]] && {
      echo "$candidate"
      return 0
    }
  done
  return 1
}

# bash cannot open a unix socket; the system python3 answers in ~20 ms.
clamd_answers() {
  [[ -S $CLAMD_SOCKET ]] || return 1
  "$PYTHON" -S - "$CLAMD_SOCKET" <<'PY' 2>/dev/null
import socket, sys
with socket.socket(socket.AF_UNIX) as s:
    s.settimeout(3)
    s.connect(sys.argv[1])
    s.sendall(b"zPING\0")
    sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)
PY
}

# clamd_render_config TCP_PORT WITH_TCP(yes|no)
clamd_render_config() {
  local tcp_port=$1 with_tcp=$2 dir=$CLAMD_DIR
  # Escape what sed treats specially in a replacement (\, & and the | delimiter).
  dir=${dir//\\/\\\\}
  dir=${dir//&/\\&}
  dir=${dir//|/\\|}
  sed -e "s|@CLAMD_DIR@|$dir|g" -e "s|@CLAMD_TCP_PORT@|$tcp_port|g" "$REPO/ops/clamav/clamd.conf.in" >"$CLAMD_CONF.tmp"
  if [[ $with_tcp == no ]]; then
    sed -i -e 's/^\(TCPSocket .*\)/# \1 (taken by something else when clamd started)/' -e 's/^TCPAddr/# TCPAddr/' \
      "$CLAMD_CONF.tmp"
  fi
  mv "$CLAMD_CONF.tmp" "$CLAMD_CONF"
}

# Official signatures, where ClamAV's mirror is reachable. The quick attempt is capped
# at RENAMER_FRESHCLAM_TIMEOUT seconds; when the mirror answers but the first full
# download needs longer, it carries on in the background and clamd's SelfCheck loads
# the result. At most one attempt an hour: the mirror rate-limits eager clients.
clamd_freshclam() {
  [[ ${RENAMER_FRESHCLAM:-1} != 0 ]] || return 0
  command -v freshclam >/dev/null || return 0
  [[ -z $(find "$FRESHCLAM_STAMP" -mmin -60 2>/dev/null) ]] || return 0
  live_pid "$FRESHCLAM_PID" timeout >/dev/null && return 0
  touch "$FRESHCLAM_STAMP"
  # Without a resolvable mirror freshclam spends ~10 s retrying; this answers at once.
  timeout 3 getent hosts database.clamav.net >/dev/null 2>&1 || return 0
  local conf=$CLAMD_DIR/freshclam.conf rc=0
  cat >"$conf" <<EOF
DatabaseDirectory $CLAMD_DB
UpdateLogFile $FRESHCLAM_LOG
DatabaseOwner $(id -un)
DatabaseMirror database.clamav.net
DNSDatabaseInfo current.cvd.clamav.net
ConnectTimeout 10
ReceiveTimeout 120
NotifyClamd no
Foreground yes
EOF
  timeout "${RENAMER_FRESHCLAM_TIMEOUT:-20}" freshclam --quiet --config-file="$conf" >/dev/null 2>&1 9>&- || rc=$?
  if ((rc == 124)); then
    setsid nohup timeout 1800 freshclam --quiet --config-file="$conf" </dev/null >/dev/null 2>&1 9>&- &
    echo $! >"$FRESHCLAM_PID"
  fi
}

clamd_up() {
  local how clamd with_tcp=yes wait=30
  if ((${#CLAMD_SOCKET} > 100)); then
    die "clamd: the socket path $CLAMD_SOCKET is too long for a unix socket; set RENAMER_DATA_DIR to a shorter path"
  fi
  if clamd_answers; then
    if live_pid "$CLAMD_PID" clamd >/dev/null; then how="running, logs in $CLAMD_DIR"; else how="already running, not managed here"; fi
  else
    clamd=$(clamd_bin) || {
      apt_install clamav-daemon clamav
      clamd=$(clamd_bin) || die "clamd: clamav-daemon is installed but no clamd binary was found"
    }
    mkdir -p "$CLAMD_DB" "$CLAMD_DIR/tmp"
    cmp -s "$REPO/ops/clamav/renamer-test.ndb" "$CLAMD_DB/renamer-test.ndb" ||
      cp "$REPO/ops/clamav/renamer-test.ndb" "$CLAMD_DB/renamer-test.ndb"
    if port_open "$CLAMD_TCP_PORT"; then
      printf 'services: clamd: 127.0.0.1:%s is taken, so this clamd listens on its unix socket only\n' \
        "$CLAMD_TCP_PORT" >&2
      with_tcp=no
    fi
    clamd_render_config "$CLAMD_TCP_PORT" "$with_tcp"
    clamd_freshclam
    # Official databases take clamd far longer to load than the one test signature.
    compgen -G "$CLAMD_DB/main.c[lv]d" >/dev/null && wait=180
    "$clamd" --config-file="$CLAMD_CONF" >>"$CLAMD_LOG" 2>&1 9>&- || die_with_log clamd "$CLAMD_LOG" "clamd failed to start"
    wait_for "$wait" clamd_answers || die_with_log clamd "$CLAMD_LOG" "no PONG on $CLAMD_SOCKET within $wait s"
    how="started, logs in $CLAMD_DIR"
  fi
  say clamd "unix:$CLAMD_SOCKET ($how)"
}

clamd_status() {
  if clamd_answers; then
    local how="not managed here" tcp
    live_pid "$CLAMD_PID" clamd >/dev/null && how="managed here, logs in $CLAMD_DIR"
    tcp=$(sed -n 's/^TCPSocket \([0-9]*\)/ tcp:127.0.0.1:\1/p' "$CLAMD_CONF" 2>/dev/null || true)
    say clamd "up   unix:$CLAMD_SOCKET$tcp ($how)"
  else
    say clamd "down unix:$CLAMD_SOCKET"
    return 1
  fi
}

# --- main ----------------------------------------------------------------------------

command=${1:-up}
target=${2:-}
case $command:$target in
up: | down: | status: | up:replica) ;;
*) die "usage: $0 [up|down|status] | $0 up replica" ;;
esac

# One run at a time per data directory (two terminals running `make dev` at once).
# Every daemon is started with `9>&-` so that it does not inherit, and hold, this lock.
exec 9>"$DATA/.services.lock"
flock -w 300 9 || die "another scripts/services.sh is still running on $DATA"

case $command:$target in
up:replica)
  pg_up
  pg_replica_up
  ;;
up:)
  pg_up
  redis_up
  s3_up
  clamd_up
  ;;
down:)
  stop_pid freshclam "$FRESHCLAM_PID" timeout >/dev/null
  stop_pid clamd "$CLAMD_PID" clamd
  stop_pid s3 "$SW_PID" weed
  rm -f "$SW_VERIFIED"
  stop_pid redis "$REDIS_PID" redis-server
  pg_replica_down
  pg_down
  ;;
status:)
  rc=0
  pg_status || rc=1
  pg_replica_status || rc=1
  redis_status || rc=1
  s3_status || rc=1
  clamd_status || rc=1
  exit "$rc"
  ;;
esac
