//! `GET /users/me/waitlist`: the caller's waitlist entries, newest first: waiting, offered
//! (with the booking that holds the freed time for them) or closed.

use app::AppError;
use app::ports::waitlist::WaitlistStore;
use app::usecase::waitlist::my_entries;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json};
use http::StatusCode;
use serde::Serialize;

pub struct ListMyWaitlist<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListMyWaitlist<DynamoStore> {
    ListMyWaitlist {
        store: DynamoStore::from_context(ctx),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct Entries {
    items: Vec<domain::waitlist::WaitlistEntry>,
}

impl<S: WaitlistStore> HttpFunction for ListMyWaitlist<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let items = my_entries(&self.store, &caller).await?;
        json(StatusCode::OK, &Entries { items })
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/users/me/waitlist",
    tag = "bookings",
    responses(
        (status = 200, description = "the caller's entries", body = Entries),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
