#!/usr/bin/env bash
# The README's comparison for `bench --peer`: what the job does, as a plain shell script would do it
# with curl (its own SigV4), jq and psql, one call after another. It pages through ListUsers, through
# ListGuestUsers for each billing period, looks the unames up 50 at a time (BatchLookupUserUname), and
# loads each answer into PostgreSQL (schema peer) with COPY. It does no more: no restart, no history,
# no reconciliation, no Parquet, no retries.
#
# Environment: PEER_ENDPOINT (http://127.0.0.1:PORT), PEER_REGION, PEER_NETWORK, PEER_PERIODS
# (YYYY-MM,YYYY-MM), PEER_PSQL (a libpq connection string), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
# Prints one line: users, guests and unames loaded.
set -euo pipefail

sig="aws:amz:${PEER_REGION}:wickr"
api() { curl -sS --fail-with-body --aws-sigv4 "$sig" --user "${AWS_ACCESS_KEY_ID}:${AWS_SECRET_ACCESS_KEY}" "$@"; }
sql() { PGOPTIONS="--client-min-messages=warning" psql "$PEER_PSQL" -X -v ON_ERROR_STOP=1 -qAt "$@"; }
base="$PEER_ENDPOINT/networks/$PEER_NETWORK"

sql -c "DROP SCHEMA IF EXISTS peer CASCADE" -c "CREATE SCHEMA peer" \
    -c "CREATE TABLE peer.users (user_id text, username text, uname text, status int, is_admin boolean, suspended boolean)" \
    -c "CREATE TABLE peer.guests (billing_period text, username text, username_hash text)" \
    -c "CREATE TABLE peer.unames (uname text, username text)"

# page PATH QUERY-BEFORE-maxResults JQ-ROWS TABLE: every page of a listing into a table. curl signs the
# query as written, so its parameters stay in sorted order (billingPeriod, maxResults, nextToken).
page() {
    local token="" query body
    while :; do
        query="${2}maxResults=100"
        if [ -n "$token" ]; then
            query="$query&nextToken=$(jq -rn --arg t "$token" '$t|@uri')"
        fi
        body=$(api "$base$1?$query")
        jq -r "$3 | @csv" <<<"$body" | sql -c "COPY $4 FROM STDIN WITH (FORMAT csv)"
        token=$(jq -r '.nextToken // empty' <<<"$body")
        [ -n "$token" ] || break
    done
}

page /users "" '.users[] | [.userId, .username, .uname, .status, .isAdmin, .suspended]' peer.users
for period in ${PEER_PERIODS//,/ }; do
    page /guest-users "billingPeriod=$period&" '.guestlist[] | [.billingPeriod, .username, .usernameHash]' peer.guests
done

sql -c "SELECT uname FROM peer.users WHERE uname IS NOT NULL UNION SELECT username_hash FROM peer.guests" \
    | split -l 50 --filter='jq -R -s -c "split(\"\n\") | map(select(length > 0)) | {unames: .}"' \
    | while read -r request; do
        api -X POST -H 'Content-Type: application/json' -H "X-Client-Token: $(cat /proc/sys/kernel/random/uuid)" \
            --data "$request" "$base/users/uname-lookup" \
          | jq -r '.successful[] | [.uname, .username] | @csv' | sql -c "COPY peer.unames FROM STDIN WITH (FORMAT csv)"
      done

sql -c "SELECT (SELECT count(*) FROM peer.users) || ' users, ' || (SELECT count(*) FROM peer.guests) || ' guests, '
               || (SELECT count(*) FROM peer.unames) || ' unames loaded'"
