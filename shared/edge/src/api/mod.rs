//! Wire types of the HTTP API shared by more than one function.

pub mod booking_list;
pub mod bookings;
pub mod invoices;
pub mod memberships;
pub mod plans;
pub mod promos;
pub mod rentals;
pub mod search;
pub mod series;
pub mod spaces;
pub mod users;
pub mod waitlist;
