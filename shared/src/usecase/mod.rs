//! Steps that several handlers share, built only on ports (no AWS types).

pub mod roles;
pub mod spaces;
