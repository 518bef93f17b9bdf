// What the calculator does, as plain JavaScript with no WebAssembly in sight.
//
// The twin of components/calculator/src/math.rs: checked u32 arithmetic, where a result
// that does not fit, or a division by zero, is an error rather than a wrong answer.
// test_arithmetic.js checks it against the same cases as the Rust tests (`node --test`).

export const U32_MAX = 0xffff_ffff;

/** Why an operation has no result; `code` is the WIT `math-error` case. */
export class MathError extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

export const OVERFLOW = "overflow";
export const DIVISION_BY_ZERO = "division-by-zero";

// Sums and differences of two u32s are exact in a double; a product can reach 2^64,
// past 2^53, so multiply works in BigInt.
function checked(value) {
  if (value < 0 || value > U32_MAX) throw new MathError(OVERFLOW);
  return value;
}

/** `a + b`, or `overflow`. */
export const add = (a, b) => checked(a + b);
/** `a - b`, or `overflow` when `b > a`. */
export const subtract = (a, b) => checked(a - b);
/** `a * b`, or `overflow`. */
export const multiply = (a, b) => Number(checkedBig(BigInt(a) * BigInt(b)));
/** `a / b` rounded towards zero, or `division-by-zero`. */
export function divide(a, b) {
  if (b === 0) throw new MathError(DIVISION_BY_ZERO);
  // Exact: the quotient of two u32s never rounds up across an integer in a double.
  return Math.floor(a / b);
}

function checkedBig(value) {
  if (value < 0n || value > BigInt(U32_MAX)) throw new MathError(OVERFLOW);
  return value;
}

/** The distinct values, in ascending order. */
export function processSequence(values) {
  const sorted = Uint32Array.from(values).sort();
  const out = [];
  for (const value of sorted) if (out.length === 0 || out[out.length - 1] !== value) out.push(value);
  return out;
}
