//! The sites of the round under memory test (`r<N>.round.fault.test`): a plain homepage with
//! two columns, a plain one and one serving a hostile body over the 5 MiB cap — NUL bytes, the
//! gzip bomb, 200,000-deep nesting or 50 MB of links, by the site's number — so the round's
//! sites read and parse capped hostile bodies at the same time.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::hosts::{self, LINKS, OVER_CAP};

/// The hostile column pages, one per site in turn.
pub const HOSTILE: [&str; 4] = ["/c/nul/", "/c/gzip/", "/c/nest/", "/c/links/"];

/// What round site number `site` answers at `path`.
pub fn answer(site: usize, path: &str, produced: Arc<AtomicU64>) -> Response {
    let html =
        |body: Body| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    match path {
        "/robots.txt" => StatusCode::NOT_FOUND.into_response(),
        "/" => {
            let hostile = HOSTILE[site % HOSTILE.len()];
            Html(hosts::homepage(&[hostile, "/col0/"], &["/a/1.html"])).into_response()
        }
        "/c/nul/" => html(body(OVER_CAP, produced, |_| vec![0u8; 64 * 1024])),
        "/c/gzip/" => {
            let mut r = html(Body::from(hosts::gzip_bomb().clone()));
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, "gzip".parse().expect("gzip"));
            r
        }
        "/c/nest/" => Html(hosts::nested(200_000)).into_response(),
        "/c/links/" => html(body(LINKS, produced, hosts::link_chunk)),
        _ => Html(hosts::COLUMN).into_response(),
    }
}

fn body(total: u64, produced: Arc<AtomicU64>, make: fn(u64) -> Vec<u8>) -> Body {
    hosts::stream(total, produced, make).into_body()
}
