//! A small W3C WebDriver client over reqwest: starts `chromedriver` on a free loopback port
//! and drives a headless Chromium (navigate, find, type, click, read text, run a script,
//! screenshots). Just what the console tests need.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Chromium and chromedriver, when both are installed.
pub fn tools() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| {
        names.iter().find_map(|n| {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {n}"))
                .output()
                .ok()?;
            let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (!p.is_empty()).then(|| PathBuf::from(p))
        })
    };
    Some((
        find(&["chromium", "chromium-browser", "google-chrome"])?,
        find(&["chromedriver"])?,
    ))
}

/// A running chromedriver with one browser session.
pub struct Browser {
    driver: Child,
    http: reqwest::Client,
    base: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Browser {
    /// Start chromedriver and a headless Chromium that saves downloads into `downloads`.
    pub async fn start(chromium: &Path, chromedriver: &Path, downloads: &Path) -> Browser {
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::new();
        let root = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{root}/status")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1000", "--lang=zh-CN", "--no-proxy-server"],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false
                }
            }
        }}});
        let mut b = Browser {
            driver,
            http,
            base: root.clone(),
        };
        let v = b.call("POST", "/session", Some(caps)).await;
        let id = v["sessionId"]
            .as_str()
            .expect("a WebDriver session id")
            .to_string();
        b.base = format!("{root}/session/{id}");
        // Allow downloads in headless mode.
        let _ = b
            .call(
                "POST",
                "/goog/cdp/execute",
                Some(json!({"cmd": "Browser.setDownloadBehavior", "params": {
                    "behavior": "allow", "downloadPath": downloads.display().to_string()
                }})),
            )
            .await;
        b
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url),
        };
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(b.to_string()),
            None if method == "POST" => req.header("content-type", "application/json").body("{}"),
            None => req,
        };
        let resp = req.send().await.expect("chromedriver answers");
        let text = resp.text().await.expect("chromedriver's answer");
        let v: Value = serde_json::from_str(&text).expect("JSON from chromedriver");
        v["value"].clone()
    }

    /// Open a URL.
    pub async fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url }))).await;
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.call("GET", "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The first element matching a CSS selector, if any.
    pub async fn find(&self, css: &str) -> Option<String> {
        let v = self
            .call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        let found = v.get(ELEMENT).and_then(Value::as_str).map(str::to_string);
        if found.is_none() && std::env::var_os("WEBDRIVER_DEBUG").is_some() {
            eprintln!("find {css}: {v}");
        }
        found
    }

    /// The element matching a CSS selector (panics naming it when missing).
    pub async fn el(&self, css: &str) -> String {
        match self.find(css).await {
            Some(e) => e,
            None => panic!(
                "no element {css} on {}:\n{}",
                self.url().await,
                self.call("GET", "/source", None).await
            ),
        }
    }

    /// Wait up to `secs` for an element.
    pub async fn wait_for(&self, css: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(e) = self.find(css).await {
                return e;
            }
            assert!(
                Instant::now() < deadline,
                "no {css} after {secs} s on {}:\n{}",
                self.url().await,
                self.text("body").await
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Click an element that loads a new page (a form's submit button, a link), and wait until
    /// the new page has loaded.
    pub async fn click_and_load(&self, css: &str) {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": "window.__old_page = true;", "args": []})),
        )
        .await;
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self
                .call(
                    "POST",
                    "/execute/sync",
                    Some(json!({"script": "return window.__old_page === undefined && document.readyState === 'complete';", "args": []})),
                )
                .await;
            if v == json!(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no new page after clicking {css}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Wait up to `secs` for the browser to leave `url`.
    pub async fn wait_leave(&self, url: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while self.url().await == url {
            assert!(Instant::now() < deadline, "still on {url} after {secs} s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Type into an element.
    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.el(css).await;
        self.call("POST", &format!("/element/{e}/clear"), None)
            .await;
        self.call(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Click an element.
    pub async fn click(&self, css: &str) {
        let e = self.el(css).await;
        self.call("POST", &format!("/element/{e}/click"), None)
            .await;
    }

    /// The visible text of the first element matching `css` (empty when none).
    pub async fn text(&self, css: &str) -> String {
        let Some(e) = self.find(css).await else {
            return String::new();
        };
        self.call("GET", &format!("/element/{e}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// An attribute of the first element matching `css`.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        let e = self.find(css).await?;
        self.call("GET", &format!("/element/{e}/attribute/{name}"), None)
            .await
            .as_str()
            .map(str::to_string)
    }

    /// Run an asynchronous script; it calls `arguments[arguments.length - 1](result)`.
    pub async fn run_async(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Save a PNG of the viewport (the whole page height) to `path`.
    pub async fn screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let height = self
            .run_async("arguments[0](document.documentElement.scrollHeight)")
            .await
            .as_u64()
            .unwrap_or(1000)
            .clamp(600, 4000);
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": 1280, "height": height + 120})),
        )
        .await;
        let v = self.call("GET", "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("a base64 screenshot");
        std::fs::write(path, png).expect("screenshot written");
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": 1280, "height": 1000})),
        )
        .await;
    }
}
