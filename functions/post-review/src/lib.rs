//! `POST /spaces/{spaceId}/reviews` {rating 1..5, comment?, booking_id?}: by a member
//! whose confirmed booking at the space has ended; one review per booking (409 for a
//! second). Without `booking_id`, the most recent unreviewed stay is used. The review,
//! its guard, the rating sum and count (space and search rows) and the ReviewPosted event
//! are one transaction, with atomic counters, so concurrent reviews never lose a count.

use app::AppError;
use app::ports::bookings::{BookingQuery, BookingStore, BookingsOf, When};
use app::ports::reviews::ReviewStore;
use app::ports::spaces::SpaceStore;
use app::ports::store::StoreError;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::booking::BookingStatus;
use domain::events::DomainEvent;
use domain::review::{Review, reviewable, validate_review};
use domain::space::SpaceStatus;
use edge::http::params::path_param;
use edge::http::{Body, HttpFunction, Request, Response, caller_of, json, parse_json};
use http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;

/// How many of the caller's past stays are looked through for an unreviewed one.
const LOOKBACK: usize = 50;

pub struct PostReview<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> PostReview<DynamoStore> {
    PostReview {
        store: DynamoStore::from_context(ctx),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ReviewInput {
    rating: i64,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    booking_id: Option<String>,
}

fn no_stay() -> AppError {
    AppError::Forbidden("only a member whose confirmed stay here has ended can review it".into())
}

impl<S: SpaceStore + BookingStore + ReviewStore> HttpFunction for PostReview<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let caller = caller_of(&req)?;
        let space_id = path_param(&req, "spaceId")?;
        let input: ReviewInput = parse_json(&req)?;
        validate_review(input.rating, &input.comment)?;
        let space = self
            .store
            .get_space_profile(&space_id)
            .await?
            .filter(|s| s.status == SpaceStatus::Active)
            .ok_or_else(|| AppError::NotFound(format!("no space {space_id}")))?;
        // A rating is what members tell each other: the space's own operator has none to give.
        if space.owner_id == caller.user_id {
            return Err(AppError::Forbidden(
                "the operator of a space cannot review it".into(),
            ));
        }
        let now = Timestamp::now();
        let candidates: Vec<String> = match &input.booking_id {
            Some(id) => {
                let b = self.store.get_booking(id).await?.ok_or_else(no_stay)?;
                if !reviewable(&b, &caller.user_id, &space_id, now) {
                    return Err(no_stay());
                }
                vec![b.id]
            }
            None => self
                .store
                .list_bookings(&BookingQuery {
                    of: BookingsOf::User(&caller.user_id),
                    when: When::Past,
                    status: Some(BookingStatus::Confirmed),
                    cursor: None,
                    limit: LOOKBACK,
                    now,
                })
                .await?
                .items
                .into_iter()
                .filter(|b| reviewable(b, &caller.user_id, &space_id, now))
                .map(|b| b.id)
                .collect(),
        };
        if candidates.is_empty() {
            return Err(no_stay());
        }
        for booking_id in candidates {
            let review = Review {
                id: uuid::Uuid::now_v7().to_string(),
                space_id: space_id.clone(),
                booking_id,
                user_id: caller.user_id.clone(),
                rating: input.rating as u8,
                comment: input.comment.trim().to_string(),
                created_at: now,
            };
            let event = DomainEvent::new(
                "coworking.reviews",
                "ReviewPosted",
                now,
                serde_json::json!({"review_id": review.id, "space_id": space_id,
                                   "booking_id": review.booking_id, "rating": review.rating}),
            );
            match self.store.post_review(&space, &review, &event).await {
                Ok(()) => {
                    tracing::info!(space_id = %space_id, review_id = %review.id, "review posted");
                    let mut shown = review;
                    shown.user_id.clear();
                    return json(StatusCode::CREATED, &shown);
                }
                // Reviewed already: try the next stay (or say so).
                Err(StoreError::AlreadyExists) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict {
            detail: if input.booking_id.is_some() {
                "this booking already has a review".into()
            } else {
                "each of your stays here already has a review".into()
            },
            conflict: Some(serde_json::json!({"space_id": space_id, "reason": "already_reviewed"})),
        })
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    post,
    path = "/spaces/{spaceId}/reviews",
    tag = "reviews",
    request_body(content = ReviewInput, content_type = "application/json"),
    params(
        ("spaceId" = String, Path),
    ),
    responses(
        (status = 201, description = "posted", body = domain::review::Review),
        edge::openapi::Problems,
    ),
    security(("bearer" = [])),
)]
pub fn route() {}
