//! Retention: `govaudit archive prune --older-than 2y` removes the captures started before a
//! cutoff, their index rows and their files.
//!
//! A capture whose file holds a payload that a kept capture's `revisit` record refers to is
//! kept whole, so no kept record ever points at a missing body. The index rows go in one transaction before any file is removed: a kill
//! between the two leaves files no row names (removed by the next prune), never the reverse.

use chrono::{DateTime, Utc};

use super::{Archive, ArchiveError};

/// What a prune removed (or, dry, would remove).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Captures removed (index rows and file).
    pub captures: usize,
    /// WARC files deleted (one per capture).
    pub files: usize,
    /// Size of those files, in bytes, as recorded at capture time.
    pub bytes: u64,
    /// Old captures kept because a newer capture's revisit records need their payloads.
    pub kept_for_revisits: usize,
}

impl Archive {
    /// Remove the captures started before `cutoff` (see the module doc); `dry_run` only counts.
    ///
    /// # Errors
    ///
    /// A database error, or a file that cannot be removed (naming it; the index no longer
    /// names it, so a rerun removes it).
    pub async fn prune(
        &self,
        cutoff: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<Pruned, ArchiveError> {
        let old = self.captures_before(cutoff).await?;
        let mut out = Pruned::default();
        // A capture is kept while any capture not being removed refers to its file's payloads;
        // keeping one may keep others its own revisits refer to, so repeat until nothing moves.
        let mut doomed = old;
        loop {
            let ids: Vec<i64> = doomed.iter().map(|d| d.0).collect();
            let mut keep = Vec::new();
            for (i, (_, file, _)) in doomed.iter().enumerate() {
                if self.payload_users_outside(file, &ids).await? > 0 {
                    keep.push(i);
                }
            }
            if keep.is_empty() {
                break;
            }
            for i in keep.into_iter().rev() {
                doomed.remove(i);
                out.kept_for_revisits += 1;
            }
        }
        for (_, _, bytes) in &doomed {
            out.captures += 1;
            out.files += 1;
            out.bytes += u64::try_from(*bytes).unwrap_or(0);
        }
        let doomed: Vec<(i64, String)> = doomed.into_iter().map(|(id, f, _)| (id, f)).collect();
        if dry_run || doomed.is_empty() {
            return Ok(out);
        }
        self.delete_captures(&doomed).await?;
        for (_, file) in &doomed {
            let path = self.dir.join(file);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(ArchiveError::Io { path, source }),
            }
        }
        Ok(out)
    }
}

/// Parse a retention age: `2y`, `18m` (months), `90d`.
///
/// # Errors
///
/// A message naming the value when it is not a number followed by `y`, `m` or `d`.
pub fn parse_age(text: &str) -> Result<chrono::Duration, String> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| {
        format!("invalid age {text:?}: expected a number and y, m or d (2y, 18m, 90d)")
    })?;
    let days = match unit {
        "y" => n.checked_mul(365),
        "m" => n.checked_mul(30),
        "d" => Some(n),
        _ => None,
    };
    days.filter(|d| *d > 0)
        .map(chrono::Duration::days)
        .ok_or_else(|| {
            format!("invalid age {text:?}: expected a positive number and y, m or d (2y, 18m, 90d)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(parse_age("2y"), Ok(chrono::Duration::days(730)));
        assert_eq!(parse_age("90d"), Ok(chrono::Duration::days(90)));
        assert!(parse_age("2w").is_err());
        assert!(parse_age("0d").is_err());
        assert!(parse_age("y").is_err());
    }
}
