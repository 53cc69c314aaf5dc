//! `DELETE /waitlist/{entryId}`: leaves the line. An offer already made stays the
//! member's (pay it or let its hold run out). Leaving twice is harmless; 404 for an entry
//! that is not the caller's.

use app::AppError;
use app::ports::waitlist::WaitlistStore;
use app::usecase::waitlist::leave_waitlist;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;

pub struct LeaveWaitlist<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> LeaveWaitlist<DynamoStore> {
    LeaveWaitlist {
        store: DynamoStore::from_context(ctx),
    }
}

impl<S: WaitlistStore> HttpFunction for LeaveWaitlist<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let id = path_param(&req, "entryId")?;
        let entry = leave_waitlist(&self.store, &caller, &id).await?;
        json(StatusCode::OK, &entry)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    delete,
    path = "/waitlist/{entryId}",
    tag = "bookings",
    params(("entryId" = String, Path)),
    responses(
        (status = 200, description = "left the line (or had)", body = domain::waitlist::WaitlistEntry),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
