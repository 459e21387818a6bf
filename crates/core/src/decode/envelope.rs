//! Unwrapping the envelopes real pastes come in: JSON responses (`errorMessage`, `ErrorMessage`,
//! `message`, `cause`, `errorType`, `stackTrace`), JSON nested as an escaped string inside JSON
//! (Step Functions' `cause`, API Gateway's "Endpoint response body before transformations"), and
//! JSON string escapes in a log line. The messages found are matched alongside the paste.
//!
//! Bounded: at most [`MAX_OBJECTS`] JSON starts are tried, nesting is followed [`MAX_DEPTH`] deep,
//! and the text returned is at most the paste's own length plus a little per level.

use serde_json::Value;

/// JSON objects tried per paste (each attempt reads at most the rest of the paste).
const MAX_OBJECTS: usize = 16;
/// Levels of JSON-inside-a-string followed.
const MAX_DEPTH: usize = 4;
/// Keys whose string values carry the error.
const MESSAGE_KEYS: &[&str] = &[
    "errormessage",
    "message",
    "cause",
    "error",
    "errortype",
    "errorcode",
    "stacktrace",
    "trace",
    "logs",
    "log",
    "detail",
    "details",
    "reason",
];

/// What the envelopes held.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Unwrapped {
    /// The messages found, outermost first, each once.
    pub messages: Vec<String>,
    /// The `errorType` (or `ErrorCode`) named by an envelope, innermost last.
    pub error_type: Option<String>,
}

/// Finds the JSON envelopes in `text` and returns the messages inside them.
pub fn unwrap(text: &str) -> Unwrapped {
    unwrap_at(text, 0)
}

fn unwrap_at(text: &str, depth: usize) -> Unwrapped {
    let mut out = Unwrapped::default();
    let mut tried = 0;
    let mut from = 0;
    while tried < MAX_OBJECTS {
        let Some(offset) = text[from..].find('{') else { break };
        let start = from + offset;
        // Only objects that open with a key: `{"` after optional whitespace.
        if !text[start + 1..].trim_start().starts_with('"') {
            from = start + 1;
            continue;
        }
        tried += 1;
        let mut values = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
        match values.next() {
            Some(Ok(value)) => {
                collect(&value, depth, &mut out);
                from = start + values.byte_offset().max(1);
            }
            _ => from = start + 1,
        }
        if from >= text.len() {
            break;
        }
    }
    out
}

fn collect(value: &Value, depth: usize, out: &mut Unwrapped) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let key = key.to_ascii_lowercase();
                if !MESSAGE_KEYS.contains(&key.as_str()) {
                    if v.is_object() || v.is_array() {
                        collect(v, depth, out);
                    }
                    continue;
                }
                match v {
                    Value::String(s) => {
                        if key == "errortype" || (key == "errorcode" && !s.is_empty()) {
                            out.error_type = Some(s.chars().take(80).collect());
                        }
                        push_message(s, depth, out);
                    }
                    Value::Array(items) => {
                        for item in items {
                            match item {
                                Value::String(s) => push_message(s, depth, out),
                                other => collect(other, depth, out),
                            }
                        }
                    }
                    other => collect(other, depth, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, depth, out)),
        _ => {}
    }
}

fn push_message(s: &str, depth: usize, out: &mut Unwrapped) {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return;
    }
    if !out.messages.iter().any(|m| m == trimmed) {
        out.messages.push(trimmed.to_string());
    }
    // A JSON document inside the string: follow it, bounded.
    if depth < MAX_DEPTH && trimmed.contains("{\"") {
        let inner = unwrap_at(trimmed, depth + 1);
        for m in inner.messages {
            if !out.messages.contains(&m) {
                out.messages.push(m);
            }
        }
        if inner.error_type.is_some() {
            out.error_type = inner.error_type;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_functions_cause_is_followed_into_the_inner_json() {
        let text = r#"{"error": "Runtime.ExitError","cause": "{\"errorMessage\":\"RequestId: 7f3a Error: Runtime exited with error: signal: killed\",\"errorType\":\"Runtime.ExitError\"}"}"#;
        let u = unwrap(text);
        assert!(u.messages.iter().any(|m| m.contains("signal: killed")), "{u:?}");
        assert_eq!(u.error_type.as_deref(), Some("Runtime.ExitError"));
    }

    #[test]
    fn api_gateway_log_line_and_stack_trace() {
        let text = r#"Mon Jan 01 00:00:00 UTC 2024 : Endpoint response body before transformations: {"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module 'index'","stackTrace":["Runtime.ImportModuleError: Error: Cannot find module 'index'","    at _loadUserApp (file:///var/runtime/index.mjs:1087:17)"]}"#;
        let u = unwrap(text);
        assert_eq!(u.error_type.as_deref(), Some("Runtime.ImportModuleError"));
        assert!(u.messages.iter().any(|m| m.starts_with("Error: Cannot find module")));
        assert!(u.messages.iter().any(|m| m.contains("_loadUserApp")));
    }

    #[test]
    fn plain_text_and_broken_json_yield_nothing() {
        assert_eq!(unwrap("exit status 127"), Unwrapped::default());
        assert_eq!(unwrap(r#"{"errorMessage": "unterminated"#), Unwrapped::default());
        assert_eq!(unwrap("{{{{{{{{"), Unwrapped::default());
    }

    #[test]
    fn hostile_input_is_bounded() {
        // Thousands of object starts: only MAX_OBJECTS are parsed; deep nesting stops at serde's limit.
        let many = r#"{"message":"x"} "#.repeat(10_000);
        assert_eq!(unwrap(&many).messages, vec!["x".to_string()]);
        let deep = format!("{}{}", "{\"a\":".repeat(1000), "1");
        assert!(unwrap(&deep).messages.is_empty());
        let mut nested = r#"{"message":"boom"}"#.to_string();
        for _ in 0..10 {
            nested = serde_json::json!({ "cause": nested }).to_string();
        }
        let u = unwrap(&nested);
        assert!(!u.messages.iter().any(|m| m == "boom"), "followed deeper than MAX_DEPTH");
    }
}
