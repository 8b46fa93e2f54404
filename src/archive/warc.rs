//! WARC 1.1 records (ISO 28500:2017), one gzip member per record, and reading one back.
//!
//! Written here rather than through the `warc` crate (0.4.0, the maintained one on crates.io):
//! its gzip writer wraps a whole file in a single gzip stream, so a record cannot be read at its
//! offset (what a CDX index and pywb need) and a killed writer leaves the whole file unreadable
//! past the cut; it also writes `WARC/1.0` and calls `Write::write` without checking for short
//! writes. A record here is built whole in memory and appended with `write_all` as one member.
//!
//! Reading is the inverse: decompress the member at a byte range, split the WARC headers from
//! the block, and for `response`/`revisit` records split the HTTP head from the payload.

use std::io::{Read, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use flate2::write::GzEncoder;
use flate2::Compression;
use sha1::{Digest, Sha1};

/// The revisit profile for a payload already archived (WARC 1.1, annex).
pub const REVISIT_PROFILE: &str =
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

/// A WARC record about to be written: its type, named headers and block.
#[derive(Debug, Clone)]
pub struct RecordOut {
    /// `WARC-Type` (`request`, `response` or `revisit`).
    pub kind: &'static str,
    /// `WARC-Record-ID` (`<urn:uuid:…>`).
    pub record_id: String,
    /// Further WARC headers, in order (`WARC-Target-URI`, `WARC-Date` first); `Content-Length` is added on writing.
    pub headers: Vec<(&'static str, String)>,
    /// The record block (an HTTP head, or a whole message); a payload may follow it on writing.
    pub block: Vec<u8>,
}

impl RecordOut {
    /// A record of `kind` for `uri` at `date`, with a new record id.
    pub fn new(kind: &'static str, uri: &str, date: DateTime<Utc>) -> RecordOut {
        RecordOut {
            kind,
            record_id: new_record_id(),
            headers: vec![
                ("WARC-Target-URI", uri.to_string()),
                ("WARC-Date", warc_date(date)),
            ],
            block: Vec::new(),
        }
    }

    /// Add a named header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> RecordOut {
        self.headers.push((name, value.into()));
        self
    }

    /// The WARC head: version line, headers (with `Content-Length` for a block of
    /// `block_len` bytes) and the blank line.
    fn head(&self, block_len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(b"WARC/1.1\r\n");
        let mut line = |name: &str, value: &str| {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            // A header value never holds a line break (it would end the header block).
            out.extend(
                value
                    .bytes()
                    .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
            );
            out.extend_from_slice(b"\r\n");
        };
        line("WARC-Type", self.kind);
        line("WARC-Record-ID", &self.record_id);
        for (name, value) in &self.headers {
            line(name, value);
        }
        line("Content-Length", &block_len.to_string());
        out.extend_from_slice(b"\r\n");
        out
    }

    /// The record as one gzip member, ready to append.
    pub fn to_gzip(&self) -> std::io::Result<Vec<u8>> {
        self.to_gzip_with(&[])
    }

    /// The record as one gzip member, its block being `self.block` followed by `payload`
    /// (streamed into the compressor: a body is not copied first).
    pub fn to_gzip_with(&self, payload: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(&self.head(self.block.len() + payload.len()))?;
        enc.write_all(&self.block)?;
        enc.write_all(payload)?;
        enc.write_all(b"\r\n\r\n")?;
        enc.finish()
    }
}

/// `WARC-Date`: UTC, to the second (the WARC 1.1 W3C-ISO8601 form warcio writes).
pub fn warc_date(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A new `<urn:uuid:…>` record id (a random version 4 UUID).
pub fn new_record_id() -> String {
    let mut n: u128 = rand::random();
    // Version 4, variant 10.
    n = (n & !(0xf << 76)) | (0x4 << 76);
    n = (n & !(0x3 << 62)) | (0x2 << 62);
    let h = format!("{n:032x}");
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `sha1:` + base32 of the SHA-1 of `bytes`, the digest form warcio, Heritrix and pywb use.
pub fn sha1_digest(bytes: &[u8]) -> String {
    format!("sha1:{}", base32(&Sha1::digest(bytes)))
}

/// RFC 4648 base32 (upper case, padded).
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                let idx = ((n >> (35 - i * 5)) & 0x1f) as usize;
                out.push(char::from(ALPHABET[idx]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A record read back.
#[derive(Debug, Clone)]
pub struct RecordIn {
    /// WARC headers in order, names as written, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The record block, `Content-Length` bytes.
    pub block: Vec<u8>,
}

impl RecordIn {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Split an HTTP response block into status, headers and payload.
    pub fn http(&self) -> Result<HttpMessage, String> {
        parse_http(&self.block)
    }
}

/// An HTTP response as archived.
#[derive(Debug, Clone)]
pub struct HttpMessage {
    /// HTTP status code from the status line.
    pub status: u16,
    /// Response headers in order, names as written, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body after the blank line, as archived.
    pub payload: Vec<u8>,
}

/// Decompress and parse one record from its gzip member.
pub fn read_record(member: &[u8]) -> Result<RecordIn, String> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(member)
        .read_to_end(&mut raw)
        .map_err(|e| format!("not a complete gzip member: {e}"))?;
    let head_end = find(&raw, b"\r\n\r\n").ok_or("no end of the WARC headers")?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| "WARC headers not UTF-8")?;
    let mut lines = head.split("\r\n");
    let version = lines.next().unwrap_or_default();
    if !version.starts_with("WARC/1.") {
        return Err(format!("not a WARC record (starts {version:?})"));
    }
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        .and_then(|(_, v)| v.parse().ok())
        .ok_or("no Content-Length")?;
    let start = head_end + 4;
    let block = raw
        .get(start..start + length)
        .ok_or_else(|| format!("block cut short: {length} bytes announced"))?
        .to_vec();
    Ok(RecordIn { headers, block })
}

fn parse_http(block: &[u8]) -> Result<HttpMessage, String> {
    let head_end = find(block, b"\r\n\r\n").ok_or("no end of the HTTP headers")?;
    let head = String::from_utf8_lossy(&block[..head_end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad HTTP status line {status_line:?}"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Ok(HttpMessage {
        status,
        headers,
        payload: block[head_end + 4..].to_vec(),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY======");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI======");
        // The sha1 of the empty payload, as every WARC tool writes it.
        assert_eq!(sha1_digest(b""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    }

    #[test]
    fn a_record_round_trips_through_its_gzip_member() {
        let date = DateTime::parse_from_rfc3339("2018-02-01T08:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap();
        let mut rec = RecordOut::new("response", "http://www.example.gov.cn/", date)
            .header("Content-Type", "application/http; msgtype=response");
        rec.block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>\xe6\x94\xbf</p>".to_vec();
        let member = rec.to_gzip().unwrap();
        let back = read_record(&member).unwrap();
        assert_eq!(back.header("warc-type"), Some("response"));
        assert_eq!(back.header("WARC-Date"), Some("2018-02-01T08:00:00Z"));
        let http = back.http().unwrap();
        assert_eq!(http.status, 200);
        assert_eq!(http.payload, "<p>政</p>".as_bytes());
        assert!(read_record(&member[..member.len() - 3]).is_err());
        let id = new_record_id();
        assert_eq!(id.len(), "<urn:uuid:>".len() + 36, "{id}");
        assert_eq!(&id[24..25], "4", "{id}");
    }
}
