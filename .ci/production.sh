#!/usr/bin/env bash
# The production topology, as processes (CI has no container engine; compose.yaml runs the
# same entry points): production settings on PostgreSQL and Redis, `bin/signpost release`,
# gunicorn with two web processes, a send worker and a print worker, and beat, each a
# process of its own; django-anymail's Mailgun backend sends to a local Mailgun that
# writes one file per recipient. `.ci/journey.py --behind-proxy` (playing the HTTPS load
# balancer) must pass against it.
#
# Then the restore drill: `manage.py backup` (encrypted), `manage.py restore` into a new
# database and media folder, every table and file compared, and the journey run again on
# the restored install (same address), whose users sign in with the authenticators set up
# the first time, and whose sent campaign is checked rather than sent again.
#
#   bash .ci/production.sh        (needs PostgreSQL on 127.0.0.1:5432 and Redis on :6379)
set -euo pipefail
cd "$(dirname "$0")/.."

port="${PRODUCTION_PORT:-8078}"
mail_port="${PRODUCTION_MAIL_PORT:-$((port + 500))}"
db="${PRODUCTION_DB:-signpost_production}"
# Two Redis databases of their own (broker, cache), emptied first: not ones anything else uses.
redis_port="${PRODUCTION_REDIS_PORT:-6379}"
redis_db="${PRODUCTION_REDIS_DB:-13}"
work="$(mktemp -d /tmp/signpost-production.XXXXXX)"
python=.venv/bin/python
echo "production topology in $work"

for name in "$db" "${db}_restored"; do
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
  psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE \"$name\"" >/dev/null
done
redis-cli -h 127.0.0.1 -p "$redis_port" -n "$redis_db" flushdb >/dev/null
redis-cli -h 127.0.0.1 -p "$redis_port" -n $((redis_db + 1)) flushdb >/dev/null

export DJANGO_SETTINGS_MODULE=signpost.settings.production
export SECRET_KEY="ci-production-topology-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
export ALLOWED_HOSTS=127.0.0.1,localhost
export SIGNPOST_BASE_URL="http://127.0.0.1:$port"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
export CELERY_BROKER_URL="redis://127.0.0.1:$redis_port/$redis_db"
export REDIS_URL="redis://127.0.0.1:$redis_port/$((redis_db + 1))"
export MAILGUN_API_KEY=key-ci MAILGUN_SENDER_DOMAIN=mg.signpost.example
export MAILGUN_API_URL="http://127.0.0.1:$mail_port/v3"
export MAILGUN_WEBHOOK_SIGNING_KEY=ci-signing-key ANYMAIL_WEBHOOK_SECRET=ci:webhook-secret
export DEFAULT_FROM_EMAIL="Signpost <updates@mg.signpost.example>"
export SIGNPOST_VAR_DIR="$work/var" MEDIA_ROOT="$work/media"
export SIGNPOST_PRINT_WORK_DIR="$work/print-work"
export SIGNPOST_WEB_BIND="127.0.0.1:$port" WEB_CONCURRENCY=2
export SIGNPOST_TRUSTED_PROXY_COUNT=0 SIGNPOST_WORKER_CONCURRENCY=1
# The embargo must go live within the journey's two minutes.
export SIGNPOST_BEAT_HEARTBEAT_SECONDS=30

groups=()
start() {  # start NAME COMMAND...: its own process group, output in $work/NAME.log
  local name="$1"
  shift
  setsid "$@" >"$work/$name.log" 2>&1 &
  groups+=("$!")
  echo "started $name (pid $!)"
}
stop_all() {
  local pid
  for pid in "${groups[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for _ in $(seq 60); do
    local alive=0
    for pid in "${groups[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 1
  done
  for pid in "${groups[@]}"; do
    if kill -0 -- "-$pid" 2>/dev/null; then
      echo "process group $pid did not stop on TERM"
      kill -KILL -- "-$pid" 2>/dev/null || true
      return 1
    fi
  done
  groups=()
}
show_logs() {
  for log in "$work"/*.log; do echo "--- $log"; tail -n 40 "$log"; done
}
trap 'stop_all || true' EXIT

wait_ready() {  # wait_ready PORT
  for _ in $(seq 120); do
    if curl -fsS "http://127.0.0.1:$1/readyz" >"$work/readyz.json" 2>/dev/null; then
      echo "readyz: $(cat "$work/readyz.json")"
      return 0
    fi
    sleep 1
  done
  echo "readyz never answered 200:"
  curl -sS "http://127.0.0.1:$1/readyz" || true
  show_logs
  return 1
}

run_topology() {  # run_topology PORT: web (2 processes), send worker, print worker, beat
  start web env SIGNPOST_WEB_BIND="127.0.0.1:$1" bin/signpost web
  start worker-send env SIGNPOST_WORKER_QUEUES=send,default SIGNPOST_WORKER_NAME=send \
    bin/signpost worker
  start worker-print env SIGNPOST_WORKER_QUEUES=print SIGNPOST_WORKER_NAME=print \
    bin/signpost worker
  start beat bin/signpost beat
  wait_ready "$1"
  local web_processes
  web_processes="$(pgrep -P "${groups[-4]}" -f gunicorn | wc -l)"
  [ "$web_processes" = 2 ] || { echo "gunicorn runs $web_processes web processes, not 2"; return 1; }
}

check_logs() {  # no tracebacks; no query strings, tokens or codes in the access log
  if grep -n "Traceback" "$work"/web.log "$work"/worker-*.log "$work"/beat.log; then
    echo "a process logged a traceback"; show_logs; return 1
  fi
  if grep -nE '"(GET|POST) [^"]*\?|/unsubscribe/[^…" ]|/q/[^…" ]' "$work/web.log"; then
    echo "the access log holds a query string, a token or a code"; return 1
  fi
}

echo "== release (migrate, collectstatic, check --deploy), then the demo initiative"
start mailbox "$python" .ci/mailgun_mailbox.py --port "$mail_port" --mail-dir "$work/mail"
bin/signpost release
SIGNPOST_ALLOW_DEMO_DATA=1 bin/signpost manage load_demo_data >"$work/demo.log" 2>&1 \
  || { tail -n 40 "$work/demo.log"; exit 1; }

echo "== the topology and the journey"
run_topology "$port"
if ! "$python" .ci/journey.py --base-url "http://127.0.0.1:$port" --mail-dir "$work/mail" \
    --behind-proxy --authenticator-file "$work/authenticators.json" --startup-timeout 60; then
  show_logs
  exit 1
fi
check_logs
stop_all
echo "every process stopped on TERM"

echo "== restore drill: an encrypted backup, restored into a new database and media folder"
export SIGNPOST_BACKUP_KEY="$(bin/signpost manage backup --new-key)"
bin/signpost manage backup --to "$work/backups"
archive="$(ls "$work"/backups/signpost-*.tar.enc)"
source_url="$DATABASE_URL"
source_media="$MEDIA_ROOT"
source_private="$SIGNPOST_VAR_DIR/private"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${db}_restored"
export MEDIA_ROOT="$work/restored-media"
export SIGNPOST_VAR_DIR="$work/restored-var"
bin/signpost manage restore "$archive"
"$python" .ci/verify_restore.py --source-db "$source_url" --restored-db "$DATABASE_URL" \
  --source-media "$source_media" --restored-media "$MEDIA_ROOT" \
  --source-private "$source_private" --restored-private "$SIGNPOST_VAR_DIR/private"
bin/signpost release >/dev/null

echo "== the journey on the restored install"
rm -f "$work"/web.log "$work"/worker-*.log "$work"/beat.log
start mailbox "$python" .ci/mailgun_mailbox.py --port "$mail_port" --mail-dir "$work/restored-mail"
run_topology "$port"
if ! "$python" .ci/journey.py --base-url "http://127.0.0.1:$port" \
    --mail-dir "$work/restored-mail" --behind-proxy --restored \
    --authenticator-file "$work/authenticators.json" --startup-timeout 60; then
  show_logs
  exit 1
fi
check_logs
stop_all
trap - EXIT
for name in "$db" "${db}_restored"; do
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
done
rm -rf "$work"
echo "production topology and restore drill passed"
