//! Rebuild when a migration is added: `sqlx::migrate!` embeds `migrations/` at compile time, but
//! on stable Rust cargo does not know the macro read that directory, so a new migration file
//! alone would not trigger a rebuild and the binary would run without it.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
