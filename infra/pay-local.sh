#!/usr/bin/env bash
# Pays a PaymentIntent on the local Stripe stand-in the way Stripe.js would in a browser:
# the card becomes a PaymentMethod on the intent, then the intent is confirmed. localstripe
# then sends the signed webhook to the local gateway, which confirms the booking.
#   infra/pay-local.sh <payment_intent_id> [card]   (4242424242424242 pays, 4000000000000341 is declined)
set -euo pipefail
INTENT=${1:?usage: infra/pay-local.sh <payment_intent_id> [card number]}
CARD=${2:-4242424242424242}
STACK=${STACK_JSON:-.local/stack/stack.json}
BASE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stripe_api_base"])' "$STACK")
KEY=sk_test_local
PM=$(curl -sf "$BASE/v1/payment_methods" -u "$KEY:" -d type=card -d "card[number]=$CARD" \
       -d 'card[exp_month]=12' -d 'card[exp_year]=2034' -d 'card[cvc]=123' |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -sf "$BASE/v1/payment_intents/$INTENT" -u "$KEY:" -d "payment_method=$PM" >/dev/null
curl -s "$BASE/v1/payment_intents/$INTENT/confirm" -u "$KEY:" -X POST |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print("payment:", d.get("status") or d.get("error",{}).get("message"))'
