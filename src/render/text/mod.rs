//! Plain text for a person at a terminal, in Chinese official terms: a check (`check.rs`), the
//! links of given pages (`links.rs`), a quarter's statistics and a round diff (`stats.rs`), and
//! uptime (`uptime.rs`). Every value taken from pages or registries goes through
//! [`crate::escape::terminal`].

mod check;
mod links;
mod stats;
mod uptime;

pub use check::check_text;
pub use links::links_text;
pub use stats::{quarter_stats_text, round_diff_text};
pub use uptime::uptime_text;
