//! What the browser needs from the server beside the API: the built UI at `/`, the security
//! headers every answer carries (a strict CSP, HSTS behind TLS), and the origin rule: a page
//! from this server or an allowed origin may call the API; a request from any other origin is
//! refused here, not only by the browser.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};

use crate::error::ApiError;
use crate::state::{AppState, WebSettings};

/// The UI at `/` (when a folder is set) and the CORS answer for allowed origins.
pub fn serve_ui(router: Router<AppState>, web: &WebSettings) -> Router<AppState> {
    let router = match &web.root {
        Some(root) => router.fallback_service(
            ServeDir::new(root).fallback(ServeFile::new(root.join("index.html"))),
        ),
        None => router,
    };
    let origins: Vec<HeaderValue> = web
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    router.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_NONE_MATCH,
                HeaderName::from_static(chartdesk_api::BREAK_GLASS_REASON_HEADER),
                HeaderName::from_static(chartdesk_api::BREAK_GLASS_DETAIL_HEADER),
            ])
            .expose_headers([header::ETAG]),
    )
}

/// Refuses other origins before any handler runs, then adds the security headers.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let web = &state.web;
    let tls = web.behind_tls || forwarded_https(request.headers());
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let allowed = origin.to_str().is_ok_and(|origin| {
            same_origin(origin, request.headers(), tls)
                || web.allowed_origins.iter().any(|o| o == origin)
        });
        if !allowed {
            tracing::warn!("request from an origin that is not allowed refused");
            let refused = ApiError::Forbidden.into_response();
            return with_headers(refused, web, tls);
        }
    }
    let response = next.run(request).await;
    with_headers(response, web, tls)
}

pub(crate) fn forwarded_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

fn same_origin(origin: &str, headers: &HeaderMap, tls: bool) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let scheme = if tls { "https" } else { "http" };
    origin == format!("{scheme}://{host}")
}

/// No inline script, nothing from a third party but the bucket the presigned URLs name (a
/// hidden frame fetches an export ZIP from it as a download), never framed.
pub fn content_security_policy(web: &WebSettings) -> String {
    let bucket = web.bucket_origins.join(" ");
    let frames = &web.bucket_frame_source;
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; \
         font-src 'self'; connect-src 'self' {bucket}; frame-src {frames}; worker-src 'self' blob:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

fn with_headers(mut response: Response, web: &WebSettings, tls: bool) -> Response {
    let h = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(web)) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}
