//! The components' logic, compiled natively: the baselines that fused calls and the
//! fused artifact are compared with. The modules are the very files the components
//! compile (included by path), so both sides run the same code.

#[path = "../../components/http-handler/src/api.rs"]
#[allow(dead_code)]
pub mod api;
#[path = "../../components/auth/src/jwt.rs"]
#[allow(dead_code)]
pub mod jwt;
#[path = "../../components/calculator/src/math.rs"]
#[allow(dead_code)]
pub mod math;

use std::time::{SystemTime, UNIX_EPOCH};

/// [`api::Services`] in one native process: the verifier, the calculator, and a key.
pub struct NativeServices {
    /// The HS256 key tokens are verified with.
    pub key: Vec<u8>,
}

impl api::Principal for jwt::Claims {
    fn subject(&self) -> String {
        self.subject.clone()
    }
    fn scopes(&self) -> Vec<String> {
        self.scopes.clone()
    }
    fn has_scope(&self, scope: &str) -> bool {
        jwt::Claims::has_scope(self, scope)
    }
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl api::Services for NativeServices {
    type Principal = jwt::Claims;

    fn verify(&self, token: &str) -> Result<jwt::Claims, String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        jwt::verify(token, &self.key, now).map_err(|e| e.to_string())
    }

    fn calculate(&self, op: api::Op, a: u32, b: u32) -> Result<u32, api::MathFailure> {
        let result = match op {
            api::Op::Add => math::add(a, b),
            api::Op::Subtract => math::subtract(a, b),
            api::Op::Multiply => math::multiply(a, b),
            api::Op::Divide => math::divide(a, b),
        };
        result.map_err(|e| match e {
            math::MathError::Overflow => api::MathFailure::Overflow,
            math::MathError::DivisionByZero => api::MathFailure::DivisionByZero,
        })
    }

    fn process_sequence(&self, values: Vec<u32>) -> Vec<u32> {
        math::process_sequence(values)
    }
}

/// Route and serve one request natively, as the http-handler component does.
pub fn respond(
    services: &NativeServices,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> api::Response {
    match api::route(method, path) {
        Ok(endpoint) if body.len() > api::MAX_BODY_BYTES && endpoint.takes_body() => {
            api::ApiError::payload_too_large().into_response()
        }
        Ok(endpoint) => api::serve(
            services,
            endpoint,
            &api::Request {
                authorization,
                content_type,
                body,
            },
        ),
        Err(error) => error.into_response(),
    }
}
