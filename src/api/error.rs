//! Errors as Docker's API writes them: `{"message": "…"}` with the status code of the
//! error's kind (400 bad parameter, 404 no such object, 409 conflict, 304 nothing to do, 500).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::error::{Classify, ErrorKind};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    pub fn not_implemented(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_IMPLEMENTED, message)
    }

    pub fn of_kind(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        let status =
            StatusCode::from_u16(kind.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError::new(status, message)
    }
}

impl From<crate::engine::Error> for ApiError {
    fn from(e: crate::engine::Error) -> ApiError {
        // The whole chain, as the CLI prints it.
        ApiError::of_kind(e.kind(), crate::error::one_line(&e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status == StatusCode::NOT_MODIFIED {
            // 304 has no body.
            return self.status.into_response();
        }
        let body = serde_json::json!({ "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A JSON request body, or Docker's 400 with what was wrong with it.
pub fn json_body<T>(
    body: Result<axum::Json<T>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<T> {
    body.map(|axum::Json(t)| t)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// A value the request must carry (a 400 naming it when missing or empty).
pub fn required(v: Option<String>, what: &str) -> ApiResult<String> {
    v.filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad_request(format!("{what} is required")))
}
