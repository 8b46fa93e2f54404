//! Link benchmark server (used by `scripts/bench-links.sh`; not part of the `govaudit` binary).
//!
//! Serves on 127.0.0.1 a generated site of `PAGES` pages, each carrying `LINKS` unique links
//! (`/l/<page>/<n>`); every 20th link answers 404 (5%), the others 200 with an empty body.
//! Writes the page URLs, one a line, to `OUT` once listening, then serves until killed.
//!
//! ```text
//! cargo run --release --example bench_server -- PAGES LINKS OUT
//! ```

// An example sees every dependency and dev-dependency of the package and uses few of them.
#![allow(unused_crate_dependencies)]

use std::fmt::Write;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;

#[derive(Clone, Copy)]
struct Site {
    pages: usize,
    links: usize,
}

async fn serve(State(site): State<Arc<Site>>, uri: Uri) -> Response {
    let path = uri.path();
    if let Some(rest) = path.strip_prefix("/p/") {
        let Some(i) = rest
            .strip_suffix(".html")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|i| *i < site.pages)
        else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let mut body = String::with_capacity(site.links * 48 + 256);
        body.push_str("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>页面</title></head><body><ul>");
        for j in 0..site.links {
            let _ = write!(body, "<li><a href=\"/l/{i}/{j}\">链接 {j}</a></li>");
        }
        body.push_str("</ul></body></html>");
        return Html(body).into_response();
    }
    if let Some(rest) = path.strip_prefix("/l/") {
        let j = rest
            .rsplit('/')
            .next()
            .and_then(|n| n.parse::<usize>().ok());
        return match j {
            Some(j) if j % 20 != 0 => StatusCode::OK.into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        };
    }
    StatusCode::NOT_FOUND.into_response()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let number = |i: usize, default: usize| {
        args.get(i)
            .and_then(|a| a.parse::<usize>().ok())
            .unwrap_or(default)
    };
    let site = Site {
        pages: number(1, 200),
        links: number(2, 50),
    };
    let out = args.get(3).cloned().unwrap_or_else(|| "pages.txt".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let mut list = String::new();
    for i in 0..site.pages {
        let _ = writeln!(list, "http://{addr}/p/{i}.html");
    }
    let tmp = format!("{out}.tmp");
    std::fs::write(&tmp, list)?;
    std::fs::rename(&tmp, &out)?;
    eprintln!(
        "bench_server: {} pages x {} links on http://{addr}/",
        site.pages, site.links
    );
    let app = Router::new().fallback(serve).with_state(Arc::new(site));
    axum::serve(listener, app).await
}
