//! Steps that several handlers share, built only on ports (no AWS types).

pub mod bookings;
pub mod catalog;
pub mod memberships;
pub mod notify;
pub mod payments;
pub mod privacy;
pub mod relay;
pub mod roles;
pub mod scheduler;
pub mod spaces;
