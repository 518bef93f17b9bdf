// wasi:config/store@0.2.0-rc.1 for jco: the values come from FUSEBOX_CONFIG, a JSON
// object, the way `fusebox serve --config key=value` passes them.
const values = JSON.parse(process.env.FUSEBOX_CONFIG ?? "{}");

// `get: func(key: string) -> result<option<string>, error>`: jco maps `none` to
// `undefined`, and an `error` to a thrown value.
export function get(key) {
  return Object.hasOwn(values, key) ? String(values[key]) : undefined;
}

// `get-all: func() -> result<list<tuple<string, string>>, error>`.
export function getAll() {
  return Object.entries(values).map(([key, value]) => [key, String(value)]);
}
