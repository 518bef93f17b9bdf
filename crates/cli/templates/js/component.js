// The bindings glue: exports the `api` interface of `fusebox:{name}` from logic.js and
// logs through the shared logger. componentize-js makes the component (build.mjs).
// Function names are camelCase; to return a `result`'s error case, throw it.
import { event } from "fusebox:logger/log@0.1.0";
import * as logic from "./logic.js";

export const api = {
  echo(input) {
    event("debug", "{name}", "echo", []);
    return logic.echo(input);
  },
};
