"""The bindings glue: maps `arithmetic` onto the `fusebox:calculator/calculator` world.

componentize-py generates the `wit_world` package from the WIT at build time (see
`build.sh`); this module implements its `Math` export and logs through the shared
logger, the component's only import. Keep it thin: the logic lives in `arithmetic.py`,
which runs and is tested without WebAssembly.
"""

from componentize_py_types import Err
from wit_world import exports
from wit_world.exports.math import MathError
from wit_world.imports import log

import arithmetic

_ERRORS = {
    arithmetic.OVERFLOW: MathError.OVERFLOW,
    arithmetic.DIVISION_BY_ZERO: MathError.DIVISION_BY_ZERO,
}


def _report(op: str, a: int, b: int, operation) -> int:
    """Run `operation`; on an error, log it at debug level and raise its WIT form."""
    try:
        return operation(a, b)
    except arithmetic.MathError as error:
        fields = [
            log.Field(key="op", value=op),
            log.Field(key="a", value=str(a)),
            log.Field(key="b", value=str(b)),
            log.Field(key="error", value=error.code),
        ]
        log.event(log.Level.DEBUG, "calculator", "operation has no result", fields)
        raise Err(_ERRORS[error.code])


class Math(exports.Math):
    """The exported `math` interface."""

    def add(self, a: int, b: int) -> int:
        return _report("add", a, b, arithmetic.add)

    def subtract(self, a: int, b: int) -> int:
        return _report("subtract", a, b, arithmetic.subtract)

    def multiply(self, a: int, b: int) -> int:
        return _report("multiply", a, b, arithmetic.multiply)

    def divide(self, a: int, b: int) -> int:
        return _report("divide", a, b, arithmetic.divide)

    def process_sequence(self, input: list[int]) -> list[int]:
        return arithmetic.process_sequence(input)
