"""What the calculator does, as plain Python with no WebAssembly in sight.

The twin of `components/calculator/src/math.rs`: checked `u32` arithmetic, where a result
that does not fit, or a division by zero, is an error rather than a wrong answer.
`test_arithmetic.py` checks it against the same cases as the Rust tests.
"""

U32_MAX = 2**32 - 1


class MathError(Exception):
    """Why an operation has no result. `code` is the WIT `math-error` case."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


OVERFLOW = "overflow"
DIVISION_BY_ZERO = "division-by-zero"


def _checked(value: int) -> int:
    if not 0 <= value <= U32_MAX:
        raise MathError(OVERFLOW)
    return value


def add(a: int, b: int) -> int:
    """`a + b`, or `overflow`."""
    return _checked(a + b)


def subtract(a: int, b: int) -> int:
    """`a - b`, or `overflow` when `b > a`."""
    return _checked(a - b)


def multiply(a: int, b: int) -> int:
    """`a * b`, or `overflow`."""
    return _checked(a * b)


def divide(a: int, b: int) -> int:
    """`a / b` rounded towards zero, or `division-by-zero`."""
    if b == 0:
        raise MathError(DIVISION_BY_ZERO)
    return a // b


def process_sequence(values: list[int]) -> list[int]:
    """The distinct values, in ascending order."""
    return sorted(set(values))
