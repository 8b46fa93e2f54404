//! What each fault host answers over HTTP (the raw faults are in [`super::server`]).
//!
//! Bodies that are big on purpose (2 GB, 50 MB of links, 10 MB robots.txt, NUL bytes, noise)
//! come from bounded generators yielding 64 KiB chunks as the client reads them, so nothing of
//! their size is ever allocated; each chunk is counted in [`Seen::produced`]. The gzip bomb is
//! compressed once (512 MiB of NUL bytes to about half a megabyte) and kept.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;

use super::server::{Seen, DOMAIN};

/// Generator chunk size.
const CHUNK: usize = 64 * 1024;
/// The as-of date every case audits at (calendar pages count from it).
pub const AS_OF: &str = "2018-03-01";
/// A body a little over the 5 MiB cap.
pub const OVER_CAP: u64 = 6 * 1024 * 1024;
/// The 2 GB body.
pub const HUGE: u64 = 2 * 1024 * 1024 * 1024;
/// The links body.
pub const LINKS: u64 = 50 * 1000 * 1000;
/// The big robots.txt.
pub const BIG_ROBOTS: u64 = 10 * 1000 * 1000;
/// Decompressed size of the gzip bomb.
pub const BOMB: u64 = 512 * 1024 * 1024;
/// How long a hanging HEAD hangs (far beyond the test config's 1 s timeout).
const HEAD_HANG: Duration = Duration::from_secs(30);
/// Chunks the dripping body sends, 200 ms apart.
const DRIPS: usize = 100;

pub fn router(seen: Arc<Seen>) -> Router {
    Router::new().fallback(handle).with_state(seen)
}

async fn handle(
    State(seen): State<Arc<Seen>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split(':').next())
        .unwrap_or("")
        .to_ascii_lowercase();
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    seen.record(&host, method.as_str(), &path);
    let case = host
        .strip_suffix(&format!(".{DOMAIN}"))
        .unwrap_or("")
        .to_string();
    let produced = seen.produced_counter(&host);
    if let Some(site) = case
        .strip_suffix(".round")
        .and_then(|r| r.strip_prefix('r'))
        .and_then(|n| n.parse().ok())
    {
        return super::round_sites::answer(site, &path, produced);
    }
    answer(&case, &method, &path, produced).await
}

async fn answer(case: &str, method: &Method, path: &str, produced: Arc<AtomicU64>) -> Response {
    match (case, path) {
        ("robots-big", "/robots.txt") => {
            let lines = "Disallow: /private/\n".repeat(CHUNK / 20);
            let mut body = stream(BIG_ROBOTS, produced, move |_| lines.as_bytes().to_vec());
            // What lies beyond the first 512 KiB is never read.
            body = body.chain_tail(b"Crawl-delay: 86400\n");
            plain(body.into_body())
        }
        ("robots-bin", "/robots.txt") => {
            plain(stream(OVER_CAP, produced, |i| noise(i, CHUNK)).into_body())
        }
        ("delay", "/robots.txt") => plain(Body::from("User-agent: *\nCrawl-delay: 86400\n")),
        (_, "/robots.txt") => StatusCode::NOT_FOUND.into_response(),
        ("plain" | "robots-big" | "robots-bin" | "delay", "/") => {
            Html(homepage(&["/col0/", "/col1/"], &["/a/1.html"])).into_response()
        }
        ("storm503", _) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        ("retry429", _) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "4294967296")],
        )
            .into_response(),
        ("loop", "/") => redirect("/b"),
        ("loop", _) => redirect("/"),
        ("chain", _) => {
            let n: usize = path
                .strip_prefix("/hop/")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            if n < 50 {
                redirect(&format!("/hop/{}", n + 1))
            } else {
                Html(homepage(&[], &[])).into_response()
            }
        }
        ("huge", "/") => {
            let body = stream(HUGE, produced, |_| b"<p>".repeat(CHUNK / 3));
            let mut r = html(body.into_body());
            r.headers_mut().insert(
                header::CONTENT_LENGTH,
                HUGE.to_string().parse().expect("length"),
            );
            r
        }
        ("gzip", "/") => {
            let mut r = html(Body::from(gzip_bomb().clone()));
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, "gzip".parse().expect("gzip"));
            r
        }
        ("nul", "/") => html(stream(OVER_CAP, produced, |_| vec![0u8; CHUNK]).into_body()),
        ("garbage", "/") => html(stream(OVER_CAP, produced, |i| noise(i, CHUNK)).into_body()),
        ("charset", "/") => with_type(
            homepage(&["/col0/", "/col1/"], &["/a/1.html"]).into_bytes(),
            "text/html; charset=GBK",
        ),
        ("charset-bin", "/") => with_type(noise(7, 256 * 1024), "text/html; charset=GBK"),
        ("nesting", "/") => Html(nested(200_000)).into_response(),
        ("links", "/") => html(stream(LINKS, produced, link_chunk).into_body()),
        ("headhang", "/") => Html(homepage(&[], &["/doc"])).into_response(),
        ("headhang", "/doc") if method == Method::HEAD => {
            tokio::time::sleep(HEAD_HANG).await;
            "late".into_response()
        }
        ("calendar", p) => super::calendar::page(p),
        ("drip", "/") => {
            let body = async_stream(DRIPS, Duration::from_millis(200), produced);
            html(body)
        }
        (_, p) if p.starts_with("/col") => Html(COLUMN).into_response(),
        _ => {
            Html("<html><body><p>文章</p><p>发布时间：2018-02-27</p></body></html>").into_response()
        }
    }
}

/// A column page: one item dated two days before the as-of date.
pub const COLUMN: &str =
    "<html><body><ul><li><a href=\"/a/1.html\">通知</a><span>2018-02-27</span></li></ul></body></html>";

/// A homepage with navigation `columns` and a news list linking `items`.
pub fn homepage(columns: &[&str], items: &[&str]) -> String {
    let mut html =
        String::from("<html><head><title>测试</title></head><body><nav class=\"nav\"><ul>");
    for (i, c) in columns.iter().enumerate() {
        html.push_str(&format!("<li><a href=\"{c}\">工作动态{i}</a></li>"));
    }
    html.push_str("</ul></nav><ul>");
    for (i, c) in items.iter().enumerate() {
        html.push_str(&format!(
            "<li><a href=\"{c}\">新闻{i}</a><span>2018-02-28</span></li>"
        ));
    }
    html.push_str("</ul></body></html>");
    html
}

/// `depth` nested `<div>`s around a dated list.
pub fn nested(depth: usize) -> String {
    let mut home = String::from("<html><body>");
    home.push_str(&"<div>".repeat(depth));
    home.push_str("<ul><li><a href=\"/a/1.html\">新闻</a><span>2018-02-28</span></li></ul>");
    home.push_str(&"</div>".repeat(depth));
    home.push_str("</body></html>");
    home
}

/// Deterministic binary noise (xorshift), `len` bytes, seeded by `seed`.
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Chunk `i` of the links body: `<a href="/l/N">` lines, about 64 KiB.
pub fn link_chunk(i: u64) -> Vec<u8> {
    let mut s = String::with_capacity(CHUNK + 64);
    let mut n = i * 2000;
    while s.len() < CHUNK {
        s.push_str(&format!("<a href=\"/l/{n}\">链接{n}</a>\n"));
        n += 1;
    }
    s.into_bytes()
}

/// 512 MiB of NUL bytes, gzipped (about 520 KB), built once.
///
/// Not compressed from 512 MiB, which takes seconds: one MiB of NUL bytes is deflated with a
/// full flush (a byte-aligned run of blocks that refers to nothing before it) and that run is
/// repeated 512 times, then closed with a final empty block and the trailer (the CRC-32 and
/// length of the 512 MiB), as a gzip stream of the whole would be.
pub fn gzip_bomb() -> &'static Bytes {
    static BOMB_GZ: OnceLock<Bytes> = OnceLock::new();
    BOMB_GZ.get_or_init(|| {
        use flate2::{Compress, Compression, FlushCompress};
        let mib = vec![0u8; 1024 * 1024];
        let mut deflate = Compress::new(Compression::best(), false);
        let mut run = Vec::with_capacity(64 * 1024);
        deflate
            .compress_vec(&mib, &mut run, FlushCompress::Full)
            .expect("deflate");
        let mut end = Vec::with_capacity(64);
        deflate
            .compress_vec(&[], &mut end, FlushCompress::Finish)
            .expect("deflate end");
        let times = BOMB / mib.len() as u64;
        let mut crc = flate2::Crc::new();
        for _ in 0..times {
            crc.update(&mib);
        }
        // Gzip header: magic, deflate, no flags, no time, no extra flags, unknown OS.
        let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
        for _ in 0..times {
            gz.extend_from_slice(&run);
        }
        gz.extend_from_slice(&end);
        gz.extend_from_slice(&crc.sum().to_le_bytes());
        gz.extend_from_slice(&(BOMB as u32).to_le_bytes());
        Bytes::from(gz)
    })
}

/// A lazily generated body of `total` bytes: chunk `i` comes from `make(i)` only when the
/// client reads that far; the produced bytes are counted.
pub struct Generated {
    chunks: Vec<futures::stream::BoxStream<'static, Result<Bytes, std::io::Error>>>,
}

pub fn stream(
    total: u64,
    produced: Arc<AtomicU64>,
    make: impl Fn(u64) -> Vec<u8> + Send + 'static,
) -> Generated {
    use futures::StreamExt as _;
    let chunks = total.div_ceil(CHUNK as u64);
    let s = futures::stream::iter(0..chunks).map(move |i| {
        let mut chunk = make(i);
        let left = total - (i * CHUNK as u64).min(total);
        chunk.truncate(left.min(CHUNK as u64) as usize);
        produced.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        Ok(Bytes::from(chunk))
    });
    Generated {
        chunks: vec![s.boxed()],
    }
}

impl Generated {
    /// The same body followed by `tail`.
    fn chain_tail(mut self, tail: &'static [u8]) -> Generated {
        use futures::StreamExt as _;
        self.chunks
            .push(futures::stream::once(async move { Ok(Bytes::from_static(tail)) }).boxed());
        self
    }

    pub fn into_body(self) -> Body {
        use futures::StreamExt as _;
        Body::from_stream(futures::stream::iter(self.chunks).flatten())
    }
}

/// `n` chunks of one `<p>` each, `every` apart: a body that never ends within the timeout.
fn async_stream(n: usize, every: Duration, produced: Arc<AtomicU64>) -> Body {
    use futures::StreamExt as _;
    let s = futures::stream::iter(0..n).then(move |_| {
        let produced = Arc::clone(&produced);
        async move {
            tokio::time::sleep(every).await;
            produced.fetch_add(3, Ordering::Relaxed);
            Ok::<_, std::io::Error>(Bytes::from_static(b"<p>"))
        }
    });
    Body::from_stream(s)
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

fn html(body: Body) -> Response {
    with_type(body, "text/html; charset=utf-8")
}

fn plain(body: Body) -> Response {
    with_type(body, "text/plain")
}

fn with_type(body: impl Into<Body>, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body.into()).into_response()
}
