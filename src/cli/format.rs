//! The CLI's one output format type. Every command's `--format` is a [`Format`], limited to the
//! formats that command writes ([`Format::only`]): `--help` lists those, and clap refuses the
//! others with the list.

use anyhow::{anyhow, Error};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::ValueEnum;

/// An output format.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// JSON (one object).
    Json,
    /// Markdown.
    Md,
    /// HTML (one page, printable).
    Html,
    /// Word document (binary: needs `-o FILE`).
    Docx,
    /// Excel workbook (binary: needs `-o FILE`).
    Xlsx,
    /// CSV (one table).
    Csv,
}

/// Text and JSON: lists and statistics.
pub const TEXT_JSON: &[Format] = &[Format::Text, Format::Json];
/// Text, JSON and Markdown: `check`, `links`, `uptime`.
pub const TEXT_JSON_MD: &[Format] = &[Format::Text, Format::Json, Format::Md];
/// The notice (通报).
pub const NOTICE: &[Format] = &[
    Format::Docx,
    Format::Xlsx,
    Format::Html,
    Format::Md,
    Format::Json,
    Format::Csv,
];
/// The self-check report (自查报告).
pub const SITE_REPORT: &[Format] = &[Format::Html, Format::Md, Format::Docx, Format::Json];

impl Format {
    /// The name on the command line (`text`, `md` …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Md => "md",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    /// A clap value parser accepting only `allowed` (use as
    /// `#[arg(value_parser = Format::only(TEXT_JSON))]`).
    pub fn only(allowed: &'static [Format]) -> impl TypedValueParser<Value = Format> {
        PossibleValuesParser::new(allowed.iter().map(|f| f.name()))
            .try_map(|s| <Format as ValueEnum>::from_str(&s, false))
    }

    /// The error for a format a command does not write (clap refuses it before: a command
    /// that reaches this has a parser wider than its renderers).
    pub fn unsupported(self, command: &str) -> Error {
        anyhow!("{command} does not write --format {}", self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cmd {
        #[arg(long, default_value = "text", value_parser = Format::only(TEXT_JSON))]
        format: Format,
    }

    #[test]
    fn a_command_takes_only_its_formats() {
        let f = |args: &[&str]| Cmd::try_parse_from(args).map(|c| c.format);
        assert_eq!(f(&["x"]).ok(), Some(Format::Text));
        assert_eq!(f(&["x", "--format", "json"]).ok(), Some(Format::Json));
        let refused = f(&["x", "--format", "md"]).expect_err("md refused");
        assert!(refused.to_string().contains("text, json"), "{refused}");
    }

    #[test]
    fn names_are_the_value_enum_names() {
        for f in NOTICE.iter().chain(TEXT_JSON_MD) {
            let parsed = <Format as ValueEnum>::from_str(f.name(), false);
            assert_eq!(parsed, Ok(*f));
        }
    }
}
