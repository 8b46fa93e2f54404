//! The console's pages, one file per area. Handlers read through the library (statistics,
//! rounds, registry, notices) and hand plain values to the templates of [`super::render`].

pub mod archive;
pub mod notices;
pub mod overview;
pub mod registry;
pub mod rounds;
pub mod selfcheck;
pub mod sites;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::auth::{session_token, Auth};
use super::render;
use super::users::{self, User};
use super::App;

/// Anything not routed: 404 (with the menu when logged in).
pub async fn not_found(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let user = match session_token(&headers) {
        Some(t) => users::session_user(&app.store, &t).await.ok().flatten(),
        None => None,
    };
    render::error(
        &app.env,
        StatusCode::NOT_FOUND,
        user.as_ref(),
        "没有这个页面。",
    )
}

/// 404 for a missing record.
pub(crate) fn missing(app: &App, auth: &Auth, what: &str) -> Response {
    render::error(&app.env, StatusCode::NOT_FOUND, Some(&auth.0), what)
}

/// 403 for a record of another unit.
pub(crate) fn forbidden(app: &App, user: &User) -> Response {
    render::error(
        &app.env,
        StatusCode::FORBIDDEN,
        Some(user),
        "无权访问：该网站不属于本单位。",
    )
}

/// 400 with a message for the user.
pub(crate) fn bad_request(app: &App, user: &User, message: &str) -> Response {
    render::error(&app.env, StatusCode::BAD_REQUEST, Some(user), message)
}
