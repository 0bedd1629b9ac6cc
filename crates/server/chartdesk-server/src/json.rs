//! `ApiJson`: axum's `Json`, but a malformed body gets the same `{code, message}` shape as
//! every other error (and no echo of the body, which may hold patient data).

use axum::extract::{FromRequest, Request};
use axum::Json;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(_) => Err(ApiError::Invalid(
                "The request body is not valid JSON for this call".into(),
            )),
        }
    }
}
