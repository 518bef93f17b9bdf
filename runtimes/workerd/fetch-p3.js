// Serve one fetch-style Request through a WASI 0.3 component (jco 1.35 async glue)
// with preview3-shim's browser wasi:http/types. Plain ES module: runs in Node and workerd.
import p3HttpTypes, { _forbiddenHeaders } from "./shim3/http/types.js";

const { Fields, Request: WasiRequest, Response: WasiResponse } = p3HttpTypes;

// A workaround (jco 1.35 glue, preview3-shim 0.7.0): a body stream the glue lifts from one
// component (a jco `Stream`) and hands back to another through `consumeBody` is lowered
// again by iterating it, and `Stream.next()` reads ONE element per call (`read()` with no
// count), each through a blocked copy polled by `setInterval`: the fused artifact's
// auth middleware forwards the request body to the service one byte at a time (a 60 KB
// `/v1/add` took 5.25 s on workerd, 0.21 s with this; docs/platforms.md). Reading in bulk
// (`read({count})`) moves it in chunks.
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

// A request body (a ReadableStream, or none) and its trailers: none, but only once the
// body has ended, and an error if it fails. The guest tells a whole body from one cut
// short by the trailers, as wasmtime and preview3-shim's Node server let it.
function withTrailers(body) {
  let settle;
  const trailers = new Promise((resolve) => (settle = resolve));
  if (!body) {
    settle({ tag: "ok", val: undefined });
    return [undefined, trailers];
  }
  const reader = body.getReader();
  const stream = new ReadableStream({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          controller.close();
          settle({ tag: "ok", val: undefined });
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        settle({ tag: "err", val: { tag: "internal-error", val: String(error) } });
        controller.error(error);
      }
    },
    cancel(reason) {
      settle({ tag: "err", val: { tag: "internal-error", val: "the body was not read to its end" } });
      return reader.cancel(reason);
    },
  });
  return [stream, trailers];
}

// `request` as a wasi:http 0.3 request, `url` being its parsed URL.
export function toWasiRequest(request, url) {
  // Headers a component may not set (preview3-shim's _forbiddenHeaders) are left out, as
  // wasmtime leaves them out; the Host becomes the request's authority.
  const entries = [];
  for (const [name, value] of request.headers) {
    if (!_forbiddenHeaders.value.has(name.toLowerCase())) entries.push([name, encoder.encode(value)]);
  }
  const headers = Fields.fromList(entries);
  const [body, trailers] = withTrailers(request.body);
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
    // Until a chunk or the end: a pull that enqueues nothing is not called again while
    // only one read waits.
    async pull(controller) {
      for (;;) {
        const { value, done } = await iterator.next();
        if (done) {
          controller.close();
          return;
        }
        if (value === undefined) continue;
        controller.enqueue(typeof value === "number" ? Uint8Array.of(value)
          : value instanceof Uint8Array ? value : Uint8Array.from(value));
        return;
      }
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
  // workerd builds request.url from the Host header. A Host it lets through but no URL
  // parser accepts (two Hosts, a space, a port over 65535) cannot make a request URL, and
  // one with a path, query or user in it (or a backslash, which URL parsers take for a
  // slash) would move the request's path.
  const badHost = () => {
    const message = "the request's Host is not a valid authority";
    return Response.json({ error: { status: 400, code: "bad-request", message } }, { status: 400 });
  };
  if (/[/?#@\\]/.test(request.headers.get("host") ?? "")) return badHost();
  let url;
  try {
    url = new URL(request.url);
  } catch {
    return badHost();
  }
  let wasiRequest;
  try {
    wasiRequest = toWasiRequest(request, url);
  } catch (error) {
    // A header wasi:http refuses (a control byte in a value, a name that is not a token).
    const message = `a header of the request is not valid (${error?.tag ?? error})`;
    return Response.json({ error: { status: 400, code: "bad-request", message } }, { status: 400 });
  }
  try {
    return toFetchResponse(await handle(wasiRequest), request.method);
  } catch (error) {
    console.error("fusebox: the handler failed:", error);
    return new Response("Internal Server Error", { status: 500 });
  }
}
