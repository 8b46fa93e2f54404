//! The console's tables in SQLite: users and sessions (`users`, `sessions`) — passwords hashed
//! with argon2id, session tokens kept only as their SHA-256 (a copied database hands out no live
//! session), each session with its own CSRF token — and the rounds it runs (`console_jobs`).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::ServeError;
use crate::store::Store;

/// How long a session lasts without logging in again.
pub const SESSION_HOURS: i64 = 12;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Sees and does everything.
    Admin,
    /// Sees only its unit's sites and self-checks only those.
    Unit,
}

impl Role {
    /// Database key and command-line spelling.
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Unit => "unit",
        }
    }

    /// Chinese label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Unit => "单位用户",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = ServeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "admin" => Ok(Role::Admin),
            "unit" => Ok(Role::Unit),
            other => Err(ServeError::BadInput(format!(
                "unknown role {other:?}: expected admin or unit"
            ))),
        }
    }
}

/// A logged-in user with the session's CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user's id (`users.id`).
    pub id: i64,
    /// The login name.
    pub name: String,
    /// Admin or unit user.
    pub role: Role,
    /// The unit of a `unit` user.
    pub unit: Option<String>,
    /// The CSRF token of the current session.
    pub csrf: String,
}

impl User {
    /// Whether the user may see a site of `unit` (admins see every site).
    pub fn may_see(&self, unit: Option<&str>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Unit => unit.is_some() && unit == self.unit.as_deref(),
        }
    }

    /// Whether the user is an admin.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// Random bytes as lower-case hex.
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    hex(&b)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Create a user. Names are 1–64 visible characters; a unit user needs its unit.
///
/// # Errors
/// [`ServeError::BadInput`] for a bad name, a missing unit or a name already taken.
pub async fn add_user(
    store: &Store,
    name: &str,
    password: &str,
    role: Role,
    unit: Option<&str>,
) -> Result<i64, ServeError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(crate::escape::is_hazard) {
        return Err(ServeError::BadInput(
            "a user name is 1 to 64 visible characters".into(),
        ));
    }
    if password.chars().count() < 8 {
        return Err(ServeError::BadInput(
            "the password must have at least 8 characters".into(),
        ));
    }
    let unit = unit.map(str::trim).filter(|u| !u.is_empty());
    match (role, unit) {
        (Role::Unit, None) => {
            return Err(ServeError::BadInput(
                "a unit user needs --unit (the 单位 as the registry names it)".into(),
            ))
        }
        (Role::Admin, Some(_)) => {
            return Err(ServeError::BadInput(
                "an admin sees every unit: leave out --unit".into(),
            ))
        }
        _ => {}
    }
    let salt = SaltString::encode_b64(random_hex(16).as_bytes())
        .map_err(|e| ServeError::Hash(e.to_string()))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| ServeError::Hash(e.to_string()))?
        .to_string();
    let taken: Option<i64> = sqlx::query_scalar("SELECT 1 FROM users WHERE name = ?")
        .bind(name)
        .fetch_optional(store.pool())
        .await?;
    if taken.is_some() {
        return Err(ServeError::BadInput(format!(
            "user {name:?} exists already"
        )));
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO users (name, password_hash, role, unit, created_at) VALUES (?, ?, ?, ?, ?) \
         RETURNING id",
    )
    .bind(name)
    .bind(hash)
    .bind(role.key())
    .bind(unit)
    .bind(Utc::now().to_rfc3339())
    .fetch_one(store.pool())
    .await?)
}

/// How many users exist.
pub async fn count_users(store: &Store) -> Result<i64, ServeError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(store.pool())
        .await?)
}

/// Check a name and password; on success open a session and return its cookie token.
pub async fn login(
    store: &Store,
    name: &str,
    password: &str,
) -> Result<Option<String>, ServeError> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE name = ?")
            .bind(name.trim())
            .fetch_optional(store.pool())
            .await?;
    // Hash even for an unknown name, so the answer takes as long either way.
    let (id, stored) = match row {
        Some((id, hash)) => (Some(id), hash),
        None => (None, dummy_hash()?),
    };
    let parsed = PasswordHash::new(&stored).map_err(|e| ServeError::Hash(e.to_string()))?;
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    let Some(id) = id.filter(|_| ok) else {
        return Ok(None);
    };
    let token = random_hex(32);
    let now = Utc::now();
    sqlx::query("DELETE FROM sessions WHERE expires_at < ?")
        .bind(now.to_rfc3339())
        .execute(store.pool())
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(token_hash(&token))
    .bind(id)
    .bind(random_hex(32))
    .bind(now.to_rfc3339())
    .bind((now + Duration::hours(SESSION_HOURS)).to_rfc3339())
    .execute(store.pool())
    .await?;
    Ok(Some(token))
}

/// An argon2id hash of a random password, verified against for unknown names.
fn dummy_hash() -> Result<String, ServeError> {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(h) = HASH.get() {
        return Ok(h.clone());
    }
    let salt = SaltString::encode_b64(random_hex(16).as_bytes())
        .map_err(|e| ServeError::Hash(e.to_string()))?;
    let h = Argon2::default()
        .hash_password(random_hex(16).as_bytes(), &salt)
        .map_err(|e| ServeError::Hash(e.to_string()))?
        .to_string();
    Ok(HASH.get_or_init(|| h).clone())
}

/// The user of a live session token.
pub async fn session_user(store: &Store, token: &str) -> Result<Option<User>, ServeError> {
    sqlx::query_as::<_, SessionRow>(
        "SELECT u.id, u.name, u.role, u.unit, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = ? AND s.expires_at > ?",
    )
    .bind(token_hash(token))
    .bind(Utc::now().to_rfc3339())
    .fetch_optional(store.pool())
    .await?
    .map(User::try_from)
    .transpose()
}

/// A live session's user as stored, the role still its key.
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    name: String,
    role: String,
    unit: Option<String>,
    csrf: String,
}

impl TryFrom<SessionRow> for User {
    type Error = ServeError;

    /// A role no version wrote is [`ServeError::BadInput`], as when typed.
    fn try_from(r: SessionRow) -> Result<User, ServeError> {
        Ok(User {
            id: r.id,
            name: r.name,
            role: r.role.parse()?,
            unit: r.unit,
            csrf: r.csrf,
        })
    }
}

/// End a session.
pub async fn logout(store: &Store, token: &str) -> Result<(), ServeError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash(token))
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Record that user `by` started round `round_id` from the console (`console_jobs`), so a
/// restarted console resumes it.
pub async fn start_job(store: &Store, round_id: i64, by: &str) -> Result<(), ServeError> {
    sqlx::query("INSERT INTO console_jobs (round_id, started_by, started_at) VALUES (?, ?, ?)")
        .bind(round_id)
        .bind(by)
        .bind(Utc::now().to_rfc3339())
        .execute(store.pool())
        .await?;
    Ok(())
}

/// The rounds the console was running when it stopped (a job not finished).
pub async fn unfinished_jobs(store: &Store) -> Result<Vec<i64>, ServeError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT round_id FROM console_jobs WHERE finished_at IS NULL")
            .fetch_all(store.pool())
            .await?,
    )
}

/// Record the end of the console's run of round `round_id`: finished now when `error` is
/// `None`, else left unfinished (resumed on restart) with the error.
pub async fn end_job(store: &Store, round_id: i64, error: Option<&str>) -> Result<(), ServeError> {
    let finished_at = error.is_none().then(|| Utc::now().to_rfc3339());
    sqlx::query(
        "UPDATE console_jobs SET finished_at = ?, error = ? WHERE round_id = ? AND finished_at IS NULL",
    )
    .bind(finished_at)
    .bind(error)
    .bind(round_id)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Constant-time comparison of two tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn users_log_in_and_sessions_carry_their_role() {
        let store = Store::open_memory().await.expect("store");
        add_user(&store, "admin", "correct horse", Role::Admin, None)
            .await
            .expect("admin added");
        add_user(
            &store,
            "yc",
            "battery staple",
            Role::Unit,
            Some("银川市(本级)"),
        )
        .await
        .expect("unit user added");
        assert!(
            add_user(&store, "yc", "battery staple", Role::Unit, Some("x"))
                .await
                .is_err()
        );
        assert!(add_user(&store, "u2", "long enough", Role::Unit, None)
            .await
            .is_err());
        assert!(add_user(&store, "u3", "short", Role::Admin, None)
            .await
            .is_err());
        assert_eq!(count_users(&store).await.expect("count"), 2);

        assert_eq!(
            login(&store, "yc", "wrong password").await.expect("ok"),
            None
        );
        assert_eq!(
            login(&store, "nobody", "battery staple").await.expect("ok"),
            None
        );
        let token = login(&store, "yc", "battery staple")
            .await
            .expect("ok")
            .expect("logged in");
        let user = session_user(&store, &token)
            .await
            .expect("ok")
            .expect("session");
        assert_eq!(user.role, Role::Unit);
        assert!(user.may_see(Some("银川市(本级)")));
        assert!(!user.may_see(Some("兴庆区")));
        assert!(!user.may_see(None));
        logout(&store, &token).await.expect("logout");
        assert_eq!(session_user(&store, &token).await.expect("ok"), None);
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("", ""));
    }
}
