//! Everything that needs the stand-ins runs in this one binary, so one stack serves all.

mod abuse;
mod bookings;
mod calendar;
mod events;
mod gateway_auth;
mod inventory;
mod lambda_mains;
mod lifecycle;
mod live;
mod memberships;
mod operators;
mod payments;
mod phone;
mod privacy;
mod query_params;
mod quotas;
mod rentals;
mod reviews;
mod sample_events;
mod search;
mod series;
mod spaces;
mod stays;
mod users;
mod waitlist;
