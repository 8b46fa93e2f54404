//! The one placeholder filler, for rule messages (`rules/`) and the wording of notices and
//! self-check reports (`templates/`): text with `{name}` placeholders, checked when it is
//! loaded ([`check`]: every placeholder must be one the text is filled with, every `{` closed)
//! and filled in one pass ([`fill`]: values are not themselves searched for placeholders).
//!
//! Why not a template engine such as minijinja: the `{name}` syntax is what rule files and
//! template folders (`--rules DIR`, `--templates DIR`) are written in, and these texts only
//! name values — no loops, conditions or filters. minijinja writes placeholders `{{ name }}`
//! (its custom syntax cannot make `{` alone a delimiter beside its `{%` and `{#`), so every
//! file would change for a feature nobody uses; and what this module exists for — refusing a
//! misspelt placeholder when the file is loaded, naming the ones allowed — would still be ours
//! to write on top of it.

/// Why a template text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// A `{` without its `}`.
    #[error("unclosed `{{` in `{text}`")]
    Unclosed {
        /// The whole text.
        text: String,
    },
    /// A placeholder the text is not filled with.
    #[error("unknown placeholder `{{{name}}}`; {}", allowed_text(allowed))]
    Unknown {
        /// The placeholder, without its braces.
        name: String,
        /// The placeholders the text is filled with.
        allowed: Vec<String>,
    },
}

fn allowed_text(allowed: &[String]) -> String {
    if allowed.is_empty() {
        return "this text takes no placeholder".to_string();
    }
    let names: Vec<String> = allowed.iter().map(|a| format!("{{{a}}}")).collect();
    format!("this text is filled with: {}", names.join(" "))
}

/// Checks that every `{name}` in `text` is one of `allowed` and every `{` is closed.
///
/// # Errors
///
/// The first unclosed `{` or unknown placeholder.
pub fn check(text: &str, allowed: &[&str]) -> Result<(), TemplateError> {
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            return Err(TemplateError::Unclosed {
                text: text.to_string(),
            });
        };
        let name = &after[..end];
        if !allowed.contains(&name) {
            return Err(TemplateError::Unknown {
                name: name.to_string(),
                allowed: allowed.iter().map(|a| a.to_string()).collect(),
            });
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// `text` with each `{key}` of `vars` replaced by its value, in one pass: a value is not
/// searched for placeholders. A text passed by [`check`] has no other placeholder; any other
/// `{…}` is left as written.
pub fn fill(text: &str, vars: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let key = after.find('}').map(|c| &after[..c]);
        match key.and_then(|k| vars.iter().find(|(name, _)| *name == k)) {
            Some((k, v)) => {
                out.push_str(v);
                rest = &after[k.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_refuses_unknown_and_unclosed_placeholders() {
        assert!(check("{count}个（{threshold}）", &["count", "threshold"]).is_ok());
        let unknown = check("{cnt}个", &["count"]).expect_err("unknown");
        assert_eq!(
            unknown.to_string(),
            "unknown placeholder `{cnt}`; this text is filled with: {count}"
        );
        assert!(matches!(
            check("{count个", &["count"]),
            Err(TemplateError::Unclosed { .. })
        ));
        let none = check("标题{x}", &[]).expect_err("no placeholder allowed");
        assert!(none.to_string().contains("takes no placeholder"), "{none}");
        assert!(check("没有占位符", &[]).is_ok());
    }

    #[test]
    fn fill_replaces_known_keys_once_and_values_are_not_searched() {
        let v = [
            ("name", "{count}<a>".to_string()),
            ("count", "5".to_string()),
        ];
        assert_eq!(fill("“{name}”网{count}个{x}", &v), "“{count}<a>”网5个{x}");
        assert_eq!(fill("{count}个，{count}", &v), "5个，5");
        assert_eq!(fill("{", &v), "{");
        assert_eq!(fill("a{name", &v), "a{name");
    }
}
