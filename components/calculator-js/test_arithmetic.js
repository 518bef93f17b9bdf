// Unit tests of arithmetic.js: the same cases as math.rs's tests, plus its properties
// over a deterministic generator. `node --test components/calculator-js`, part of
// `make test`.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as arithmetic from "./arithmetic.js";

const { U32_MAX, OVERFLOW, DIVISION_BY_ZERO } = arithmetic;

// The operation's result, or its error code.
function run(op, a, b) {
  try {
    return op(a, b);
  } catch (error) {
    assert.ok(error instanceof arithmetic.MathError, `${error}`);
    return error.code;
  }
}

test("add reports overflow at the boundary", () => {
  assert.equal(run(arithmetic.add, 2, 3), 5);
  assert.equal(run(arithmetic.add, U32_MAX, 0), U32_MAX);
  assert.equal(run(arithmetic.add, U32_MAX, 1), OVERFLOW);
  assert.equal(run(arithmetic.add, 2 ** 31, 2 ** 31), OVERFLOW);
});

test("subtract below zero is overflow", () => {
  assert.equal(run(arithmetic.subtract, 5, 3), 2);
  assert.equal(run(arithmetic.subtract, 3, 3), 0);
  assert.equal(run(arithmetic.subtract, 3, 5), OVERFLOW);
});

test("multiply reports overflow", () => {
  assert.equal(run(arithmetic.multiply, 6, 7), 42);
  assert.equal(run(arithmetic.multiply, U32_MAX, 0), 0);
  assert.equal(run(arithmetic.multiply, 65536, 65535), 4294901760);
  assert.equal(run(arithmetic.multiply, 65536, 65536), OVERFLOW);
});

test("divide by zero is an error, not a crash", () => {
  assert.equal(run(arithmetic.divide, 7, 2), 3);
  assert.equal(run(arithmetic.divide, 0, 9), 0);
  assert.equal(run(arithmetic.divide, 1, 0), DIVISION_BY_ZERO);
  assert.equal(run(arithmetic.divide, 0, 0), DIVISION_BY_ZERO);
});

test("process-sequence sorts and deduplicates", () => {
  assert.deepEqual(arithmetic.processSequence([3, 1, 3, 2, 1]), [1, 2, 3]);
  assert.deepEqual(arithmetic.processSequence([]), []);
  assert.deepEqual(arithmetic.processSequence([U32_MAX, 0]), [0, U32_MAX]);
});

// xorshift32, as in math.rs's test.
let state = 0x9e3779b9;
function next() {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state;
}

test("every operation is exact or an error, as 64-bit arithmetic says", () => {
  const edges = [0, 1, 2, 3, 65530, 65535, 65536, 65539, U32_MAX - 4, U32_MAX - 1, U32_MAX];
  const pairs = edges.flatMap((a) => edges.map((b) => [a, b]));
  for (let i = 0; i < 100_000; i++) pairs.push([next(), next()]);
  const exact = (wide) => (wide >= 0n && wide <= BigInt(U32_MAX) ? Number(wide) : OVERFLOW);
  for (const [a, b] of pairs) {
    const [wa, wb] = [BigInt(a), BigInt(b)];
    assert.equal(run(arithmetic.add, a, b), exact(wa + wb), `${a} + ${b}`);
    assert.equal(run(arithmetic.subtract, a, b), exact(wa - wb), `${a} - ${b}`);
    assert.equal(run(arithmetic.multiply, a, b), exact(wa * wb), `${a} * ${b}`);
    assert.equal(run(arithmetic.divide, a, b), b === 0 ? DIVISION_BY_ZERO : Number(wa / wb), `${a} / ${b}`);
  }
});

test("sequences are the sorted distinct input", () => {
  for (let len = 0; len <= 2000; len += len < 64 ? 1 : 97) {
    for (const modulus of [2 ** 32, 16]) {
      const input = Array.from({ length: len }, () => next() % modulus);
      const output = arithmetic.processSequence(input);
      assert.ok(output.length <= input.length);
      for (let i = 1; i < output.length; i++) assert.ok(output[i - 1] < output[i]);
      const seen = new Set(output);
      assert.ok(input.every((v) => seen.has(v)), "lost a value");
      const given = new Set(input);
      assert.ok(output.every((v) => given.has(v)), "invented a value");
    }
  }
});
