//! Ports: what the use cases need from the outside world, as traits. The `aws` crate
//! implements them on AWS and Stripe; unit tests implement them with `crate::fakes`.

pub mod analytics;
pub mod audit;
pub mod bookings;
pub mod calendar;
pub mod events;
pub mod identity;
pub mod invoices;
pub mod live;
pub mod memberships;
pub mod notifications;
pub mod payments;
pub mod phone;
pub mod plans;
pub mod privacy;
pub mod promos;
pub mod rentals;
pub mod reviews;
pub mod schedule;
pub mod search;
pub mod series;
pub mod spaces;
pub mod store;
pub mod users;
pub mod waitlist;
