//! The flows of the platform, built only on ports (no AWS types, no HTTP request).

pub mod bookings;
pub mod calendar;
pub mod cancel_booking;
pub mod catalog;
pub mod check_in;
pub mod create_booking;
pub mod invoices;
pub mod invoicing;
pub mod lifecycle;
pub mod membership_invoices;
pub mod memberships;
pub mod payments;
pub mod phone;
pub mod privacy;
pub mod promos;
pub mod rentals;
pub mod roles;
pub mod scheduler;
pub mod search;
pub mod series;
pub mod series_manage;
pub mod spaces;
pub mod waitlist;

#[cfg(test)]
mod tests;
