// The bindings glue: exports `fusebox:calculator/math` from arithmetic.js and reports
// each failed operation to the shared logger at debug level, with the same fields as the
// Rust, Python and C calculators. componentize-js makes the component (build.sh).
import { event } from "fusebox:logger/log@0.1.0";
import * as arithmetic from "./arithmetic.js";

// Run `operation`; on an error, log it and throw its WIT `math-error` case, which
// componentize-js returns as the result's `err`.
function report(op, a, b, operation) {
  try {
    return operation(a, b);
  } catch (error) {
    if (!(error instanceof arithmetic.MathError)) throw error;
    event("debug", "calculator", "operation has no result", [
      { key: "op", value: op },
      { key: "a", value: String(a) },
      { key: "b", value: String(b) },
      { key: "error", value: error.code },
    ]);
    throw error.code;
  }
}

export const math = {
  add: (a, b) => report("add", a, b, arithmetic.add),
  subtract: (a, b) => report("subtract", a, b, arithmetic.subtract),
  multiply: (a, b) => report("multiply", a, b, arithmetic.multiply),
  divide: (a, b) => report("divide", a, b, arithmetic.divide),
  processSequence: (input) => arithmetic.processSequence(input),
};
