//! Which requests the middleware guards: the `auth.routes` policy, as plain Rust that
//! native `cargo test` covers.
//!
//! A policy is a list of rules, one per line (or separated by `;`), each
//! `METHOD PATH [SCOPE]`:
//!
//! ```text
//! # Requests that need a valid bearer token, and SCOPE if one is given.
//! GET  /v1/whoami
//! POST /v1/add      calc
//! *    /admin/*     admin
//! ```
//!
//! - `METHOD` is a method, matched exactly (methods are case-sensitive), or `*` for any.
//! - `PATH` is a path, matched exactly against the request's path without its query, or
//!   a prefix ending in `*`. No decoding and no normalisation: `/v1/%61dd` is not
//!   `/v1/add`, and the service behind sees the same bytes.
//! - The first matching rule decides. A request that matches none passes on
//!   unauthenticated, for the service to answer (its 404s and 405s among them).
//!
//! Without `auth.routes` the policy is `* /*`: every request needs a valid token.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The runtime config key the policy is read from.
pub const CONFIG_KEY: &str = "auth.routes";

/// What a request needs before it may pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// Nothing: no rule matches.
    Nothing,
    /// A valid token.
    Token,
    /// A valid token that holds this scope.
    Scope(String),
}

/// One `METHOD PATH [SCOPE]` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// `None` for `*`.
    method: Option<String>,
    /// The path, or the prefix before a trailing `*`.
    path: String,
    prefix: bool,
    scope: Option<String>,
}

impl Rule {
    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && if self.prefix {
                path.starts_with(&self.path)
            } else {
                path == self.path
            }
    }
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    rules: Vec<Rule>,
}

impl Default for Policy {
    /// `* /*`: every request needs a valid token.
    fn default() -> Self {
        Policy {
            rules: alloc::vec![Rule {
                method: None,
                path: "/".into(),
                prefix: true,
                scope: None,
            }],
        }
    }
}

impl Policy {
    /// Parse a policy; the error names the rule (counting from 1) and what is wrong
    /// with it.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let mut rules = Vec::new();
        let entries = text
            .split(['\n', ';'])
            .map(|line| line.split('#').next().unwrap_or_default().trim())
            .filter(|line| !line.is_empty());
        for (number, entry) in entries.enumerate() {
            let fail = |why: &str| format!("{CONFIG_KEY} rule {} ({entry:?}): {why}", number + 1);
            let words: Vec<&str> = entry.split_whitespace().collect();
            let (method, path, scope) = match words.as_slice() {
                [method, path] => (*method, *path, None),
                [method, path, scope] => (*method, *path, Some(*scope)),
                _ => return Err(fail("expected `METHOD PATH [SCOPE]`")),
            };
            let method = match method {
                "*" => None,
                m if m.bytes().all(|b| b.is_ascii_graphic() && b != b'*') => Some(m.to_string()),
                _ => return Err(fail("the method must be a token or `*`")),
            };
            if !path.starts_with('/') {
                return Err(fail("the path must start with `/`"));
            }
            let (path, prefix) = match path.strip_suffix('*') {
                Some(prefix) => (prefix, true),
                None => (path, false),
            };
            if path.contains('*') {
                return Err(fail("`*` may only end the path"));
            }
            rules.push(Rule {
                method,
                path: path.to_string(),
                prefix,
                scope: scope.map(ToString::to_string),
            });
        }
        if rules.is_empty() {
            return Err(format!(
                "{CONFIG_KEY} has no rules; write `* /*` to guard every request"
            ));
        }
        Ok(Policy { rules })
    }

    /// What a request with `method` and `path` (without its query) needs.
    pub fn requirement(&self, method: &str, path: &str) -> Requirement {
        match self.rules.iter().find(|rule| rule.matches(method, path)) {
            None => Requirement::Nothing,
            Some(Rule { scope: None, .. }) => Requirement::Token,
            Some(Rule {
                scope: Some(scope), ..
            }) => Requirement::Scope(scope.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_guards_every_request() {
        let policy = Policy::default();
        assert_eq!(policy.requirement("GET", "/"), Requirement::Token);
        assert_eq!(policy.requirement("BREW", "/anything"), Requirement::Token);
    }

    #[test]
    fn the_first_matching_rule_decides() {
        let policy = Policy::parse(
            "GET /v1/whoami\nPOST /v1/add calc # comment\n; * /admin/* admin\n* /admin/open",
        )
        .unwrap();
        assert_eq!(policy.requirement("GET", "/v1/whoami"), Requirement::Token);
        assert_eq!(
            policy.requirement("POST", "/v1/add"),
            Requirement::Scope("calc".into())
        );
        // Another method, or another spelling of the path: not this rule's.
        assert_eq!(policy.requirement("GET", "/v1/add"), Requirement::Nothing);
        assert_eq!(policy.requirement("post", "/v1/add"), Requirement::Nothing);
        assert_eq!(
            policy.requirement("POST", "/v1/%61dd"),
            Requirement::Nothing
        );
        assert_eq!(policy.requirement("POST", "/v1/add/"), Requirement::Nothing);
        assert_eq!(
            policy.requirement("DELETE", "/admin/open"),
            Requirement::Scope("admin".into())
        );
        assert_eq!(policy.requirement("GET", "/healthz"), Requirement::Nothing);
    }

    #[test]
    fn a_bad_rule_is_named() {
        for (text, why) in [
            ("GET", "rule 1 (\"GET\"): expected `METHOD PATH [SCOPE]`"),
            (
                "GET /a\nGET b",
                "rule 2 (\"GET b\"): the path must start with `/`",
            ),
            ("GET /a/*/b", "`*` may only end the path"),
            ("G*T /a", "the method must be a token or `*`"),
            ("GET /a calc extra", "expected `METHOD PATH [SCOPE]`"),
            ("# only a comment", "has no rules"),
        ] {
            let error = Policy::parse(text).unwrap_err();
            assert!(error.contains(why), "{text:?}: {error}");
        }
    }
}
