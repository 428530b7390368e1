#!/bin/sh
# dr-activate's commands typed by hand into one script, with the same timeouts: what an operator without
# hatui would run (bench/dr.bench.ts runs drill-region-failure once with dr-activate and once with this).
# Locally, no SSH, no confirmations, no audit log. Environment: the lab inventory's dns/pgb1/redis-b host
# variables (PGB_PATRONI_URLS, PGB_PATRONICTL_CONFIG_FILE for pgb1's), HATUI_VAR_PG_PASSWORD, HATUI_VAR_TSIG_SECRET, REDISCLI_AUTH.
set -eu
export PGPASSWORD="$HATUI_VAR_PG_PASSWORD"

# assess region A from outside it (every signal, as dr-activate does)
rest=0
for url in $REGION_A_PATRONI_URLS; do curl -fsS -m 2 -o /dev/null "$url/patroni" 2>/dev/null && rest=$((rest + 1)); done
writable=false
if PGCONNECT_TIMEOUT=3 timeout 6 psql -X -Atq -h "${REGION_A_RW%:*}" -p "${REGION_A_RW##*:}" -U postgres -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null | grep -qx f; then writable=true; fi
for ep in $REGION_A_REDIS; do timeout 3 redis-cli -h "${ep%:*}" -p "${ep##*:}" PING >/dev/null 2>&1 || true; done
[ "$rest" = 0 ] && [ "$writable" = false ] || { echo "region A still answers ($rest REST, writable $writable)" >&2; exit 1; }

# promote region B's standby cluster and wait for a read-write leader
PATRONICTL_CONFIG_FILE="$PGB_PATRONICTL_CONFIG_FILE" patronictl edit-config --force --set standby_cluster=null >/dev/null
leader=
while [ -z "$leader" ]; do
  for url in $PGB_PATRONI_URLS; do curl -fsS -m 2 -o /dev/null "$url/primary" 2>/dev/null && leader=$url; done
  [ -n "$leader" ] || sleep 1
done
pgport=$(curl -fsS -m 2 "$leader/cluster" | jq -r --arg api "$leader/patroni" '.members[] | select(.api_url == $api) | .port')

# promote redis-b
redis-cli -p "$REDIS_B_PORT" REPLICAOF NO ONE >/dev/null

# move both names, then wait out the TTL
ttl=$(dig @"$DNS_SERVER" -p "$DNS_PORT" +time=2 +tries=1 +noall +answer "db.$DR_ZONE" SRV | awk '$4 == "SRV" { print $2; exit }')
{
  printf 'server %s %s\nkey hmac-sha256:%s %s\nzone %s\n' "$DNS_SERVER" "$DNS_PORT" "$TSIG_KEY_NAME" "$HATUI_VAR_TSIG_SECRET" "$DR_ZONE"
  printf 'update delete db.%s SRV\nupdate add db.%s %s SRV 0 0 %s b.%s.\n' "$DR_ZONE" "$DR_ZONE" "$ttl" "$pgport" "$DR_ZONE"
  printf 'update delete cache.%s SRV\nupdate add cache.%s %s SRV 0 0 %s b.%s.\n' "$DR_ZONE" "$DR_ZONE" "$ttl" "$REDIS_B_PORT" "$DR_ZONE"
  printf 'send\n'
} | nsupdate -t 5
sleep "$ttl"

# verify a write through the name
port=$(dig @"$DNS_SERVER" -p "$DNS_PORT" +short "db.$DR_ZONE" SRV | awk '{ print $3; exit }')
PGCONNECT_TIMEOUT=3 psql -X -v ON_ERROR_STOP=1 -Atq -h 127.0.0.1 -p "$port" -U postgres -d postgres \
  -c 'CREATE TABLE IF NOT EXISTS hatui_dr_check (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())' \
  -c 'INSERT INTO hatui_dr_check DEFAULT VALUES' >/dev/null
echo "region B active: db.$DR_ZONE → :$port"
