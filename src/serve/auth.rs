//! Logging in and out, the session cookie (HttpOnly, SameSite=Strict), the CSRF check of every
//! form, and login rate limiting (per client address and per user name).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::render;
use super::users::{self, User};
use super::App;

/// Name of the session cookie.
pub const COOKIE: &str = "govaudit_session";
/// Name of the cookie holding the login form's CSRF token (double submit: the form posts it
/// back, and a page of another site can neither read the cookie nor set it).
pub const LOGIN_COOKIE: &str = "govaudit_login";

/// Failed logins allowed per window for one name from one address.
const MAX_FAILURES: usize = 5;
/// Failed logins allowed per window from one address, whatever the names (many offices sit
/// behind one address, so this is higher).
const MAX_FAILURES_PER_ADDRESS: usize = 20;
/// The rate-limiting window.
const WINDOW: Duration = Duration::from_secs(300);

/// Recent failed logins, by client address and by user name.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    fn keys(ip: IpAddr, name: &str) -> [(String, usize); 2] {
        [
            (format!("{ip}"), MAX_FAILURES_PER_ADDRESS),
            (format!("{ip} {}", name.trim()), MAX_FAILURES),
        ]
    }

    /// Whether another attempt is refused now.
    pub fn blocked(&self, ip: IpAddr, name: &str) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        Self::keys(ip, name).iter().any(|(k, max)| {
            map.get_mut(k).is_some_and(|v| {
                v.retain(|t| now.duration_since(*t) < WINDOW);
                v.len() >= *max
            })
        })
    }

    /// Count a failed attempt.
    pub fn failed(&self, ip: IpAddr, name: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.clear();
        }
        for (k, _) in Self::keys(ip, name) {
            map.entry(k).or_default().push(Instant::now());
        }
    }
}

/// The session token from the request's cookies.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE)
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The login form with a fresh CSRF token, set in its cookie too.
fn login_form(app: &App, status: StatusCode, error: Option<&str>, name: &str) -> Response {
    let token = users::random_hex(16);
    let cookie =
        format!("{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600");
    let page = render::page_with(
        &app.env,
        status,
        "login.html",
        None,
        minijinja::context! { error => error, name => name, csrf => token },
    );
    ([(header::SET_COOKIE, cookie)], page).into_response()
}

/// A logged-in user; a request without a live session is sent to `/login` (pages) or answered
/// 401 (other requests).
#[derive(Debug, Clone)]
pub struct Auth(
    /// The session's user.
    pub User,
);

impl FromRequestParts<Arc<App>> for Auth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let user = match session_token(&parts.headers) {
            Some(token) => users::session_user(&app.store, &token)
                .await
                .map_err(|e| app.fail(None, e))?,
            None => None,
        };
        match user {
            Some(u) => Ok(Auth(u)),
            None if parts.method == axum::http::Method::GET => {
                Err(Redirect::to("/login").into_response())
            }
            None => Err(render::error(
                &app.env,
                StatusCode::UNAUTHORIZED,
                None,
                "未登录或登录已过期，请重新登录。",
            )),
        }
    }
}

impl Auth {
    /// Refuse a form whose CSRF token is missing or not this session's (403).
    pub fn check_csrf(&self, app: &App, posted: Option<&str>) -> Result<(), Response> {
        if posted.is_some_and(|t| users::same_token(t, &self.0.csrf)) {
            Ok(())
        } else {
            Err(render::error(
                &app.env,
                StatusCode::FORBIDDEN,
                Some(&self.0),
                "表单校验失败（缺少或无效的 CSRF 令牌），请刷新页面后重试。",
            ))
        }
    }

    /// Refuse a unit user (403): the page is the office's.
    pub fn admin_only(&self, app: &App) -> Result<(), Response> {
        if self.0.is_admin() {
            Ok(())
        } else {
            Err(render::error(
                &app.env,
                StatusCode::FORBIDDEN,
                Some(&self.0),
                "此页面仅限管理员使用。",
            ))
        }
    }
}

/// `GET /login`.
pub async fn login_page(State(app): State<Arc<App>>) -> Response {
    login_form(&app, StatusCode::OK, None, "")
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    /// The user name typed.
    pub name: String,
    /// The password typed.
    pub password: String,
    /// The CSRF token posted back; `None` when the form lacked it (refused).
    pub csrf: Option<String>,
}

/// `POST /login`: a session cookie and a redirect to `/`, or the form again with the reason.
pub async fn login(
    State(app): State<Arc<App>>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let again = |status: StatusCode, error: &str| login_form(&app, status, Some(error), &form.name);
    let expected = cookie(&headers, LOGIN_COOKIE);
    if !matches!((&expected, &form.csrf), (Some(e), Some(p)) if users::same_token(e, p)) {
        return again(
            StatusCode::FORBIDDEN,
            "登录表单已过期（缺少或无效的 CSRF 令牌），请重新登录。",
        );
    }
    if app.limiter.blocked(addr.ip(), &form.name) {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            "登录失败次数过多，请5分钟后再试。",
        );
    }
    match users::login(&app.store, &form.name, &form.password).await {
        Ok(Some(token)) => {
            let cookie = format!(
                "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
                users::SESSION_HOURS * 3600
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Ok(None) => {
            app.limiter.failed(addr.ip(), &form.name);
            again(StatusCode::UNAUTHORIZED, "用户名或密码错误。")
        }
        Err(e) => app.fail(None, e),
    }
}

/// A form carrying only its CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    /// The session's CSRF token posted back; `None` when missing (refused).
    pub csrf: Option<String>,
}

/// `POST /logout`.
pub async fn logout(
    State(app): State<Arc<App>>,
    auth: Auth,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(r) = auth.check_csrf(&app, form.csrf.as_deref()) {
        return r;
    }
    if let Some(token) = session_token(&headers) {
        if let Err(e) = users::logout(&app.store, &token).await {
            return app.fail(Some(&auth.0), e);
        }
    }
    let cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_block_a_name_from_an_address_then_the_address() {
        let l = LoginLimiter::default();
        let ip: IpAddr = [127, 0, 0, 1].into();
        let other: IpAddr = [127, 0, 0, 2].into();
        for _ in 0..MAX_FAILURES {
            assert!(!l.blocked(ip, "admin"));
            l.failed(ip, "admin");
        }
        assert!(l.blocked(ip, "admin"));
        assert!(!l.blocked(ip, "someone"));
        assert!(!l.blocked(other, "admin"));
        for i in MAX_FAILURES..MAX_FAILURES_PER_ADDRESS {
            l.failed(ip, &format!("guess{i}"));
        }
        assert!(l.blocked(ip, "someone"));
        assert!(!l.blocked(other, "someone"));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            format!("a=1; {COOKIE}=abc; b=2").parse().expect("header"),
        );
        assert_eq!(session_token(&h).as_deref(), Some("abc"));
    }
}
