//! Pure domain types and rules: no I/O, no AWS types, deterministic and unit-tested.

pub mod money;
pub mod space;
pub mod user;
pub mod validate;
