//! Unit names (单位) as one spelling each. Registry files are typed by hand, often by several
//! people: 银川市(本级) and 银川市（本级）, or a stray full-width space, are one unit, and must
//! not become two rows of the quarterly table. Names that differ only in the width of ASCII
//! characters (full-width brackets, letters, digits) or in whitespace are merged into the
//! spelling seen first — the registry's, then the file's.

use std::collections::HashMap;

/// The comparison key of a unit name: full-width ASCII forms folded to ASCII, whitespace
/// (the ideographic space too) dropped.
pub fn unit_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The spellings in use, by key, and the merges made.
#[derive(Debug, Default)]
pub struct UnitSpellings {
    by_key: HashMap<String, String>,
    /// (as written, merged into), each pair once.
    pub merged: Vec<(String, String)>,
}

impl UnitSpellings {
    /// Start from the registry's spellings (first one wins for each key).
    pub fn new<'a>(known: impl IntoIterator<Item = &'a str>) -> UnitSpellings {
        let mut s = UnitSpellings::default();
        for name in known {
            s.by_key
                .entry(unit_key(name))
                .or_insert_with(|| name.to_string());
        }
        s
    }

    /// The spelling to store for `name`: the one already in use for its key, else `name`.
    pub fn spell(&mut self, name: &str) -> String {
        let kept = self
            .by_key
            .entry(unit_key(name))
            .or_insert_with(|| name.to_string())
            .clone();
        if kept != name && !self.merged.iter().any(|(a, _)| a == name) {
            self.merged.push((name.to_string(), kept.clone()));
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_and_spaces_do_not_make_another_unit() {
        assert_eq!(unit_key("银川市（本级）"), unit_key("银川市(本级)"));
        assert_eq!(unit_key("区直部门 （单位）"), unit_key("区直部门(单位)"));
        assert_eq!(unit_key("兴庆区\u{3000}"), "兴庆区");
        assert_ne!(unit_key("银川市(本级)"), unit_key("银川市"));
        assert_ne!(unit_key("兴庆区"), unit_key("金凤区"));
    }

    #[test]
    fn the_registry_spelling_wins_then_the_first_in_the_file() {
        let mut s = UnitSpellings::new(["银川市(本级)"]);
        assert_eq!(s.spell("银川市（本级）"), "银川市(本级)");
        assert_eq!(s.spell("银川市（本级）"), "银川市(本级)");
        assert_eq!(s.spell("区直部门（单位）"), "区直部门（单位）");
        assert_eq!(s.spell("区直部门(单位)"), "区直部门（单位）");
        assert_eq!(s.spell("兴庆区"), "兴庆区");
        assert_eq!(
            s.merged,
            vec![
                ("银川市（本级）".to_string(), "银川市(本级)".to_string()),
                ("区直部门(单位)".to_string(), "区直部门（单位）".to_string()),
            ]
        );
    }
}
