//! The HTTP edge of every API function: the caller from the authorizer's claims, JSON
//! bodies with per-field errors, path and query parameters, problem+json answers, and the
//! handler contract the local gateway and Lambda both call.

pub mod body;
pub mod caller;
pub mod function;
pub mod params;
pub mod patch;
pub mod problem;
pub mod response;

pub use app::Caller;
pub use body::parse_json;
pub use caller::{caller_of, optional_caller};
pub use domain::role::Role;
pub use function::{BoxedHandler, HttpFunction, boxed, respond};
pub use lambda_http::{Body, Request, Response};
pub use problem::Problem;
pub use response::{created, json};
