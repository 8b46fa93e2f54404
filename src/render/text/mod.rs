//! Plain text for a person at a terminal, in Chinese official terms: a check (`check.rs`). Every
//! value taken from pages goes through [`crate::escape::terminal`].

mod check;

pub use check::check_text;
