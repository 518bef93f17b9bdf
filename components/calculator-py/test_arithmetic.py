"""Native unit tests of `arithmetic`: the same cases as `components/calculator/src/math.rs`.

Run with `python3 -m unittest discover -s components/calculator-py` (`make test` does).
"""

import random
import unittest

from arithmetic import (
    DIVISION_BY_ZERO,
    OVERFLOW,
    U32_MAX,
    MathError,
    add,
    divide,
    multiply,
    process_sequence,
    subtract,
)


class Arithmetic(unittest.TestCase):
    def assert_error(self, code, operation, a, b):
        with self.assertRaises(MathError) as caught:
            operation(a, b)
        self.assertEqual(caught.exception.code, code)

    def test_add_reports_overflow_at_the_boundary(self):
        self.assertEqual(add(2, 3), 5)
        self.assertEqual(add(U32_MAX, 0), U32_MAX)
        self.assert_error(OVERFLOW, add, U32_MAX, 1)
        self.assert_error(OVERFLOW, add, U32_MAX, U32_MAX)

    def test_subtract_below_zero_is_overflow(self):
        self.assertEqual(subtract(5, 3), 2)
        self.assertEqual(subtract(3, 3), 0)
        self.assert_error(OVERFLOW, subtract, 3, 5)

    def test_multiply_reports_overflow(self):
        self.assertEqual(multiply(6, 7), 42)
        self.assertEqual(multiply(U32_MAX, 0), 0)
        self.assertEqual(multiply(65_536, 65_535), 4_294_901_760)
        self.assert_error(OVERFLOW, multiply, 65_536, 65_536)

    def test_divide_by_zero_is_an_error_not_a_crash(self):
        self.assertEqual(divide(7, 2), 3)
        self.assertEqual(divide(0, 9), 0)
        self.assert_error(DIVISION_BY_ZERO, divide, 1, 0)
        self.assert_error(DIVISION_BY_ZERO, divide, 0, 0)

    def test_process_sequence_sorts_and_deduplicates(self):
        self.assertEqual(process_sequence([3, 1, 3, 2, 1]), [1, 2, 3])
        self.assertEqual(process_sequence([]), [])
        self.assertEqual(process_sequence([U32_MAX, 0]), [0, U32_MAX])

    def test_arithmetic_is_exact_or_an_error(self):
        # The property the Rust tests check with proptest, on seeded random operands
        # and the edges of the range.
        rng = random.Random(20261123)
        edges = [0, 1, 2, 3, 65_535, 65_536, U32_MAX - 1, U32_MAX]
        pairs = [(a, b) for a in edges for b in edges]
        pairs += [(rng.randrange(U32_MAX + 1), rng.randrange(U32_MAX + 1)) for _ in range(2000)]
        for a, b in pairs:
            for operation, exact in [
                (add, a + b),
                (subtract, a - b),
                (multiply, a * b),
                (divide, a // b if b else None),
            ]:
                if exact is not None and 0 <= exact <= U32_MAX:
                    self.assertEqual(operation(a, b), exact, (operation.__name__, a, b))
                else:
                    with self.assertRaises(MathError):
                        operation(a, b)

    def test_sequences_are_sorted_distinct_and_never_longer(self):
        rng = random.Random(7)
        for _ in range(200):
            values = [rng.randrange(16) for _ in range(rng.randrange(100))]
            output = process_sequence(values)
            self.assertLessEqual(len(output), len(values))
            self.assertTrue(all(x < y for x, y in zip(output, output[1:])))
            self.assertEqual(set(output), set(values))


if __name__ == "__main__":
    unittest.main()
