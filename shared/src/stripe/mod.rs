//! Stripe webhooks without I/O: the signature check and the few event shapes we act on.
//! (The HTTP client that calls Stripe is `adapters::stripe`.)

pub mod event;
pub mod signature;
