//! Tencent SCF's invocation status codes (seed document: the status-code table), by number and name.

use super::facts::{prefix, Haystack};

/// One row of the SCF status table.
#[derive(Debug, Clone, Copy)]
pub struct ScfStatus {
    /// The status code.
    pub code: u16,
    /// The status message(s) as printed (the table's spelling, typos included).
    pub names: &'static [&'static str],
    /// What the table says it means.
    pub meaning: &'static str,
    /// Causes with base confidence.
    pub causes: &'static [(&'static str, u8)],
    /// The name is an everyday word ("Success"): count it only next to the number.
    pub needs_number: bool,
}

/// The table, 200 … 500.
pub const SCF_STATUSES: &[ScfStatus] = &[
    ScfStatus { code: 200, names: &["Success"], meaning: "The execution is successful.", causes: &[("no-error", 90)], needs_number: true },
    ScfStatus { code: 400, names: &["InvalidParameterValue"], meaning: "The request event is not JSON.", causes: &[("invalid-request", 85)], needs_number: false },
    ScfStatus { code: 401, names: &["InvalidCredentials"], meaning: "Verification failed: the account may not operate this function.", causes: &[("permission-denied-platform", 85)], needs_number: false },
    ScfStatus { code: 404, names: &["InvalidSubnetID"], meaning: "The subnet ID in the function's network configuration is invalid.", causes: &[("network-config", 85)], needs_number: false },
    ScfStatus {
        code: 405,
        names: &["ContainerStateExited"],
        meaning: "The container exited during start. Check that the image or bootstrap starts locally, and that it respects SCF's limits (read-only root filesystem, only /tmp writable).",
        causes: &[("exec-bit-missing", 45), ("crlf-shebang", 40), ("listen-wrong-port", 35), ("readonly-filesystem", 35), ("listen-localhost", 30), ("out-of-memory", 25)],
        needs_number: false,
    },
    ScfStatus { code: 406, names: &["RequestTooLarge"], meaning: "The request event exceeds the quota (6 MB sync, 128 KB async).", causes: &[("request-too-large", 85)], needs_number: false },
    ScfStatus { code: 407, names: &["The size of response exceeds the upper limit"], meaning: "The response exceeds 6 MB.", causes: &[("request-too-large", 85)], needs_number: false },
    ScfStatus { code: 410, names: &["InsufficientBalance"], meaning: "The account balance is insufficient; the service is suspended.", causes: &[("account-suspended", 85)], needs_number: false },
    ScfStatus { code: 429, names: &["ResourceLimit"], meaning: "Container creation rate exceeded the account limit during a concurrency surge.", causes: &[("quota-exceeded", 85)], needs_number: false },
    ScfStatus { code: 430, names: &["User code exception caught"], meaning: "The user code raised an error.", causes: &[("app-exception", 85)], needs_number: false },
    ScfStatus { code: 432, names: &["ResourceLimitReached"], meaning: "The account- or region-level concurrency limit was reached.", causes: &[("quota-exceeded", 85)], needs_number: false },
    ScfStatus { code: 433, names: &["TimeLimitReached"], meaning: "Execution did not finish within the timeout.", causes: &[("timeout", 85)], needs_number: false },
    ScfStatus { code: 434, names: &["MemoryLimitReached"], meaning: "The memory limit was reached.", causes: &[("out-of-memory", 85)], needs_number: false },
    ScfStatus { code: 435, names: &["FunctionNotFound"], meaning: "The function was not found.", causes: &[("function-not-found", 85)], needs_number: false },
    ScfStatus { code: 436, names: &["InvalidParameterValue"], meaning: "The parameters passed to invoke do not follow the specification.", causes: &[("invalid-request", 85)], needs_number: false },
    ScfStatus {
        code: 437,
        names: &["HandlerNotFound"],
        meaning: "The function package is loaded incorrectly: the entry file is not in the root of the decompressed package, or the handler (execution method) does not match it.",
        causes: &[("entry-missing", 70), ("entry-nested", 60), ("handler-misnamed", 55)],
        needs_number: false,
    },
    ScfStatus { code: 438, names: &["FunctionStatusError"], meaning: "The function is in an abnormal state, or the service is suspended for overdue payment.", causes: &[("account-suspended", 80)], needs_number: false },
    ScfStatus {
        code: 439,
        names: &["User process exit when running", "User preocess exit when running"],
        meaning: "The user process exited unexpectedly while running.",
        causes: &[("app-exited", 75), ("out-of-memory", 25)],
        needs_number: false,
    },
    ScfStatus { code: 441, names: &["UnauthorizedOperation"], meaning: "CAM authentication failed.", causes: &[("permission-denied-platform", 85)], needs_number: false },
    ScfStatus { code: 442, names: &["QualifierNotFound"], meaning: "The function version does not exist.", causes: &[("function-not-found", 85)], needs_number: false },
    ScfStatus { code: 443, names: &["UserCodeError"], meaning: "The user code failed to execute.", causes: &[("app-exception", 85)], needs_number: false },
    ScfStatus { code: 444, names: &["PullImageFailed"], meaning: "The image could not be pulled.", causes: &[("image-pull-failed", 85)], needs_number: false },
    ScfStatus {
        code: 445,
        names: &["ContainerInitError"],
        meaning: "The container failed to start: the bootstrap file was not uploaded or the invocation path is wrong (or, for image functions, Command/Args are malformed).",
        causes: &[("entry-missing", 65), ("exec-bit-missing", 45), ("entry-nested", 40)],
        needs_number: false,
    },
    ScfStatus {
        code: 446,
        names: &["PortBindingFailed"],
        meaning: "Port listening failed within the initialization timeout: the code does not listen on 9000, or initialization is too slow.",
        causes: &[("listen-wrong-port", 70), ("listen-localhost", 45), ("slow-start", 40)],
        needs_number: false,
    },
    ScfStatus { code: 447, names: &["PullImageTimeOut"], meaning: "Pulling the image timed out.", causes: &[("image-pull-failed", 85)], needs_number: false },
    ScfStatus { code: 449, names: &["InsufficientResources"], meaning: "More than 3,072 MB of memory was configured and the region has no resources.", causes: &[("quota-exceeded", 80)], needs_number: false },
    ScfStatus { code: 450, names: &["InitContainerTimeout"], meaning: "Container start exceeded the initialization timeout.", causes: &[("slow-start", 80)], needs_number: false },
    ScfStatus { code: 499, names: &["RequestCanceled"], meaning: "The request was canceled (by the caller, or an API gateway timeout shorter than init + execution).", causes: &[("request-canceled", 80)], needs_number: false },
    ScfStatus { code: 500, names: &["InternalError"], meaning: "An internal error occurred.", causes: &[("platform-internal-error", 80)], needs_number: false },
];

/// True when `name` occurs in `text` as a whole word (no letter or digit on either side).
fn contains_word(h: &Haystack<'_>, name: &str) -> Option<usize> {
    let text = h.raw;
    let mut from = 0;
    while let Some(start) = h.find_from(from, name) {
        let end = start + name.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before) && boundary(after) {
            return Some(start);
        }
        from = end;
    }
    None
}

/// Reads a status code from the contexts SCF uses: `"statusCode":437`, `status code 437`,
/// `437 HandlerNotFound`, or a paste that is just the number.
fn status_number(h: &Haystack<'_>) -> Option<u16> {
    let text = h.raw;
    let trimmed = text.trim();
    if trimmed.len() == 3 {
        if let Ok(n) = trimmed.parse::<u16>() {
            return Some(n);
        }
    }
    for marker in ["\"statuscode\":", "statuscode:", "statuscode =", "status code", "statuscode", "status:", "status "]
    {
        if let Some(i) = h.find(marker) {
            let rest = prefix(&text[i + marker.len()..], 12).trim_start_matches([' ', '"', ':', '=']);
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            if digits.len() == 3 {
                return digits.parse().ok();
            }
        }
    }
    None
}

/// The SCF statuses a text names, with the fragment that named each. A number that appears with its
/// name counts once; a name shared by two codes (InvalidParameterValue) is settled by the number.
pub fn find_statuses(h: &Haystack<'_>) -> Vec<(&'static ScfStatus, String)> {
    let text = h.raw;
    let named: Vec<(&'static ScfStatus, usize, &'static str)> = SCF_STATUSES
        .iter()
        .filter_map(|s| s.names.iter().find_map(|n| contains_word(h, n).map(|at| (s, at, *n))))
        .collect();
    // The number: from a statusCode field, or written just before a name ("437 HandlerNotFound").
    let number = status_number(h).or_else(|| {
        named.iter().find(|(s, at, _)| text[..*at].trim_end().ends_with(&s.code.to_string())).map(|(s, _, _)| s.code)
    });
    match number {
        Some(code) => SCF_STATUSES
            .iter()
            .filter(|s| s.code == code)
            .map(|s| {
                let fragment = match named.iter().find(|(n, _, _)| n.code == code) {
                    Some((_, _, name)) => format!("{code} {name}"),
                    None => format!("status {code}"),
                };
                (s, fragment)
            })
            .collect(),
        // A name shared by two codes (InvalidParameterValue) without a number: both, and the caller sees it.
        None => named.into_iter().filter(|(s, _, _)| !s.needs_number).map(|(s, _, n)| (s, n.to_string())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_by_number_and_by_name() {
        for s in SCF_STATUSES {
            let by_number = find_statuses(&Haystack::new(&format!("{{\"errorCode\":-1,\"statusCode\":{}}}", s.code)));
            assert!(by_number.iter().any(|(f, _)| f.code == s.code), "number {}", s.code);
            for name in s.names.iter().filter(|_| !s.needs_number) {
                let by_name = find_statuses(&Haystack::new(&format!("error: {name}")));
                assert!(by_name.iter().any(|(f, _)| f.code == s.code), "name {name}");
            }
            let both = find_statuses(&Haystack::new(&format!("{} {}", s.code, s.names[0])));
            assert_eq!(both.len(), 1, "{} {}", s.code, s.names[0]);
        }
    }

    #[test]
    fn words_not_substrings() {
        assert!(find_statuses(&Haystack::new("ResourceLimitReached")).iter().all(|(s, _)| s.code == 432));
        assert!(find_statuses(&Haystack::new("line 437 of app.py")).is_empty());
    }
}
