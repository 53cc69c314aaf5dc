//! The library every function links.
//!
//! - [`domain`]: pure types and rules (no I/O).
//! - [`ports`]: traits the handlers depend on (store, identity, ...).
//! - [`adapters`]: the AWS implementations of those ports.
//! - [`http`]: request parsing, caller claims, problem+json answers, the handler trait.
//! - [`runtime`]: what a function's `main` calls to serve on Lambda.

pub mod adapters;
pub mod api;
pub mod auth;
pub mod config;
pub mod context;
pub mod domain;
pub mod error;
pub mod events_lambda;
#[cfg(any(test, feature = "fakes"))]
pub mod fakes;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod openapi;
pub mod ports;
pub mod runtime;
pub mod stripe;
pub mod usecase;

pub use config::Config;
pub use context::AppContext;
pub use error::ApiError;
