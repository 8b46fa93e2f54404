//! Pages from templates (minijinja, files under `src/serve/templates/` built into the binary):
//! strict undefined (a misspelt variable is an error, not an empty cell) and every value
//! escaped on output through [`crate::escape::html::text`], the one HTML escaping routine of
//! the project, so page text from audited sites is inert wherever a template puts it.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

use super::users::User;

/// The templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("error.html", include_str!("templates/error.html")),
    ("overview.html", include_str!("templates/overview.html")),
    ("sites.html", include_str!("templates/sites.html")),
    ("site.html", include_str!("templates/site.html")),
    ("report.html", include_str!("templates/report.html")),
    ("rounds.html", include_str!("templates/rounds.html")),
    ("round.html", include_str!("templates/round.html")),
    ("notices.html", include_str!("templates/notices.html")),
    ("selfcheck.html", include_str!("templates/selfcheck.html")),
];

/// The style sheet, served at `/static/style.css`.
pub const STYLE: &str = include_str!("templates/style.css");
/// The little script of the progress pages, served at `/static/progress.js`.
pub const PROGRESS_JS: &str = include_str!("templates/progress.js");

/// The template environment.
pub fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            return Ok(());
        }
        let _ = state;
        if value.is_safe() {
            return write!(out, "{value}").map_err(minijinja::Error::from);
        }
        let text = match value.as_str() {
            Some(s) => crate::escape::html::text(s),
            None => crate::escape::html::text(&value.to_string()),
        };
        out.write_str(&text).map_err(minijinja::Error::from)
    });
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// Render `name` with `ctx` plus the user (for the menu) as a 200 page, or a 500 page naming
/// the template error.
pub fn page(env: &Environment<'static>, name: &str, user: Option<&User>, ctx: Value) -> Response {
    page_with(env, StatusCode::OK, name, user, ctx)
}

/// [`page`] with a status.
pub fn page_with(
    env: &Environment<'static>,
    status: StatusCode,
    name: &str,
    user: Option<&User>,
    ctx: Value,
) -> Response {
    let user_ctx = user.map(|u| {
        minijinja::context! {
            name => u.name.clone(),
            role => u.role.label(),
            admin => u.is_admin(),
            unit => u.unit.clone(),
            csrf => u.csrf.clone(),
        }
    });
    let ctx = minijinja::context! { user => user_ctx, ..ctx };
    match env.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("template {name}: {e:#}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "页面生成出错（模板错误），请联系管理员。",
            )
                .into_response()
        }
    }
}

/// An error page: 403 无权访问, 404 未找到, 400 请求有误, 500 服务器错误 …
pub fn error(
    env: &Environment<'static>,
    status: StatusCode,
    user: Option<&User>,
    message: &str,
) -> Response {
    let title = match status {
        StatusCode::FORBIDDEN => "无权访问",
        StatusCode::NOT_FOUND => "未找到",
        StatusCode::BAD_REQUEST => "请求有误",
        StatusCode::TOO_MANY_REQUESTS => "尝试过于频繁",
        _ => "服务器错误",
    };
    page_with(
        env,
        status,
        "error.html",
        user,
        minijinja::context! { title => title, code => status.as_u16(), message => message },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_undefined_is_an_error() {
        let mut env = environment().expect("templates parse");
        env.add_template("t.html", "<p title=\"{{ v }}\">{{ v }}</p>")
            .expect("template");
        let out = env
            .get_template("t.html")
            .and_then(|t| t.render(minijinja::context! { v => "<script>\"x\u{202E}" }))
            .expect("renders");
        assert_eq!(
            out,
            "<p title=\"&lt;script&gt;&quot;x&lt;U+202E&gt;\">&lt;script&gt;&quot;x&lt;U+202E&gt;</p>"
        );
        assert!(env
            .get_template("t.html")
            .and_then(|t| t.render(minijinja::context! {}))
            .is_err());
    }
}
