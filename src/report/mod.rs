//! Stage 6 — report: one audit rendered for people (text, Markdown; Chinese official terms) and
//! for machines (one JSON object).

mod json;
mod markdown;
mod text;

pub use json::{check_json, CheckJson};
pub use markdown::check_markdown;
pub use text::check_text;

use crate::observation::{Ident, LinkState};

/// Output formats of `govaudit check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

/// A footer identifier for people: the value, or why it is not there.
pub(crate) fn ident_text(i: &Ident) -> String {
    match i {
        Ident::Found(v) => v.clone(),
        Ident::Malformed(v) => format!("格式不规范（{v}）"),
        Ident::Missing => "缺失".to_string(),
    }
}

/// Chinese name of a link state.
pub(crate) fn link_state_label(s: LinkState) -> &'static str {
    match s {
        LinkState::Broken => "不可用链接",
        LinkState::Suspected => "疑似不可用链接",
        LinkState::Blocked => "未访问（指向内网地址）",
    }
}
