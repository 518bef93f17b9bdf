//! The http-handler's router and JSON decoding (`components/http-handler/src/api.rs`) on
//! arbitrary requests.
#![no_main]

extern crate alloc;

#[path = "../../components/http-handler/src/api.rs"]
#[allow(dead_code)]
mod api;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|request: (&str, &str, Option<&str>, Option<&str>, &[u8])| {
    let (method, path, authorization, content_type, body) = request;
    api::properties::every_request_gets_a_documented_json_answer(
        method,
        path,
        authorization,
        content_type,
        body,
    );
});
