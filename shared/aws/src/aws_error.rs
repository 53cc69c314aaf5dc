//! Sorting AWS SDK errors into "retry later" and "bug or unexpected".

use std::error::Error;
use std::fmt::Debug;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

type Source = Box<dyn Error + Send + Sync>;

const TRANSIENT_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "InternalServerError",
    "InternalErrorException",
    "ServiceUnavailable",
    "TransactionInProgressException",
];

/// Whether the failure is worth retrying later (throttling, timeouts, the service down).
pub fn is_transient<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(_) => err.code().is_some_and(|c| TRANSIENT_CODES.contains(&c)),
        _ => false,
    }
}

/// Boxes the error for logging, remembering whether it was transient.
pub fn classify<E, R>(err: SdkError<E, R>) -> (bool, Source)
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    R: Debug + Send + Sync + 'static,
{
    (is_transient(&err), Box::new(err))
}
