"""Run localstripe bound to 127.0.0.1 only, with its pickle persistence off.

Its own CLI binds '::' (every interface) and pickles the store to /tmp on every write,
which would leak state between runs; this wrapper avoids both.
"""
import sys

from aiohttp import web
from localstripe import resources, server

resources.store.dump_to_disk = lambda: None
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
