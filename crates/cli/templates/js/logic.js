// What {name} does, as plain JavaScript with no WebAssembly in sight.

/** Return `input` unchanged. */
export function echo(input) {
  return input;
}
