//! Unit tests of the parse entry point: same trees as scraper on ordinary pages, bounded
//! depth, time and work on hostile ones.

use std::time::{Duration, Instant};

use super::*;

fn limits(max_depth: usize) -> ParseLimits {
    ParseLimits { max_depth }
}

/// `n` nested `<div>`s around a line of text, then a link after them.
fn nested_divs(n: usize) -> String {
    let mut s = String::with_capacity(n * 11 + 100);
    s.push_str("<!DOCTYPE html><html><body>");
    for _ in 0..n {
        s.push_str("<div>");
    }
    s.push_str("deep text");
    for _ in 0..n {
        s.push_str("</div>");
    }
    s.push_str("<a href=\"/after.html\">after</a></body></html>");
    s
}

/// Sloppy markup that real government pages are full of: unclosed `p`, `li`, `td`, `option`,
/// `a`, `font`, blocks closed over open inline elements, tables without `tbody`.
fn sloppy_page(repeat: usize) -> String {
    let mut s = String::from("<html><head><title>t</title></head><body><div id=main>");
    for i in 0..repeat {
        s.push_str(&format!(
            "<p>para {i}<ul><li>one<li>two<li><a href=/a{i}.html>a<a href=/b{i}.html>b</ul>\
             <table><tr><td>1<td>2<tr><td>3</table><select><option>x<option>y</select>\
             <div><font color=red><b>bold</b></font></div><dl><dt>t<dd>d</dl><h2>h<h3>h3</h3>\
             <span><div>x</div></span><svg><path d=M0/><path d=M1/></svg>"
        ));
    }
    s.push_str("</div></body></html>");
    s
}

#[test]
fn ordinary_pages_parse_exactly_as_scraper_does() {
    for html in [
        sloppy_page(300),
        nested_divs(200),
        "<p>a\0b<<<>>>&amp;&bogus;</p><script>if (a<b) {}</script><textarea><b></textarea>".into(),
        String::new(),
    ] {
        let ours = document(&html, ParseLimits::default());
        assert_eq!(ours.cut_short, None);
        assert_eq!(ours.html.html(), Html::parse_document(&html).html());
    }
    let frag = "<li><a href=/x>x</a><span>2018-01-02</span><li>y";
    let ours = fragment(frag, ParseLimits::default());
    assert_eq!(ours.cut_short, None);
    assert_eq!(ours.html.html(), Html::parse_fragment(frag).html());
}

#[test]
fn real_pages_parse_as_scraper_does_and_stay_far_below_the_budget() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let entries: Vec<_> = ["realpages", "realpages2018"]
        .iter()
        .filter_map(|d| std::fs::read_dir(shared.join(d)).ok())
        .flat_map(|rd| rd.flatten())
        .collect();
    if entries.is_empty() {
        eprintln!("skipped: {}/realpages* not present", shared.display());
    }
    for entry in entries {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("readable");
        let text = crate::fetch::decode_html(&bytes, None).text;
        let sink = QuietSink::new(Html::new_document());
        let builder = TreeBuilder::new(sink, TreeBuilderOpts::default());
        let unlimited = Budget {
            work: u64::MAX,
            nodes: usize::MAX,
        };
        let gate = Gate::new(builder, DEFAULT_MAX_DEPTH, unlimited);
        let tokenizer = Tokenizer::new(gate, TokenizerOpts::default());
        let input = BufferQueue::default();
        input.push_back(StrTendril::from_slice(&text));
        while let TokenizerResult::Script(_) = tokenizer.feed(&input) {}
        tokenizer.end();
        let sink = &tokenizer.sink.builder.sink;
        let per_byte = sink.work.get() as f64 / text.len().max(1) as f64;
        let bytes_per_node = text.len() as f64 / sink.nodes.get().max(1) as f64;
        assert!(
            per_byte * 10.0 < WORK_PER_BYTE as f64,
            "{}: {per_byte:.1} per byte",
            path.display()
        );
        assert!(
            bytes_per_node > 1.5 * BYTES_PER_NODE as f64,
            "{}: a node per {bytes_per_node:.1} bytes",
            path.display()
        );
        let ours = document(&text, ParseLimits::default());
        assert_eq!(ours.cut_short, None, "{}", path.display());
        assert_eq!(
            ours.html.html(),
            Html::parse_document(&text).html(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn deep_nesting_is_cut_at_the_limit_in_linear_time() {
    let html = nested_divs(200_000);
    let start = Instant::now();
    let parsed = document(&html, ParseLimits::default());
    let took = start.elapsed();
    // Unbounded, html5ever takes ~110 s of CPU on this page (quadratic: 100 times the time of
    // a tenth of it). Linear is ~10 times; the bound is a ratio, so a busy machine does not
    // break it.
    let small = nested_divs(20_000);
    let tenth = (0..3)
        .map(|_| {
            let t = Instant::now();
            let _ = document(&small, ParseLimits::default());
            t.elapsed()
        })
        .min()
        .unwrap_or_default();
    assert!(
        took < tenth * 30 + Duration::from_millis(200),
        "200,000 levels {took:?}, 20,000 levels {tenth:?}"
    );
    assert_eq!(
        parsed.cut_short,
        Some(CutShort::Nesting {
            limit: DEFAULT_MAX_DEPTH
        })
    );
    assert!(tree_depth(&parsed.html) <= DEFAULT_MAX_DEPTH);
    // What lies beyond the limit is still read, and so is the page after it.
    let text: String = parsed.html.root_element().text().collect();
    assert!(text.contains("deep text"), "{text:?}");
    let sel = scraper::Selector::parse("a[href]").expect("selector");
    assert_eq!(parsed.html.select(&sel).count(), 1);
}

#[test]
fn the_limit_is_a_setting() {
    let parsed = document(&nested_divs(50), limits(20));
    assert_eq!(parsed.cut_short, Some(CutShort::Nesting { limit: 20 }));
    assert!(
        tree_depth(&parsed.html) <= 20,
        "{}",
        tree_depth(&parsed.html)
    );
    assert_eq!(document(&nested_divs(50), limits(100)).cut_short, None);
}

#[test]
fn reopened_formatting_elements_cannot_build_a_deep_tree() {
    // `</span>` closes the `<b>`, which the tree builder reopens (a clone) for the next text:
    // each round nests one level deeper in the real tree, while every tag is closed.
    let mut html = String::from("<body>");
    for i in 0..20_000 {
        html.push_str(&format!("<span><b id={i}></span>x"));
    }
    let start = Instant::now();
    let parsed = document(&html, ParseLimits::default());
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert!(parsed.cut_short.is_some());
    assert!(tree_depth(&parsed.html) <= DEFAULT_MAX_DEPTH);
}

#[test]
fn quadratic_tree_builder_work_stops_the_parse() {
    // As above, plus a `<div>` each round, whose start tag makes the builder search the whole
    // (ever deeper) stack for a `p` to close: quadratic unless the work is metered.
    let mut html = String::from("<body>");
    for i in 0..20_000 {
        html.push_str(&format!("<span><b id={i}></span>x<div></div>"));
    }
    let start = Instant::now();
    let parsed = document(&html, ParseLimits::default());
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "{took:?}");
    match parsed.cut_short {
        Some(CutShort::Work {
            read_bytes,
            total_bytes,
        }) => {
            assert!(read_bytes < total_bytes, "{read_bytes} of {total_bytes}");
            assert_eq!(total_bytes, html.len());
        }
        other => panic!("expected the work budget to stop the parse, got {other:?}"),
    }
    assert!(tree_depth(&parsed.html) <= DEFAULT_MAX_DEPTH);
}

#[test]
fn a_page_of_elements_only_stops_at_the_node_budget() {
    let html = "<a>".repeat(200_000);
    let parsed = document(&html, ParseLimits::default());
    assert!(
        matches!(parsed.cut_short, Some(CutShort::Work { .. })),
        "{:?}",
        parsed.cut_short
    );
    let nodes = parsed.html.tree.nodes().count();
    assert!(
        nodes <= NODE_FLOOR + html.len() / BYTES_PER_NODE + 10,
        "{nodes}"
    );
}

#[test]
fn nul_bytes_and_errors_are_not_recorded() {
    let html = "\0".repeat(100_000) + "<<<<" + &"&#0;".repeat(1000);
    let parsed = document(&html, ParseLimits::default());
    assert_eq!(parsed.cut_short, None);
    let recorded = parsed.html.errors.len();
    assert_eq!(recorded, 0, "parse errors must not be stored");
}

#[test]
fn flatten_keeps_document_order() {
    let mut html = Html::parse_fragment("<div><p>1<b>2<i>3</i>4</b>5</p><p>6</p></div>7");
    // fragment: root > html > div > p > b > i: depth of `i` is 5.
    assert!(flatten(&mut html, 3));
    assert!(tree_depth(&html) <= 3);
    let text: String = html.root_element().text().collect();
    assert_eq!(text, "1234567");
    assert!(!flatten(&mut html, 3));
}
