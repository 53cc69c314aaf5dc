"""Run localstripe bound to 127.0.0.1 only, with its pickle persistence off.

Its own CLI binds '::' (every interface) and pickles the store to /tmp on every write,
which would leak state between runs; this wrapper avoids both. It also closes one gap
between localstripe and Stripe that the product relies on (each named below).
"""
import sys

from aiohttp import web
from localstripe import errors, resources, server

resources.store.dump_to_disk = lambda: None

# localstripe ignores `metadata` when a subscription is updated; Stripe merges it, and an
# empty value unsets a key (API reference: "Update a subscription", metadata). Erasure
# relies on it to take our user id off a member's subscription.
_subscription_update = resources.Subscription._update


def _subscription_update_with_metadata(self, metadata=None, **kwargs):
    if metadata is not None:
        if type(metadata) is not dict:
            raise errors.UserError(400, 'Bad request')
        merged = dict(self.metadata or {})
        for key, value in metadata.items():
            if value == '':
                merged.pop(key, None)
            else:
                merged[key] = value
        self.metadata = merged
    return _subscription_update(self, **kwargs)


resources.Subscription._update = _subscription_update_with_metadata

# localstripe stores an updated PaymentIntent `amount` as the form's string (its create
# converts it); Stripe keeps an integer, may only change it while the intent is unpaid,
# and refuses a non-positive one (API reference: "Update a PaymentIntent"). A series
# sets its intent to what was booked.
_intent_update = resources.PaymentIntent._update


def _intent_update_with_amount(self, amount=None, **kwargs):
    if amount is not None:
        amount = resources.try_convert_to_int(amount)
        if type(amount) is not int or amount <= 0:
            raise errors.UserError(400, 'Invalid positive integer')
        if self.status not in ('requires_payment_method', 'requires_confirmation'):
            raise errors.UserError(
                400, 'This PaymentIntent\'s amount could not be updated because it has a '
                'status of ' + self.status + '.')
        kwargs['amount'] = amount
    return _intent_update(self, **kwargs)


resources.PaymentIntent._update = _intent_update_with_amount

web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
