//! Pure domain types and rules: no I/O, no AWS types, deterministic and unit-tested.

pub mod amenity;
pub mod analytics;
pub mod audit;
pub mod availability;
pub mod booking;
pub mod events;
pub mod geo;
pub mod hours;
pub mod instant;
pub mod live;
pub mod membership;
pub mod money;
pub mod notification;
pub mod payment;
pub mod plan;
pub mod pricing;
pub mod review;
pub mod schedule;
pub mod search;
pub mod space;
pub mod space_rules;
pub mod user;
pub mod validate;
