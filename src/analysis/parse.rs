//! The one way fetched HTML becomes a tree: html5ever through scraper's tree sink, with time
//! and memory bounded whatever the bytes are.
//!
//! Pages come from servers nobody here controls, so parsing must stay linear in the body size
//! (cut at `fetch.max_body_bytes`). Plain `scraper::Html::parse_document` is not:
//!
//! - **Memory.** scraper records every parse error (a `Cow<str>` per error, two per NUL byte),
//!   so 5 MiB of NUL bytes took ~620 MB. Here parse-error tokens are dropped before the tree
//!   builder sees them and the sink (`QuietSink`) ignores the tree builder's own errors: the
//!   errors are never stored, whatever feature of scraper is on.
//! - **Nesting.** html5ever's tree builder searches its stack of open elements on most tags,
//!   so 200,000 nested `<div>`s took ~110 s (quadratic). `Gate` sits between the tokenizer
//!   and the tree builder and keeps an estimate of that stack (the HTML rules that close
//!   elements implicitly, simplified): a start tag that would open an element deeper than
//!   [`ParseLimits::max_depth`] is dropped, with its end tag; its text and void elements (`img`,
//!   `br`) are still read, as content of the element at the limit.
//! - **Work.** The estimate is not the tree builder (it does not replay the adoption agency or
//!   the reconstruction of formatting elements), so the builder's real work is metered too:
//!   every element name it reads and every node comparison it makes go through the sink, which
//!   counts them; and before each formatting start tag (`b`, `font` …), whose handling walks
//!   the list of active formatting elements without asking the sink, the size of the builder's
//!   lists is counted too ([`TreeBuilder::trace_handles`]). When the count passes a budget
//!   linear in the page size ([`WORK_PER_BYTE`] per byte plus [`WORK_FLOOR`]), the rest of the
//!   page is not read. So it is not when the tree would hold more than one node per
//!   [`BYTES_PER_NODE`] bytes (plus [`NODE_FLOOR`]): 5 MiB of `<a>` would otherwise build 1.7
//!   million elements (~360 MB).
//! - **Depth of the tree.** Finally the tree itself is made no deeper than `max_depth`
//!   (`flatten`): nodes below that depth are moved, in document order, to be siblings at it,
//!   so analysis passes (selectors, text collection) stay linear too.
//!
//! A page read with any of these cuts is reported as cut short ([`CutShort`]): the audit turns
//! that into a 提示 finding, since what was not read was not judged.

use std::borrow::Cow;
use std::cell::{Cell, Ref};
use std::collections::HashMap;

use ego_tree::NodeId;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{
    create_element, ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{ns, Attribute, LocalName, QualName, TokenizerResult};
use scraper::{Html, HtmlTreeSink};
use serde::{Deserialize, Serialize};

/// The default of [`ParseLimits::max_depth`] (`crawl.max_nesting_depth`): real pages nest a
/// few dozen levels; 512 leaves room for any of them.
pub const DEFAULT_MAX_DEPTH: usize = 512;

/// Tree-builder work (element names read, nodes compared) allowed per byte of the page. Real
/// government pages need 0.02–0.4 (the unit test
/// `real_pages_parse_as_scraper_does_and_stay_far_below_the_budget` measures them).
pub const WORK_PER_BYTE: u64 = 8;

/// Work allowed to any page, however small.
pub const WORK_FLOOR: u64 = 1_000_000;

/// Nodes (elements, comments) built per byte of the page, at most: one per 16 bytes. A node
/// costs ~200-300 bytes with the analysis, so a page stays under ~25 × its body; the real
/// pages measured need one per 30 bytes or more (dense statistics tables included).
pub const BYTES_PER_NODE: usize = 16;

/// Nodes allowed to any page, however small.
pub const NODE_FLOOR: usize = 10_000;

/// How far up the estimated stack a tag looks for the element it closes. Further than this
/// it is taken as not open (the estimate then errs on the deep side).
const WALK_CAP: usize = 128;

/// Limits on reading one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Elements nested deeper than this are not opened; their content is read at this depth.
    pub max_depth: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// Why a page was not read exactly as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CutShort {
    /// Elements nested deeper than `limit` were read as siblings at that depth.
    Nesting {
        /// The depth limit (`crawl.max_nesting_depth`).
        limit: usize,
    },
    /// The parser's work passed its budget after `read_bytes` of `total_bytes` bytes; the
    /// rest of the page was not read.
    Work {
        /// Bytes of the page read before the budget ran out.
        read_bytes: usize,
        /// Bytes of the whole page.
        total_bytes: usize,
    },
}

impl std::fmt::Display for CutShort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CutShort::Nesting { limit } => {
                write!(f, "页面元素嵌套超过{limit}层，更深的部分按第{limit}层读取")
            }
            CutShort::Work {
                read_bytes,
                total_bytes,
            } => write!(
                f,
                "页面结构异常复杂，只读取了前{read_bytes}字节（共{total_bytes}字节）"
            ),
        }
    }
}

/// A parsed page and whether it was cut short.
#[derive(Debug)]
pub struct Parsed {
    /// The parsed document (possibly only part of the page, see `cut_short`).
    pub html: Html,
    /// Why the page was not read exactly as written, if it was not.
    pub cut_short: Option<CutShort>,
}

/// Parse a whole document.
pub fn document(text: &str, limits: ParseLimits) -> Parsed {
    let sink = QuietSink::new(Html::new_document());
    let builder = TreeBuilder::new(sink, TreeBuilderOpts::default());
    run(builder, TokenizerOpts::default(), text, limits)
}

/// Parse a fragment in a `<body>` context (what `scraper::Html::parse_fragment` does).
pub fn fragment(text: &str, limits: ParseLimits) -> Parsed {
    let sink = QuietSink::new(Html::new_fragment());
    let context = create_element(
        &sink,
        QualName::new(None, ns!(html), LocalName::from("body")),
        Vec::new(),
    );
    let builder = TreeBuilder::new_for_fragment(sink, context, None, TreeBuilderOpts::default());
    let opts = TokenizerOpts {
        initial_state: Some(builder.tokenizer_state_for_context_elem(false)),
        ..TokenizerOpts::default()
    };
    run(builder, opts, text, limits)
}

fn run(
    builder: TreeBuilder<NodeId, QuietSink>,
    opts: TokenizerOpts,
    text: &str,
    limits: ParseLimits,
) -> Parsed {
    let budget = Budget {
        work: WORK_FLOOR.saturating_add(WORK_PER_BYTE.saturating_mul(text.len() as u64)),
        nodes: NODE_FLOOR.saturating_add(text.len() / BYTES_PER_NODE),
    };
    let gate = Gate::new(builder, limits.max_depth.max(1), budget);
    let tokenizer = Tokenizer::new(gate, opts);
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(text));
    while let TokenizerResult::Script(_) = tokenizer.feed(&input) {}
    tokenizer.end();
    let gate = tokenizer.sink;
    let mut cut_short = match gate.stopped_at.get() {
        Some(read) => Some(CutShort::Work {
            read_bytes: read.min(text.len()),
            total_bytes: text.len(),
        }),
        None => gate.dropped_any.get().then_some(CutShort::Nesting {
            limit: gate.max_depth,
        }),
    };
    let mut html = gate.builder.sink.inner.finish();
    if flatten(&mut html, gate.max_depth) && cut_short.is_none() {
        cut_short = Some(CutShort::Nesting {
            limit: gate.max_depth,
        });
    }
    if let Some(cut) = &cut_short {
        tracing::debug!(%cut, "page cut short while parsing");
    }
    Parsed { html, cut_short }
}

/// scraper's sink without error recording, counting the tree builder's work.
struct QuietSink {
    inner: HtmlTreeSink,
    work: Cell<u64>,
    nodes: Cell<usize>,
}

impl QuietSink {
    fn new(html: Html) -> QuietSink {
        QuietSink {
            inner: HtmlTreeSink::new(html),
            work: Cell::new(0),
            nodes: Cell::new(0),
        }
    }

    fn tick(&self) {
        self.work.set(self.work.get().saturating_add(1));
    }
}

impl TreeSink for QuietSink {
    type Handle = NodeId;
    type Output = Html;
    type ElemName<'a>
        = Ref<'a, QualName>
    where
        Self: 'a;

    fn finish(self) -> Html {
        self.inner.finish()
    }
    fn parse_error(&self, _msg: Cow<'static, str>) {}
    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Ref<'a, QualName> {
        self.tick();
        self.inner.elem_name(target)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.nodes.set(self.nodes.get().saturating_add(1));
        self.inner.create_element(name, attrs, flags)
    }
    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.nodes.set(self.nodes.get().saturating_add(1));
        self.inner.create_comment(text)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }
    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.inner.append(parent, child)
    }
    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        self.inner
            .append_based_on_parent_node(element, prev_element, child)
    }
    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id)
    }
    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }
    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.tick();
        x == y
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }
    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.inner.append_before_sibling(sibling, new_node)
    }
    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }
    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }
    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent)
    }
}

/// Element classes the estimate needs, computed once when an element is opened.
#[derive(Debug, Clone, Copy, Default)]
struct Class {
    /// "Special" in the HTML parsing algorithm: stops the search of a generic end tag.
    special: bool,
    /// Bounds the default scope (`applet`, `table`, `td` …).
    scope: bool,
    /// Bounds the table scope (`html`, `table`, `template`).
    table_scope: bool,
}

fn class_of(name: &str) -> Class {
    let scope = matches!(
        name,
        "applet"
            | "caption"
            | "html"
            | "table"
            | "td"
            | "th"
            | "marquee"
            | "object"
            | "template"
            | "foreignobject"
            | "mi"
            | "mo"
            | "mn"
            | "ms"
            | "mtext"
            | "annotation-xml"
            | "desc"
    );
    let special = scope
        || matches!(
            name,
            "address"
                | "area"
                | "article"
                | "aside"
                | "base"
                | "basefont"
                | "bgsound"
                | "blockquote"
                | "body"
                | "br"
                | "button"
                | "center"
                | "col"
                | "colgroup"
                | "dd"
                | "details"
                | "dir"
                | "div"
                | "dl"
                | "dt"
                | "embed"
                | "fieldset"
                | "figcaption"
                | "figure"
                | "footer"
                | "form"
                | "frame"
                | "frameset"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "head"
                | "header"
                | "hgroup"
                | "hr"
                | "iframe"
                | "img"
                | "input"
                | "li"
                | "link"
                | "listing"
                | "main"
                | "menu"
                | "meta"
                | "nav"
                | "noembed"
                | "noframes"
                | "noscript"
                | "ol"
                | "p"
                | "param"
                | "plaintext"
                | "pre"
                | "script"
                | "search"
                | "section"
                | "select"
                | "source"
                | "style"
                | "summary"
                | "tbody"
                | "textarea"
                | "tfoot"
                | "thead"
                | "title"
                | "tr"
                | "track"
                | "ul"
                | "wbr"
                | "xmp"
        );
    Class {
        special,
        scope,
        table_scope: matches!(name, "html" | "table" | "template"),
    }
}

/// Elements that are never opened (no end tag), or whose content the tokenizer reads as text
/// up to their own end tag: they never nest, and dropping a raw-text start tag would make the
/// tokenizer read its content as markup.
fn never_nests(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "basefont"
            | "bgsound"
            | "frame"
            | "image"
            | "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
            | "plaintext"
    )
}

/// Start tags that close an open `p` (in button scope).
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "form"
            | "li"
            | "dd"
            | "dt"
    )
}

/// Formatting elements: their start tags make the builder walk its list of active formatting
/// elements.
fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// Counts the handles the tree builder holds (open elements, active formatting elements).
struct HandleCount(Cell<u64>);

impl html5ever::tree_builder::Tracer for HandleCount {
    type Handle = NodeId;
    fn trace_handle(&self, _node: &NodeId) {
        self.0.set(self.0.get() + 1);
    }
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// What the tree builder may spend on one page.
#[derive(Debug, Clone, Copy)]
struct Budget {
    work: u64,
    nodes: usize,
}

/// An open element of the estimate.
struct Open {
    name: LocalName,
    class: Class,
}

/// Between the tokenizer and the tree builder: drops parse-error tokens, keeps the nesting
/// under the limit and stops reading when the builder's work passes the budget.
struct Gate {
    builder: TreeBuilder<NodeId, QuietSink>,
    max_depth: usize,
    budget: Budget,
    /// The estimated stack of open elements.
    stack: std::cell::RefCell<Vec<Open>>,
    /// Open `svg`/`math` elements on the estimate (self-closing tags do not open there).
    foreign: Cell<usize>,
    /// Start tags dropped per name; their end tags are dropped too.
    dropped: std::cell::RefCell<HashMap<LocalName, usize>>,
    dropped_any: Cell<bool>,
    /// Roughly how many bytes had been read when the budget ran out.
    stopped_at: Cell<Option<usize>>,
    /// Bytes of tokens seen so far (text, comments, tag names: an estimate used only to
    /// report how much of the page was read).
    seen_bytes: Cell<usize>,
}

impl Gate {
    fn new(builder: TreeBuilder<NodeId, QuietSink>, max_depth: usize, budget: Budget) -> Gate {
        Gate {
            builder,
            max_depth,
            budget,
            stack: Default::default(),
            foreign: Cell::new(0),
            dropped: Default::default(),
            dropped_any: Cell::new(false),
            stopped_at: Cell::new(None),
            seen_bytes: Cell::new(0),
        }
    }

    /// Index of the nearest open element matching `hit`, searching down from the top until an
    /// element for which `stop` holds (or [`WALK_CAP`] elements).
    fn find(
        stack: &[Open],
        hit: impl Fn(&Open) -> bool,
        stop: impl Fn(&Open) -> bool,
    ) -> Option<usize> {
        for (i, open) in stack.iter().enumerate().rev().take(WALK_CAP) {
            if hit(open) {
                return Some(i);
            }
            if stop(open) {
                return None;
            }
        }
        None
    }

    /// Whether to pass a start tag to the builder, updating the estimate.
    fn start_tag(&self, tag: &Tag) -> bool {
        let name: &str = &tag.name;
        if never_nests(name) || (tag.self_closing && self.foreign.get() > 0) {
            return true;
        }
        let mut stack = self.stack.borrow_mut();
        if matches!(name, "html" | "head" | "body" | "frameset")
            && stack.iter().any(|o| o.name == tag.name)
        {
            return true;
        }
        // Elements this tag closes implicitly: the estimate's length after closing them.
        let same = |o: &Open| o.name == tag.name;
        let mut keep = stack.len();
        if closes_p(name) {
            let button_scope = |o: &Open| o.class.scope || &*o.name == "button";
            if let Some(i) = Gate::find(&stack, |o| &*o.name == "p", button_scope) {
                keep = i;
            }
        }
        let closed = match name {
            "li" => Gate::find(&stack[..keep], same, |o| {
                o.class.special && !matches!(&*o.name, "address" | "div" | "p")
            }),
            "dd" | "dt" => Gate::find(
                &stack[..keep],
                |o| matches!(&*o.name, "dd" | "dt"),
                |o| o.class.special && !matches!(&*o.name, "address" | "div" | "p"),
            ),
            "a" | "nobr" | "button" => Gate::find(&stack[..keep], same, |o| o.class.scope),
            "td" | "th" => Gate::find(
                &stack[..keep],
                |o| matches!(&*o.name, "td" | "th"),
                |o| o.class.table_scope || matches!(&*o.name, "tr" | "tbody" | "thead" | "tfoot"),
            ),
            "tr" => Gate::find(&stack[..keep], same, |o| {
                o.class.table_scope || matches!(&*o.name, "tbody" | "thead" | "tfoot")
            }),
            "tbody" | "thead" | "tfoot" => Gate::find(
                &stack[..keep],
                |o| matches!(&*o.name, "tbody" | "thead" | "tfoot"),
                |o| o.class.table_scope,
            ),
            "option" | "optgroup" => stack[..keep]
                .last()
                .filter(|o| &*o.name == "option" || (name == "optgroup" && same(o)))
                .map(|_| keep - 1),
            _ if is_heading(name) => stack[..keep]
                .last()
                .filter(|o| is_heading(&o.name))
                .map(|_| keep - 1),
            _ => None,
        };
        let keep = closed.unwrap_or(keep);
        if keep >= self.max_depth {
            *self
                .dropped
                .borrow_mut()
                .entry(tag.name.clone())
                .or_default() += 1;
            self.dropped_any.set(true);
            return false;
        }
        self.truncate(&mut stack, keep);
        if matches!(name, "svg" | "math") {
            self.foreign.set(self.foreign.get() + 1);
        }
        stack.push(Open {
            name: tag.name.clone(),
            class: class_of(name),
        });
        true
    }

    /// Whether to pass an end tag to the builder, updating the estimate.
    fn end_tag(&self, tag: &Tag) -> bool {
        {
            let mut dropped = self.dropped.borrow_mut();
            if let Some(n) = dropped.get_mut(&tag.name).filter(|n| **n > 0) {
                *n -= 1;
                return false;
            }
        }
        let name: &str = &tag.name;
        if never_nests(name) || matches!(name, "html" | "body") {
            return true;
        }
        let mut stack = self.stack.borrow_mut();
        let same = |o: &Open| o.name == tag.name;
        let found = match name {
            "p" => Gate::find(&stack, same, |o| o.class.scope || &*o.name == "button"),
            "li" => Gate::find(&stack, same, |o| {
                o.class.scope || matches!(&*o.name, "ol" | "ul")
            }),
            "table" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th" | "caption" | "colgroup" => {
                Gate::find(&stack, same, |o| o.class.table_scope)
            }
            _ if is_heading(name) => Gate::find(&stack, |o| is_heading(&o.name), |o| o.class.scope),
            _ if class_of(name).special => Gate::find(&stack, same, |o| o.class.scope),
            _ => Gate::find(&stack, same, |o| o.class.special),
        };
        if let Some(i) = found {
            self.truncate(&mut stack, i);
        }
        true
    }

    fn truncate(&self, stack: &mut Vec<Open>, len: usize) {
        for open in stack.drain(len.min(stack.len())..) {
            if matches!(&*open.name, "svg" | "math") {
                self.foreign.set(self.foreign.get().saturating_sub(1));
            }
        }
    }
}

impl TokenSink for Gate {
    type Handle = NodeId;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<NodeId> {
        let size = match &token {
            Token::CharacterTokens(t) | Token::CommentToken(t) => t.len(),
            Token::TagToken(tag) => tag.name.len() + 2,
            _ => 1,
        };
        self.seen_bytes
            .set(self.seen_bytes.get().saturating_add(size));
        if self.stopped_at.get().is_some() && !matches!(token, Token::EOFToken) {
            return TokenSinkResult::Continue;
        }
        let pass = match &token {
            Token::ParseError(_) => false,
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => self.start_tag(tag),
                TagKind::EndTag => self.end_tag(tag),
            },
            _ => true,
        };
        if !pass {
            return TokenSinkResult::Continue;
        }
        if let Token::TagToken(
            tag @ Tag {
                kind: TagKind::StartTag,
                ..
            },
        ) = &token
        {
            if is_formatting(&tag.name) {
                let held = HandleCount(Cell::new(0));
                self.builder.trace_handles(&held);
                let work = &self.builder.sink.work;
                work.set(work.get().saturating_add(held.0.get()));
            }
        }
        let result = self.builder.process_token(token, line_number);
        let sink = &self.builder.sink;
        let over = sink.work.get() > self.budget.work || sink.nodes.get() > self.budget.nodes;
        if over && self.stopped_at.get().is_none() {
            let read = self.seen_bytes.get();
            tracing::debug!(
                read,
                "parser work over budget, not reading the rest of the page"
            );
            self.stopped_at.set(Some(read));
            // Whatever the builder asked of the tokenizer (raw text, plaintext) no longer
            // matters: every further token is dropped.
            return TokenSinkResult::Continue;
        }
        result
    }

    fn end(&self) {
        self.builder.end()
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Make the tree no deeper than `max_depth` below the root: every node deeper than that is
/// moved, in document order, to follow its ancestor's child at `max_depth`. Linear in the
/// size of the tree. Returns whether anything moved.
pub(crate) fn flatten(html: &mut Html, max_depth: usize) -> bool {
    let mut moves: Vec<(NodeId, NodeId)> = Vec::new();
    let mut depth = 0usize;
    // The last node at depth `max_depth` (or moved after it): where the next deep node goes.
    let mut after: Option<NodeId> = None;
    for edge in html.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => {
                depth += 1;
                if depth == max_depth + 1 {
                    after = Some(node.id());
                } else if depth > max_depth + 1 {
                    if let Some(prev) = after {
                        moves.push((node.id(), prev));
                        after = Some(node.id());
                    }
                }
            }
            ego_tree::iter::Edge::Close(_) => depth -= 1,
        }
    }
    for (node, prev) in &moves {
        if let Some(mut prev) = html.tree.get_mut(*prev) {
            prev.insert_id_after(*node);
        }
    }
    !moves.is_empty()
}

/// The depth of the deepest node below the root (the root's children are at depth 1).
#[cfg(test)]
fn tree_depth(html: &Html) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for edge in html.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(_) => {
                depth += 1;
                max = max.max(depth);
            }
            ego_tree::iter::Edge::Close(_) => depth -= 1,
        }
    }
    max.saturating_sub(1)
}

#[cfg(test)]
mod tests;
