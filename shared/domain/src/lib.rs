//! The domain: pure types and rules of coworking spaces, bookings, money and time. No I/O,
//! no AWS, no HTTP, no async runtime: its dependency list (serde, jiff, h3o, thiserror, and
//! utoipa's schema derive and uuid for ids) is the proof, and the compiler keeps it so.

pub mod amenity;
pub mod analytics;
pub mod audit;
pub mod availability;
pub mod booking;
pub mod booking_rules;
pub mod calendar;
pub mod claims;
pub mod error;
pub mod events;
pub mod geo;
pub mod hours;
pub mod instant;
pub mod invoice;
pub mod lifecycle;
pub mod live;
pub mod membership;
pub mod money;
pub mod notification;
pub mod payment;
pub mod phone;
pub mod plan;
pub mod pricing;
pub mod promo;
pub mod quota;
pub mod rental;
pub mod review;
pub mod role;
#[cfg(any(test, feature = "samples"))]
pub mod samples;
pub mod schedule;
pub mod search;
pub mod series;
pub mod space;
pub mod space_rules;
pub mod stay;
pub mod user;
pub mod validate;
pub mod waitlist;
