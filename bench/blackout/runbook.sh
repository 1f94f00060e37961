#!/usr/bin/env bash
# The write-up's cutover runbook (../../../shared/ORIGIN.txt, "This is the actual sequence"), as
# written, run by bench/blackout as the baseline pgflip's flip is measured against. Adapted only
# where this lab differs from the write-up's hosts:
#   - every server is 127.0.0.1 on its own port: "host=blue" in the ini is " port=<BLUE_PORT> ";
#   - no Slack to post to, and the final health check is a query through PgBouncer, not curl;
#   - the LSN loop has a budget (the write-up budgeted 60 s "before triggering rollback"), so it
#     cannot loop forever: when it runs out, traffic resumes on blue and the script exits 3.
# "blue" is the side writes leave and "green" the side they go to; the bench runs this in both
# directions, re-creating the subscription from scratch in between.
#
# Environment: BOUNCER_PORT, POOL (the PgBouncer database), DBNAME, BLUE_PORT, GREEN_PORT,
# SUBSCRIPTION, INI, SEQUENCE_FILE, LSN_BUDGET_S. Prints "mark <step> <ms since t=0>" lines.
set -euo pipefail

: "${BOUNCER_PORT:?}" "${POOL:?}" "${DBNAME:?}" "${BLUE_PORT:?}" "${GREEN_PORT:?}"
: "${SUBSCRIPTION:?}" "${INI:?}" "${SEQUENCE_FILE:?}" "${LSN_BUDGET_S:=60}"
export PGUSER=postgres PGDATABASE="$DBNAME"
pgbouncer=(-h 127.0.0.1 -p "$BOUNCER_PORT" -d pgbouncer)
blue=(-h 127.0.0.1 -p "$BLUE_PORT")
green=(-h 127.0.0.1 -p "$GREEN_PORT")

now_us() { echo "${EPOCHREALTIME/./}"; }  # a bash builtin: no process, no cost to the window
mark() { echo "mark $1 $((($(now_us) - t0) / 1000))"; }

# Before t=0 (gotcha #1): the setval script, sequence values read on blue plus 100k.
psql "${blue[@]}" -Atc "SELECT 'SELECT setval(''' || sequencename || ''', ' || last_value + 100000 || ');'
FROM pg_sequences;" >"$SEQUENCE_FILE"

t0=$(now_us)
# t=0: stop application writes via PgBouncer PAUSE
psql "${pgbouncer[@]}" -c "PAUSE $POOL;"
mark pause

# t=2: wait for green to catch up to blue's last LSN
BLUE_LSN=$(psql "${blue[@]}" -tc "SELECT pg_current_wal_lsn();")
lsn_deadline=$(($(now_us) + LSN_BUDGET_S * 1000000))
checks=0
while true; do
  GREEN_LSN=$(psql "${green[@]}" -tc "SELECT received_lsn FROM pg_stat_subscription;")
  checks=$((checks + 1))
  if [[ "$GREEN_LSN" == "$BLUE_LSN" ]]; then break; fi
  if (($(now_us) >= lsn_deadline)); then
    echo "lsn_timeout checks=$checks blue=$BLUE_LSN green=$GREEN_LSN"
    psql "${pgbouncer[@]}" -c "RESUME $POOL;"  # the budget is spent: writes go on on blue
    mark resume
    exit 3
  fi
  sleep 1
done
echo "lsn_checks $checks"
mark catch_up

# t=14: bump sequences on green
psql "${green[@]}" -f "$SEQUENCE_FILE"
mark sequences

# t=16: swap PgBouncer upstream
sed -i "s/ port=$BLUE_PORT / port=$GREEN_PORT /" "$INI"
psql "${pgbouncer[@]}" -c "RELOAD;"
mark switch

# t=18: drop subscription on green so it doesn't try to replicate to itself
psql "${green[@]}" -c "ALTER SUBSCRIPTION $SUBSCRIPTION DISABLE;"
psql "${green[@]}" -c "ALTER SUBSCRIPTION $SUBSCRIPTION SET (slot_name = NONE);"
psql "${green[@]}" -c "DROP SUBSCRIPTION $SUBSCRIPTION;"
mark drop_subscription

# t=22: resume traffic
psql "${pgbouncer[@]}" -c "RESUME $POOL;"
mark resume

# t=27: verify (the write-up curls the application's health endpoint)
psql -h 127.0.0.1 -p "$BOUNCER_PORT" -d "$POOL" -U app -tc "SELECT 1;" >/dev/null
mark verify
