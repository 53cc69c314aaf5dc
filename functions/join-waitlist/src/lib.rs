//! `POST /waitlist` {bookable_item_id, start_time, end_time}: joins the line for time of
//! an item that is taken (409 when it is free: book it instead). When that time frees,
//! the first in line whose interval is free gets a hold and a notification
//! (`waitlist-worker`, `domain::waitlist`). Joining again for the same time answers the
//! same entry; a member waits for at most 10 times at once.

use app::AppError;
use app::ports::bookings::BookingStore;
use app::ports::memberships::MembershipStore;
use app::ports::payments::Payments;
use app::ports::spaces::SpaceStore;
use app::ports::waitlist::WaitlistStore;
use app::usecase::create_booking::BookingDesk;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use aws::stripe::StripePayments;
use edge::api::waitlist::JoinWaitlistRequest;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;

pub struct JoinWaitlist<S, P> {
    desk: BookingDesk<S, P>,
}

pub fn build(ctx: &AppContext) -> JoinWaitlist<DynamoStore, StripePayments> {
    JoinWaitlist {
        desk: aws::desk::booking_desk(ctx),
    }
}

impl<S, P> HttpFunction for JoinWaitlist<S, P>
where
    S: SpaceStore + BookingStore + MembershipStore + WaitlistStore,
    P: Payments,
{
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let request: JoinWaitlistRequest = parse_json(&req)?;
        let entry = self
            .desk
            .join_waitlist(
                &caller,
                &request.bookable_item_id,
                (request.start_time, request.end_time),
                Timestamp::now(),
            )
            .await?;
        json(StatusCode::CREATED, &entry)
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/waitlist",
    tag = "bookings",
    request_body(content = edge::api::waitlist::JoinWaitlistRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "in line (or already was)", body = domain::waitlist::WaitlistEntry),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
