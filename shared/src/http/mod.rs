//! HTTP plumbing shared by every API function.

pub mod body;
pub mod caller;
pub mod function;
pub mod params;
pub mod patch;
pub mod problem;
pub mod response;

pub use body::parse_json;
pub use caller::{Caller, Role};
pub use function::{BoxedHandler, HttpFunction, boxed, respond};
pub use lambda_http::{Body, Request, Response};
pub use problem::Problem;
pub use response::json;
