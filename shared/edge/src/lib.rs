//! The Lambda edge: what stands between a Lambda invocation and the application. HTTP
//! (the caller from the authorizer's claims, JSON bodies and parameters with per-field
//! errors, problem+json answers, the `HttpFunction` contract), the request and answer
//! bodies of the API with their OpenAPI schemas, the payloads of event-driven functions,
//! logging, and the runtime loop each function's `main` calls.

pub mod api;
pub mod events;
pub mod http;
pub mod logging;
pub mod openapi;
pub mod runtime;
