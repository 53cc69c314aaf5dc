#!/usr/bin/env bash
# `make dev`: a fresh local stack from template.yaml, demo data, and the API on
# http://127.0.0.1:3000. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-3000}"
WEB_PORT="${WEB_PORT:-3001}"
STATE=.local/stack
rm -rf "$STATE"   # every run starts from the template, not from leftovers
mkdir -p "$STATE"

.venv/ministack/bin/python infra/stack.py serve --state-dir "$STATE" --parent-pid $$ &
STACK_PID=$!
cleanup() {
  trap - INT TERM EXIT
  kill "$STACK_PID" 2>/dev/null || true
  [ -n "${WEB_PID:-}" ] && kill "$WEB_PID" 2>/dev/null || true
  [ -n "${METRICS_PID:-}" ] && kill "$METRICS_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "stopped."
}
trap cleanup INT TERM EXIT

for _ in $(seq 1 600); do
  [ -f "$STATE/stack.json" ] && break
  kill -0 "$STACK_PID" 2>/dev/null || { echo "local stack failed; see $STATE/logs" >&2; exit 1; }
  sleep 0.1
done
[ -f "$STATE/stack.json" ] || { echo "local stack did not come up" >&2; exit 1; }

"${CARGO_TARGET_DIR:-target}/debug/seed" --stack "$STATE/stack.json" --out .local/seed.json

# The web app, built once per change of its sources, served against this API.
bash infra/web-setup.sh
if [ ! -f web/.next/BUILD_ID ] || [ -n "$(find web/src web/package-lock.json web/next.config.ts -newer web/.next/BUILD_ID -print -quit)" ]; then
  (cd web && NEXT_TELEMETRY_DISABLED=1 npm run -s build >/dev/null)
fi
(cd web && API_URL="http://127.0.0.1:$PORT" \
  LOCAL_STRIPE_URL="$(python3 -c 'import json; print(json.load(open("../.local/stack/stack.json"))["stripe_api_base"])')" \
  NEXT_TELEMETRY_DISABLED=1 exec node node_modules/next/dist/bin/next start -H 127.0.0.1 -p "$WEB_PORT" >../.local/web.log 2>&1) &
WEB_PID=$!

SPACE=$(python3 -c 'import json; print(json.load(open(".local/seed.json"))["spaces"][0]["id"])')
FROM=$(python3 -c 'import datetime as d; t=d.date.today()+d.timedelta(days=1); print(f"{t}T00:00:00Z")')
TO=$(python3 -c 'import datetime as d; t=d.date.today()+d.timedelta(days=8); print(f"{t}T00:00:00Z")')
FROM_BOOK=$(python3 -c 'import datetime as d; t=d.date.today()+d.timedelta(days=2); print(f"{t}T12:00:00Z")')
TO_BOOK=$(python3 -c 'import datetime as d; t=d.date.today()+d.timedelta(days=2); print(f"{t}T13:00:00Z")')
ITEM=$(python3 -c 'import json; print(json.load(open(".local/seed.json"))["spaces"][0]["item_ids"][0])')
PLAN=$(python3 -c 'import json; print(json.load(open(".local/seed.json"))["plans"][0]["id"])')
PASSWORD=$(python3 -c 'import json; print(json.load(open(".local/seed.json"))["password"])')
cat <<HOWTO

  Web app:    http://127.0.0.1:$WEB_PORT   (sign in as a demo user below; test card 4242 4242 4242 4242)
  API:        http://127.0.0.1:$PORT
  AWS (local) $(python3 -c 'import json; print(json.load(open(".local/stack/stack.json"))["aws_endpoint_url"])')   Stripe (local) $(python3 -c 'import json; print(json.load(open(".local/stack/stack.json"))["stripe_api_base"])')
  Demo users: admin@demo.test, member@demo.test, operator1..4@demo.test  password: $PASSWORD
  Seeded ids: .local/seed.json

  Try:
    curl -s http://127.0.0.1:$PORT/health
    curl -s http://127.0.0.1:$PORT/spaces/$SPACE
    curl -s -X POST http://127.0.0.1:$PORT/users/register -H 'content-type: application/json' \\
         -d '{"email":"you@example.com","password":"Your-Passw0rd-1","name":"You"}'
    # The code is mailed on AWS; the local Cognito accepts 123456. Unconfirmed accounts cannot sign in.
    curl -s -X POST http://127.0.0.1:$PORT/users/confirm -H 'content-type: application/json' \\
         -d '{"email":"you@example.com","code":"123456"}'
    TOKEN=\$(curl -s -X POST http://127.0.0.1:$PORT/users/login -H 'content-type: application/json' \\
         -d '{"email":"member@demo.test","password":"$PASSWORD"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    curl -s http://127.0.0.1:$PORT/users/me -H "authorization: Bearer \$TOKEN"
    curl -s "http://127.0.0.1:$PORT/spaces/$SPACE/availability?from=$FROM&to=$TO"
    curl -s -X POST http://127.0.0.1:$PORT/bookings -H "authorization: Bearer \$TOKEN" \\
         -H 'content-type: application/json' -H "idempotency-key: \$(python3 -c 'import uuid; print(uuid.uuid4())')" \\
         -d '{"bookable_item_id":"$ITEM","start_time":"$FROM_BOOK","end_time":"$TO_BOOK"}'
    # Pay it as Stripe.js would (localstripe then calls the webhook, the booking turns confirmed):
    infra/pay-local.sh <payment.stripe_payment_intent_id from the answer>
    curl -s http://127.0.0.1:$PORT/bookings/<id> -H "authorization: Bearer \$TOKEN"
    # Memberships: the seeded plans, then subscribe with a test card made into a PaymentMethod:
    curl -s http://127.0.0.1:$PORT/membership-plans
    PM=\$(curl -s -u sk_test_local: $(python3 -c 'import json; print(json.load(open(".local/stack/stack.json"))["stripe_api_base"])')/v1/payment_methods \\
         -d type=card -d 'card[number]=4242424242424242' -d 'card[exp_month]=12' -d 'card[exp_year]=2034' -d 'card[cvc]=123' \\
         | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    curl -s -X POST http://127.0.0.1:$PORT/memberships -H "authorization: Bearer \$TOKEN" \\
         -H 'content-type: application/json' -d "{\"plan_id\":\"$PLAN\",\"payment_method_id\":\"\$PM\"}"

  Metrics: the booking funnel, conflicts, failures and the event pipeline print here as
  they change, summed from the functions' EMF lines (all log lines: .local/functions.log;
  follow one booking with: grep '"correlation_id":"<booking id>"' .local/functions.log).

  Ctrl-C stops the web app, the gateway and the stand-ins.
HOWTO
# The functions' log lines (and EMF metric lines) to the terminal and to a file, which
# local-metrics reads back into a summary.
: > .local/functions.log
"${CARGO_TARGET_DIR:-target}/debug/local-metrics" .local/functions.log &
METRICS_PID=$!
# In the foreground, so Ctrl-C reaches it; the EXIT trap then stops the stand-ins.
COWORK_WEB_ORIGIN="http://127.0.0.1:$WEB_PORT" "${CARGO_TARGET_DIR:-target}/debug/local-gateway" --stack "$STATE/stack.json" --port "$PORT" \
  | tee -a .local/functions.log
