//! 严重错误 candidates (rules.md §2.1: 「将党和国家领导人姓名写错」): a state leader's name written
//! wrong, screened in the text of the pages an audit reads. A tool cannot know a misprint for
//! sure; every hit is a candidate for a person to confirm (`govaudit confirm`).
//!
//! The lexicon is the rule's parameter (`rules/<profile>/content.serious_error.toml`): each
//! leader's name, the titles written with it, the period in office and known misprints. A
//! leader is screened when the as-of date is on or after the start of the period (a 2018 audit
//! does not screen for a name that took office in 2023; former leaders stay). Two ways a
//! page hits:
//!
//! * a known misprint of a name anywhere;
//! * for names of three characters or more: the name with exactly one character replaced by
//!   another Han character, with one of the leader's titles within `context_chars` characters
//!   after it (习进平总书记, 李克勤总理) — and the window is not another leader's name;
//! * with `homophones` on, the name with one character replaced by one that sounds the same
//!   (同音字: a reading in common, tones ignored, from the `pinyin` crate's table): anywhere
//!   for names of three characters or more (学习习近瓶新时代…), and before a title for
//!   two-character names (李墙总理, 韩政副总理). Otherwise a two-character name one character
//!   off is too often a different person, and is screened by its known misprints only.
//!
//! The text screened is the decoded page with tags removed, inline formatting run together as
//! page analysis reads text (no parse: this runs on every page an audit reads); the evidence is
//! the sentence around the hit.

use chrono::NaiveDate;
use serde::Deserialize;

/// A state leader as the lexicon lists them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leader {
    /// The name as correctly written, e.g. 习近平.
    pub name: String,
    /// Titles written with the name (总书记, 总理, 同志 …).
    pub titles: Vec<String>,
    /// Start of the period in office (as a state leader).
    pub from: NaiveDate,
    /// End of it, when over.
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// Known misprints (near-miss characters, homophones).
    #[serde(default)]
    pub misprints: Vec<String>,
}

/// The lexicon of leaders' names (a rule's params).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// The state leaders to look for.
    pub leaders: Vec<Leader>,
    /// How far after a name its title must stand (characters).
    pub context_chars: usize,
    /// Also screen for a character replaced by a homophone (同音字).
    #[serde(default)]
    pub homophones: bool,
}

/// The two characters share a reading, tones ignored (进/近 jin, 政/正 zheng).
fn sound_alike(a: char, b: char) -> bool {
    use pinyin::ToPinyinMulti;
    let (Some(ra), Some(rb)) = (a.to_pinyin_multi(), b.to_pinyin_multi()) else {
        return false;
    };
    ra.into_iter()
        .any(|x| rb.into_iter().any(|y| x.plain() == y.plain()))
}

/// A candidate: what was written, which name it resembles, and the sentence around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameHit {
    /// What the page says, e.g. 习进平.
    pub found: String,
    /// The leader's name it resembles, e.g. 习近平.
    pub expected: String,
    /// The sentence around it, as evidence.
    pub sentence: String,
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// The page's text: tags, scripts and styles removed, entities left as they are.
fn page_text(html: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let bytes = html.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'<' {
            // Skip the element's content for script and style.
            let rest = &lower[i..];
            let skip_to = if rest.starts_with("<script") {
                rest.find("</script").map(|e| i + e)
            } else if rest.starts_with("<style") {
                rest.find("</style").map(|e| i + e)
            } else if rest.starts_with("<!--") {
                rest.find("-->").map(|e| i + e)
            } else {
                None
            };
            let from = skip_to.unwrap_or(i);
            match html[from..].find('>') {
                Some(end) => {
                    // Inline formatting runs on (刁近<b>平</b>), anything else stands apart.
                    let tag: String = lower[from + 1..from + end]
                        .trim_start_matches('/')
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    if skip_to.is_some() || super::dom::boundary(&tag) != super::dom::Boundary::None
                    {
                        out.push(' ');
                    }
                    i = from + end + 1;
                    continue;
                }
                None => break,
            }
        }
        let Some(c) = html[i..].chars().next() else {
            break;
        };
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// The sentence around `at..at + len`: up to 30 characters each side, whitespace collapsed.
fn sentence(text: &[char], at: usize, len: usize) -> String {
    let start = at.saturating_sub(30);
    let end = (at + len + 30).min(text.len());
    let s: String = text[start..end].iter().collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Screen one page for misprinted leaders' names, as of a date.
pub fn screen(html: &str, lexicon: &Lexicon, as_of: NaiveDate) -> Vec<NameHit> {
    let leaders: Vec<&Leader> = lexicon.leaders.iter().filter(|l| l.from <= as_of).collect();
    if leaders.is_empty() {
        return Vec::new();
    }
    let text = page_text(html);
    let names: Vec<Vec<char>> = lexicon
        .leaders
        .iter()
        .map(|l| l.name.chars().collect())
        .collect();
    let mut hits: Vec<NameHit> = Vec::new();
    let mut push = |hit: NameHit| {
        if !hits
            .iter()
            .any(|h| h.found == hit.found && h.sentence == hit.sentence)
        {
            hits.push(hit);
        }
    };
    for leader in &leaders {
        let name: Vec<char> = leader.name.chars().collect();
        // Where a known misprint matched: the same characters are not reported again.
        let mut covered: Vec<(usize, usize)> = Vec::new();
        for m in &leader.misprints {
            let m: Vec<char> = m.chars().collect();
            if m.is_empty() || m.len() > text.len() {
                continue;
            }
            for at in 0..=text.len() - m.len() {
                if text[at..at + m.len()] == m[..] {
                    covered.push((at, at + m.len()));
                    push(NameHit {
                        found: m.iter().collect(),
                        expected: leader.name.clone(),
                        sentence: sentence(&text, at, m.len()),
                    });
                }
            }
        }
        let n = name.len();
        if n < 2 || n > text.len() || (n < 3 && !lexicon.homophones) {
            continue;
        }
        for at in 0..=text.len() - n {
            let window = &text[at..at + n];
            let mut off = None;
            let mut offs = 0;
            for (a, b) in window.iter().zip(&name) {
                if a != b {
                    offs += 1;
                    off = Some((*a, *b));
                    if offs > 1 {
                        break;
                    }
                }
            }
            let Some((written, meant)) = off.filter(|_| offs == 1) else {
                continue;
            };
            if !window.iter().all(|c| is_han(*c))
                || names.iter().any(|o| o[..] == *window)
                || covered.iter().any(|&(s, e)| at < e && s < at + n)
            {
                continue;
            }
            let after: String = text[at + n..(at + n + lexicon.context_chars).min(text.len())]
                .iter()
                .collect();
            let titled = leader
                .titles
                .iter()
                .any(|t| !t.is_empty() && after.contains(t.as_str()));
            let homophone = lexicon.homophones && sound_alike(written, meant);
            let hit = if n >= 3 {
                titled || homophone
            } else {
                titled && homophone
            };
            if hit {
                push(NameHit {
                    found: window.iter().collect(),
                    expected: leader.name.clone(),
                    sentence: sentence(&text, at, n),
                });
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn lexicon() -> Lexicon {
        let leader = |name: &str, titles: &[&str], from: NaiveDate, misprints: &[&str]| Leader {
            name: name.into(),
            titles: titles.iter().map(|t| t.to_string()).collect(),
            from,
            to: None,
            misprints: misprints.iter().map(|t| t.to_string()).collect(),
        };
        Lexicon {
            leaders: vec![
                leader(
                    "习近平",
                    &["总书记", "主席", "同志"],
                    day(2012, 11, 15),
                    &["习近乎"],
                ),
                leader("李克强", &["总理", "同志"], day(2013, 3, 15), &[]),
                leader("李强", &["总理", "同志"], day(2023, 3, 11), &["李墙总理"]),
                leader("韩正", &["副总理", "同志"], day(2017, 10, 25), &[]),
            ],
            context_chars: 4,
            homophones: true,
        }
    }

    fn found(html: &str, as_of: NaiveDate) -> Vec<(String, String)> {
        screen(html, &lexicon(), as_of)
            .into_iter()
            .map(|h| (h.found, h.expected))
            .collect()
    }

    #[test]
    fn one_character_off_before_a_title_is_a_candidate() {
        let as_of = day(2018, 3, 1);
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            found("<p>深入学习贯彻习进平总书记重要讲话精神</p>", as_of),
            vec![pair("习进平", "习近平")]
        );
        assert_eq!(
            found(
                "<li><a href='/1'>李克勤总理主持召开国务院常务会议</a></li>",
                as_of
            ),
            vec![pair("李克勤", "李克强")]
        );
        // Split over tags is still one text.
        assert_eq!(
            found("<p>刁近<b>平</b>同志指出</p>", as_of),
            vec![pair("刁近平", "习近平")]
        );
        // A known misprint needs no title.
        assert_eq!(
            found("<p>习近乎在会上</p>", as_of),
            vec![pair("习近乎", "习近平")]
        );
    }

    #[test]
    fn homophones_are_candidates() {
        let as_of = day(2018, 3, 1);
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        // Three characters, one a homophone (近/进 jìn, 平/瓶 píng): no title needed.
        assert_eq!(
            found("<p>学习习近瓶新时代中国特色社会主义思想</p>", as_of),
            vec![pair("习近瓶", "习近平")]
        );
        assert_eq!(
            found("<p>李可强在会上指出</p>", as_of),
            vec![pair("李可强", "李克强")]
        );
        // Two characters: a homophone before a title (正/政 zhèng).
        assert_eq!(
            found("<p>韩政副总理出席</p>", as_of),
            vec![pair("韩政", "韩正")]
        );
        // One character off but not alike in sound, and no title: not a candidate.
        assert!(found("<p>李克勤是一名演员</p>", as_of).is_empty());
        // Off by the lexicon's switch.
        let mut lex = lexicon();
        lex.homophones = false;
        assert!(screen("<p>习近瓶思想</p>", &lex, as_of).is_empty());
        assert!(screen("<p>韩政副总理</p>", &lex, as_of).is_empty());
    }

    #[test]
    fn what_is_not_a_candidate() {
        let as_of = day(2018, 3, 1);
        for html in [
            "<p>习近平总书记强调</p>",
            // One character off but no title after it: a different person or word.
            "<p>李克勤是一名演员</p>",
            // Two-character names only by known misprints.
            "<p>李刚总理</p>",
            // Scripts and comments are not text.
            "<script>var s='习进平总书记';</script><!-- 习进平总书记 -->",
        ] {
            assert!(found(html, as_of).is_empty(), "{html}");
        }
        // A homophone of a two-character name without a title: a different person.
        assert!(found("<p>韩政是本单位职工</p>", as_of).is_empty());
        // A leader who took office after the as-of date is not screened.
        assert!(found("<p>李墙总理</p>", as_of).is_empty());
        assert_eq!(found("<p>李墙总理</p>", day(2024, 1, 1)).len(), 1);
    }
}
