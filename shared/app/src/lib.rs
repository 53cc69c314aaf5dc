//! The application: what the platform does, on ports only. Use cases take typed inputs
//! (never an HTTP request) and speak the domain; ports are the traits the adapters of the
//! `aws` crate implement; `fakes` (tests only) implement them in memory. No AWS SDK and no
//! HTTP type is reachable from here: its dependency list says so.

pub mod caller;
pub mod error;
#[cfg(any(test, feature = "fakes"))]
pub mod fakes;
pub mod ports;
pub mod usecase;

pub use caller::Caller;
pub use error::AppError;
