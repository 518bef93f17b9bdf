// Serve one fetch-style Request through a WASI 0.3 component (jco 1.35 async glue)
// with preview3-shim's browser wasi:http/types. Plain ES module: runs in Node and workerd.
import p3HttpTypes, { _forbiddenHeaders } from "./shim3/http/types.js";

const { Fields, Request: WasiRequest, Response: WasiResponse } = p3HttpTypes;

// A workaround (jco 1.35 glue, preview3-shim 0.7.0): a body stream the glue lifts from one
// component (a jco `Stream`) and hands back to another through `consumeBody` is lowered
// again by iterating it, and `Stream.next()` reads ONE element per call (`read()` with no
// count), each through a blocked copy polled by `setInterval`: the fused artifact's
// auth middleware forwards the request body to the service one byte at a time (about
// 1 ms a byte on Node, 0.1 ms on workerd). Reading in bulk (`read({count})`) moves it
// in chunks.
const BULK = 65536;
const symbolDispose = Symbol.dispose ?? Symbol.for("dispose");
function inBulk(contents) {
  if (!contents || typeof contents.read !== "function") return contents;
  return {
    [Symbol.asyncIterator]() {
      return {
        next: () => contents.read({ count: BULK }),
        return: async () => {
          contents[symbolDispose]?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
for (const Class of [WasiRequest, WasiResponse]) {
  const consume = Class.consumeBody;
  if (consume.inBulk) continue;
  Class.consumeBody = Object.assign((self, res) => {
    const [contents, trailers] = consume.call(Class, self, res);
    return [inBulk(contents), trailers];
  }, { inBulk: true });
}

// wasi:http's methods, which the guest gets as their own variant cases.
const METHODS = ["get", "head", "post", "put", "delete", "connect", "options", "trace", "patch"];
const encoder = new TextEncoder();

// An incoming request's headers as the runtime gave them. preview3-shim's Fields wraps a
// preview2-shim Fields, whose `fromList` decodes each value as UTF-8 and refuses a code
// point above U+00FF, though RFC 9110 allows any byte from 0x80 to 0xFF: workerd hands a
// header's 0xFF byte over as U+FFFD, and the request would never reach the guest.
// preview2-shim builds its own incoming requests' headers without that check
// (`_fromEntriesChecked`, which it does not export), and the 0.2 worker gets them that
// way; this store does the same for 0.3, value bytes as preview2-shim encodes them.
class IncomingEntries {
  #entries;
  constructor(entries) {
    this.#entries = entries;
  }
  get(name) {
    const lower = name.toLowerCase();
    return this.#entries.filter(([key]) => key.toLowerCase() === lower).map(([, value]) => value);
  }
  has(name) {
    return this.get(name).length > 0;
  }
  set(name, values) {
    this.delete(name);
    for (const value of values) this.append(name, value);
  }
  delete(name) {
    const lower = name.toLowerCase();
    this.#entries = this.#entries.filter(([key]) => key.toLowerCase() !== lower);
  }
  append(name, value) {
    this.#entries.push([name, value]);
  }
  entries() {
    return this.#entries.map(([name, value]) => [name, value]);
  }
  clone() {
    return new IncomingEntries(this.entries());
  }
}

// `request` as a wasi:http 0.3 request, `url` being its parsed URL.
export function toWasiRequest(request, url) {
  // Headers a component may not set (preview3-shim's _forbiddenHeaders) are left out, as
  // wasmtime leaves them out; the Host becomes the request's authority.
  const entries = [];
  for (const [name, value] of request.headers) {
    if (!_forbiddenHeaders.value.has(name.toLowerCase())) entries.push([name, encoder.encode(value)]);
  }
  const headers = new Fields(new IncomingEntries(entries));
  const trailers = Promise.resolve({ tag: "ok", val: undefined });
  const body = request.body ?? undefined; // ReadableStream<Uint8Array>, or none (empty)
  const [wasiRequest] = WasiRequest.new(headers, body, trailers, undefined);
  const lower = request.method.toLowerCase();
  wasiRequest.setMethod(METHODS.includes(lower) && request.method === request.method.toUpperCase()
    ? { tag: lower } : { tag: "other", val: request.method });
  wasiRequest.setPathWithQuery(url.pathname + url.search);
  wasiRequest.setScheme(url.protocol === "https:" ? { tag: "HTTPS" } : { tag: "HTTP" });
  wasiRequest.setAuthority(url.host);
  return wasiRequest;
}

// The guest's response body (a jco Stream, read in bulk: chunks of bytes)
// as a ReadableStream<Uint8Array>.
function bodyStream(contents) {
  const iterator = inBulk(contents)[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) { controller.close(); return; }
      if (value === undefined) return;
      controller.enqueue(typeof value === "number" ? Uint8Array.of(value)
        : value instanceof Uint8Array ? value : Uint8Array.from(value));
    },
    async cancel(reason) { await iterator.return?.(reason); },
  });
}

export function toFetchResponse(wasiResponse, method = "GET") {
  const headers = new Headers();
  const decoder = new TextDecoder();
  for (const [name, value] of wasiResponse.getHeaders().copyAll()) {
    headers.append(name, decoder.decode(value));
  }
  const status = wasiResponse.getStatusCode();
  const [contents] = WasiResponse.consumeBody(wasiResponse, Promise.resolve({ tag: "ok", val: undefined }));
  // No body for HEAD (workerd sends none, and closes the connection if given one) or for
  // a status that has none; the guest's stream is dropped.
  if (method === "HEAD" || status === 204 || status === 205 || status === 304) {
    inBulk(contents)[Symbol.asyncIterator]().return();
    return new Response(null, { status, headers });
  }
  let body = bodyStream(contents);
  // workerd drops a Content-Length header given with a ReadableStream body and answers
  // chunked; a FixedLengthStream (workerd's own) keeps the guest's declared length.
  const length = headers.get("content-length");
  if (typeof FixedLengthStream === "function" && length !== null && /^[0-9]+$/.test(length)) {
    const fixed = new FixedLengthStream(Number(length));
    body.pipeTo(fixed.writable).catch((error) => console.error("fusebox: the response body failed:", error));
    body = fixed.readable;
  }
  return new Response(body, { status, headers });
}

// `handle` is instance.handler.handle of a fresh instance.
export async function serveFetch(request, handle) {
  let url;
  try {
    url = new URL(request.url);
  } catch (error) {
    // workerd builds request.url from the Host header; a Host it lets through but no URL
    // parser accepts (two Hosts, a space, a port over 65535) cannot make a request URL.
    console.error("fusebox: a request the guest cannot be given:", String(error));
    const message = "the request's Host does not make a valid URL";
    return Response.json({ error: { status: 400, code: "bad-request", message } }, { status: 400 });
  }
  try {
    return toFetchResponse(await handle(toWasiRequest(request, url)), request.method);
  } catch (error) {
    console.error("fusebox: the handler failed:", error);
    return new Response("Internal Server Error", { status: 500 });
  }
}
