//! Documents rendered as a user sees them: a DOCX converted to PDF by LibreOffice (`soffice`)
//! and read back with poppler (`pdfinfo`, `pdftotext`), an HTML file opened by headless
//! Chromium at a given width. Each helper returns `None` when its program is not installed, so
//! the tests pass with a note on machines without them (`.ci/run` installs them).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The first of `names` on the `PATH`.
pub fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

/// `file` converted to PDF in `dir` by LibreOffice; `None` without `soffice`.
pub fn to_pdf(file: &Path, dir: &Path) -> Option<PathBuf> {
    let soffice = which(&["soffice", "libreoffice"])?;
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}/lo-profile",
            dir.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(file)
        .status()
        .expect("soffice runs");
    assert!(status.success(), "soffice failed on {}", file.display());
    let pdf = dir.join(file.with_extension("pdf").file_name().expect("name"));
    assert!(pdf.is_file(), "{} was not written", pdf.display());
    Some(pdf)
}

/// Pages of a PDF (`pdfinfo`); `None` without poppler.
pub fn pdf_pages(pdf: &Path) -> Option<usize> {
    let pdfinfo = which(&["pdfinfo"])?;
    let out = Command::new(pdfinfo)
        .arg(pdf)
        .output()
        .expect("pdfinfo runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

/// The text of one page (1-based) of a PDF (`pdftotext -layout`); `None` without poppler.
pub fn pdf_page_text(pdf: &Path, page: usize) -> Option<String> {
    let pdftotext = which(&["pdftotext"])?;
    let n = page.to_string();
    let out = Command::new(pdftotext)
        .args(["-layout", "-f", &n, "-l", &n])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A page of a PDF as a PNG (`pdftoppm`), for people to look at.
pub fn pdf_page_png(pdf: &Path, page: usize, out_prefix: &Path) -> Option<PathBuf> {
    let pdftoppm = which(&["pdftoppm"])?;
    let n = page.to_string();
    let status = Command::new(pdftoppm)
        .args(["-png", "-r", "60", "-singlefile", "-f", &n, "-l", &n])
        .arg(pdf)
        .arg(out_prefix)
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
    Some(out_prefix.with_extension("png"))
}

fn chromium() -> Option<PathBuf> {
    which(&[
        "chromium",
        "chromium-browser",
        "google-chrome",
        "chrome-headless-shell",
    ])
}

/// Runs in the page after layout: every element outside a `.scroll` box that reaches past the
/// viewport, every table cell whose text is cut, and a page that scrolls sideways. The result
/// becomes the document's title, which `--dump-dom` prints.
const PROBE: &str = r#"<script>
addEventListener('load', () => {
  const W = document.documentElement.clientWidth, bad = [];
  if (document.documentElement.scrollWidth > W) bad.push('page ' + document.documentElement.scrollWidth + '>' + W);
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.scroll') || el.closest('svg') && el.tagName !== 'svg') continue;
    const r = el.getBoundingClientRect();
    if (r.right > W + 1) bad.push(el.tagName + ' ' + (el.textContent || '').slice(0, 30) + ' right=' + Math.round(r.right));
  }
  for (const el of document.querySelectorAll('td,th,p,h1,h2,h3,div')) {
    if (el.classList.contains('scroll')) continue;
    if (el.scrollWidth > el.clientWidth + 1) bad.push('cut ' + el.tagName + ' ' + el.textContent.slice(0, 30));
  }
  document.title = 'PROBE' + JSON.stringify(bad) + 'END';
});
</script>"#;

/// What overflows when `html` is shown `width` CSS pixels wide in headless Chromium (empty:
/// nothing); `None` without Chromium. A screenshot is left at `png` when given.
pub fn overflow(html: &str, width: u32, dir: &Path, png: Option<&Path>) -> Option<Vec<String>> {
    let chromium = chromium()?;
    let probed = html.replacen("</body>", &format!("{PROBE}</body>"), 1);
    let file = dir.join(format!("probe-{width}.html"));
    std::fs::write(&file, probed).expect("write html");
    let url = format!("file://{}", file.display());
    let size = format!("--window-size={width},1600");
    let profile = format!("--user-data-dir={}/chromium-{width}", dir.display());
    let base = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--virtual-time-budget=3000",
    ];
    let out = Command::new(&chromium)
        .args(base)
        .args([&size, &profile, "--dump-dom", &url])
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let json = dom
        .split_once("PROBE")
        .and_then(|(_, r)| r.split_once("END"))
        .map(|(j, _)| j.replace("&quot;", "\"").replace("&amp;", "&"))
        .unwrap_or_else(|| panic!("no probe result: {}", String::from_utf8_lossy(&out.stderr)));
    let bad: Vec<String> = serde_json::from_str(&json).expect("probe json");
    if let Some(png) = png {
        let plain = dir.join(format!("plain-{width}.html"));
        std::fs::write(&plain, html).expect("write html");
        let status = Command::new(&chromium)
            .args(base)
            .args([&size, &profile])
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", plain.display()))
            .output()
            .expect("chromium runs");
        assert!(png.is_file(), "{}", String::from_utf8_lossy(&status.stderr));
    }
    Some(bad)
}

/// The HTML printed to PDF by headless Chromium (A4 by the page's CSS).
pub fn html_to_pdf(html: &str, dir: &Path) -> Option<PathBuf> {
    let chromium = chromium()?;
    let file = dir.join("print.html");
    std::fs::write(&file, html).expect("write html");
    let pdf = dir.join("print.pdf");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}/chromium-print", dir.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    assert!(pdf.is_file(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(pdf)
}
