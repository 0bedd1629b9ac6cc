//! One classification of SDK errors, shared by every cloud call.

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;

/// What went wrong with a cloud call, reduced to what callers branch on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer: connection refused, DNS, TLS, or a timeout.
    Unreachable,
    /// The service answered with an error.
    Service {
        status: u16,
        code: Option<String>,
        message: Option<String>,
    },
    /// The SDK could not build the request or read the answer.
    Client(String),
}

impl Failure {
    pub fn code(&self) -> Option<&str> {
        match self {
            Failure::Service { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Failure::Service { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unreachable => f.write_str("the cloud service could not be reached"),
            Failure::Service {
                status,
                code,
                message,
            } => write!(
                f,
                "the cloud service answered {status} {}{}",
                code.as_deref().unwrap_or(""),
                message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
            Failure::Client(m) => write!(f, "request failed: {m}"),
        }
    }
}

pub fn classify<E>(err: SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => Failure::Unreachable,
        SdkError::ServiceError(ctx) => Failure::Service {
            status: ctx.raw().status().as_u16(),
            code: ctx.err().code().map(str::to_string),
            message: ctx.err().message().map(str::to_string),
        },
        SdkError::ResponseError(ctx) => Failure::Service {
            status: ctx.raw().status().as_u16(),
            code: None,
            message: None,
        },
        other => Failure::Client(DisplayErrorContext(other).to_string()),
    }
}
