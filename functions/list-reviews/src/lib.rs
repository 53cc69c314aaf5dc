//! `GET /spaces/{spaceId}/reviews?limit&cursor`: public, newest first, with the space's
//! rating summary. Authors are not shown.

use app::AppError;
use app::ports::reviews::ReviewStore;
use aws::AppContext;
use aws::dynamo::DynamoStore;
use domain::review::Review;
use domain::search::RatingSummary;
use edge::http::params::{PageQuery, limit_param, path_param, query};
use edge::http::{Body, HttpFunction, Request, Response, json};
use http::StatusCode;
use serde::Serialize;

pub const MAX_LIMIT: usize = 50;

pub struct ListReviews<S> {
    store: S,
}

pub fn build(ctx: &AppContext) -> ListReviews<DynamoStore> {
    ListReviews {
        store: DynamoStore::from_context(ctx),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct ReviewPage {
    rating: RatingSummary,
    items: Vec<Review>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

impl<S: ReviewStore> HttpFunction for ListReviews<S> {
    async fn handle(&self, req: Request) -> Result<Response<Body>, AppError> {
        let space_id = path_param(&req, "spaceId")?;
        let q: PageQuery = query(&req)?;
        let limit = limit_param(q.limit.as_deref(), 20, MAX_LIMIT)?;
        let (page, (sum, count)) = tokio::try_join!(
            self.store
                .list_reviews(&space_id, limit, q.cursor.as_deref()),
            self.store.rating(&space_id)
        )?;
        let items = page
            .items
            .into_iter()
            .map(|mut r| {
                r.user_id.clear();
                r
            })
            .collect();
        let rating = RatingSummary {
            average: (count > 0).then(|| (sum as f64 * 10.0 / count as f64).round() / 10.0),
            count,
        };
        json(
            StatusCode::OK,
            &ReviewPage {
                rating,
                items,
                next_cursor: page.next_cursor,
            },
        )
    }
}

/// This route in the OpenAPI document (collected by `functions/get-openapi`).
#[utoipa::path(
    get,
    path = "/spaces/{spaceId}/reviews",
    tag = "reviews",
    params(
        ("spaceId" = String, Path),
        PageQuery,
    ),
    responses(
        (status = 200, description = "newest first", body = ReviewPage),
        edge::openapi::Problems,
    ),
)]
pub fn route() {}
