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

web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
