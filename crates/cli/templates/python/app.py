"""The bindings glue: maps `logic` onto the `fusebox:{name}/{name}` world.

componentize-py generates the `wit_world` package from the WIT at build time (see
`build.sh`); this module implements its `Api` export and logs through the shared logger,
the component's only import. Keep it thin: the logic lives in `logic.py`, which runs and
is tested without WebAssembly.
"""

from wit_world import exports
from wit_world.imports import log

import logic


class Api(exports.Api):
    """The exported `api` interface."""

    def echo(self, input: str) -> str:
        log.event(log.Level.DEBUG, "{name}", "echo", [])
        return logic.echo(input)
