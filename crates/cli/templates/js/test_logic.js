// logic.js's unit tests: `node --test components/{name}/test_logic.js`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { echo } from "./logic.js";

test("echo returns its input", () => {
  assert.equal(echo("hello"), "hello");
  assert.equal(echo(""), "");
});
