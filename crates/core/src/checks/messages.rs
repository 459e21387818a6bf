//! The exact text each platform prints when a start fails a given way, so a finding can show the
//! user the message they saw (or will see).
//!
//! Wording follows the vendors' documents: Alibaba FC's custom-runtime error guide, Tencent SCF's status
//! table, AWS Lambda's invocation troubleshooting and the Cloud Run troubleshooting page.

use crate::profiles::Profile;

/// How the start fails, in kernel terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartFailure<'a> {
    /// The fixed entry file (bootstrap) is not there.
    EntryAbsent,
    /// `execve` fails with an errno: 2 (ENOENT), 8 (ENOEXEC), 13 (EACCES).
    Exec(i32),
    /// The process starts and exits with a status, printing a log line.
    Exit {
        /// Exit status.
        status: i32,
        /// The line the failing program prints.
        log: &'a str,
    },
}

fn strerror(errno: i32) -> &'static str {
    match errno {
        1 => "operation not permitted",
        2 => "no such file or directory",
        8 => "exec format error",
        13 => "permission denied",
        126 => "",
        127 => "key has expired",
        _ => "",
    }
}

/// The message the platform of `profile` prints for `failure` of the target at `platform_path`,
/// started by `command`.
pub fn platform_says(profile: &Profile, failure: StartFailure<'_>, platform_path: &str, command: &str) -> String {
    match profile.vendor {
        "aliyun" => match failure {
            StartFailure::EntryAbsent => format!(
                "The function cannot be started. Failed to start function instance. Error: the file {platform_path} is not exist"
            ),
            StartFailure::Exec(errno) => format!(
                "Function instance exited unexpectedly(code {errno}, message:{}) with start command '{command} '.",
                strerror(errno)
            ),
            StartFailure::Exit { status, log } => {
                let text = strerror(status);
                let code = if text.is_empty() { format!("code {status}") } else { format!("code {status}, message:{text}") };
                format!("Function instance exited unexpectedly({code}) with start command '{command} '.\nLogs:{log}")
            }
        },
        "tencent" => match failure {
            StartFailure::EntryAbsent => "445 ContainerInitError (container start fails: bootstrap file not uploaded or \
                                          wrong invocation path)"
                .to_string(),
            StartFailure::Exec(_) | StartFailure::Exit { .. } => {
                "405 ContainerStateExited (the container exits during start)".to_string()
            }
        },
        "aws" => match failure {
            StartFailure::EntryAbsent => {
                "Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap] Runtime.InvalidEntrypoint"
                    .to_string()
            }
            StartFailure::Exec(errno) => {
                format!("Error: fork/exec {platform_path}: {} Runtime.InvalidEntrypoint", strerror(errno))
            }
            StartFailure::Exit { status, log } => {
                format!("{log}\nError: Runtime exited with error: exit status {status} Runtime.ExitError")
            }
        },
        "gcp" => match failure {
            StartFailure::EntryAbsent | StartFailure::Exec(_) => {
                let errno = if let StartFailure::Exec(e) = failure { e } else { 2 };
                format!(
                    "terminated: Application failed to start: failed to load {platform_path}: {}",
                    strerror(errno)
                )
            }
            StartFailure::Exit { status, log } => format!("{log}\nContainer called exit({status})."),
        },
        "azure" => match failure {
            StartFailure::EntryAbsent => {
                "Failed to start a new language worker for runtime: custom (host.json or its defaultExecutablePath not found)"
                    .to_string()
            }
            StartFailure::Exec(errno) => format!(
                "An error occurred trying to start process '{platform_path}' with working directory '/home/site/wwwroot'. {}",
                capitalized(strerror(errno))
            ),
            StartFailure::Exit { status, log } => {
                format!("{log}\nExceeded language worker restart retry count for runtime:custom (exit {status})")
            }
        },
        "huawei" => "FunctionGraph's exact wording is not documented: the invocation returns an error because the \
                     bootstrap could not be started"
            .to_string(),
        _ => String::new(),
    }
}

/// What a managed runtime finds wrong with its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerProblem<'a> {
    /// The module file the handler names is not in the package.
    ModuleMissing {
        /// The module as the handler names it (`lambda_function`, `src/app`).
        module: &'a str,
    },
    /// The module is there; the function or export is not.
    FunctionMissing {
        /// The module as the handler names it.
        module: &'a str,
        /// The function the runtime looks for.
        function: &'a str,
        /// The handler setting as given.
        handler: &'a str,
    },
}

/// The message a managed runtime prints for `problem`, or an empty string where its wording is
/// not known (the finding then says what happens in words).
pub fn handler_says(profile: &Profile, problem: HandlerProblem<'_>) -> String {
    use crate::profiles::Language::{Java, Node, Python};
    let language = profile.language();
    let code_dir = profile.code_dir;
    match (profile.vendor, language, problem) {
        ("aws", Some(Python), HandlerProblem::ModuleMissing { module }) => format!(
            "[ERROR] Runtime.ImportModuleError: Unable to import module '{module}': No module named '{}'",
            module.replace('/', ".")
        ),
        ("aws", Some(Python), HandlerProblem::FunctionMissing { module, function, .. }) => {
            format!("[ERROR] Runtime.HandlerNotFound: Handler '{function}' missing on module '{module}'")
        }
        ("aws", Some(Node), HandlerProblem::ModuleMissing { module }) => format!(
            "{{\"errorType\":\"Runtime.ImportModuleError\",\"errorMessage\":\"Error: Cannot find module '{module}'\"}}"
        ),
        ("aws", Some(Node), HandlerProblem::FunctionMissing { handler, .. }) => format!(
            "{{\"errorType\":\"Runtime.HandlerNotFound\",\"errorMessage\":\"{handler} is undefined or not exported\"}}"
        ),
        // The Lambda Java runtime's words (aws-samples/aws-lambda-java-workshop#855,
        // aws/serverless-java-container#770).
        ("aws", Some(Java), HandlerProblem::ModuleMissing { module }) => {
            format!("Class not found: {module}: java.lang.ClassNotFoundException")
        }
        ("aws", Some(Java), HandlerProblem::FunctionMissing { module, function, .. }) => {
            format!("No public method named {function} with appropriate method signature found on class {module}")
        }
        ("aliyun", Some(Python), HandlerProblem::FunctionMissing { module, function, .. }) => {
            format!("{{\"errorMessage\": \"Handler '{function}' missing on module '{module}'\"}}")
        }
        ("aliyun", Some(Node), HandlerProblem::ModuleMissing { module }) => {
            format!("{{\"errorMessage\": \"Cannot find module '{code_dir}/{module}.js'\"}}")
        }
        ("tencent", _, _) => "437 HandlerNotFound (the function package is loaded incorrectly: the handler's file or function is not found)".into(),
        ("gcp", Some(Python), HandlerProblem::ModuleMissing { .. }) => format!(
            "MissingSourceException: File {code_dir}/main.py that is expected to define function doesn't exist"
        ),
        ("gcp", Some(Python), HandlerProblem::FunctionMissing { function, .. }) => {
            format!("MissingTargetException: File {code_dir}/main.py is expected to contain a function named '{function}'")
        }
        ("gcp", Some(Node), HandlerProblem::FunctionMissing { function, .. }) => format!(
            "Function '{function}' is not defined in the provided module. Did you specify the correct target function to execute?"
        ),
        _ => String::new(),
    }
}

/// `unknown platform …` → `Unknown platform …`: engine messages start lower-case, to follow a
/// colon in the CLI; the page shows them as sentences.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::profile;

    #[test]
    fn fc_prints_strerror_of_the_code() {
        let fc = profile("aliyun-fc").unwrap();
        assert_eq!(
            platform_says(fc, StartFailure::Exec(13), "/code/bootstrap", "/code/bootstrap"),
            "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '."
        );
        let lambda = profile("aws-lambda-al2023").unwrap();
        assert!(platform_says(lambda, StartFailure::Exec(8), "/var/task/bootstrap", "").contains("exec format error"));
    }
}
