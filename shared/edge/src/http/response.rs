//! JSON success answers.

use http::{HeaderValue, StatusCode, header::CONTENT_TYPE};
use lambda_http::{Body, Response};
use serde::Serialize;

use app::error::AppError;

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response<Body>, AppError> {
    let body = serde_json::to_vec(value).map_err(AppError::internal)?;
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}

/// 201 with the JSON of what was created and its `Location`.
pub fn created<T: Serialize>(value: &T, location: &str) -> Result<Response<Body>, AppError> {
    let mut response = json(StatusCode::CREATED, value)?;
    let location = HeaderValue::try_from(location).map_err(AppError::internal)?;
    response
        .headers_mut()
        .insert(http::header::LOCATION, location);
    Ok(response)
}

pub fn no_content() -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}
