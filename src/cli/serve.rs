//! `govaudit serve` (the web console, [`govaudit::serve`]) and `govaudit user add` (its users).

use std::io::BufRead;
use std::net::SocketAddr;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use govaudit::config::Config;
use govaudit::serve::{self, users, App};
use govaudit::store::Store;

use super::EXIT_PASS;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; without it only loopback. A non-loopback address is refused while
    /// no user exists (create one with `govaudit user add NAME --role admin`).
    #[arg(long, value_name = "ADDR:PORT", default_value = serve::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
}

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a console user (password from a prompt, or from standard input with
    /// --password-stdin).
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The login name.
    pub name: String,
    /// admin (sees and does everything) or unit (sees and self-checks only its unit's sites).
    #[arg(long, value_name = "admin|unit")]
    pub role: String,
    /// The unit (单位) of a unit user, as the registry names it.
    #[arg(long, value_name = "单位")]
    pub unit: Option<String>,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

/// Run the console until Ctrl-C or SIGTERM.
pub async fn run_serve(cfg: Config, args: ServeArgs) -> Result<u8> {
    let store = Store::open(&cfg.store.db).await?;
    serve::check_listen(&store, args.listen).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|source| serve::ServeError::Listen {
            addr: args.listen,
            source,
        })?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    if users::count_users(&store).await? == 0 {
        eprintln!(
            "warning: no console user yet; create one: govaudit user add NAME --role admin --db {}",
            cfg.store.db.display()
        );
    }
    eprintln!(
        "govaudit console on http://{addr}/ (database {})",
        cfg.store.db.display()
    );
    let app = App::new(store.clone(), cfg)?;
    serve::serve(app, listener, shutdown_signal()).await?;
    store.close().await;
    Ok(EXIT_PASS)
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `govaudit user add`.
pub async fn run_user(cfg: Config, args: UserArgs) -> Result<u8> {
    let UserCommand::Add(a) = args.command;
    let role: users::Role = a.role.parse()?;
    let password = if a.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        let first = rpassword::prompt_password(format!("Password for {}: ", a.name))
            .context("cannot read the password (no terminal? use --password-stdin)")?;
        let again = rpassword::prompt_password("Repeat the password: ")
            .context("cannot read the password")?;
        if first != again {
            bail!("the passwords differ; nothing was created");
        }
        first
    };
    let store = Store::open(&cfg.store.db).await?;
    let id = users::add_user(&store, &a.name, &password, role, a.unit.as_deref()).await?;
    store.close().await;
    eprintln!(
        "user {} ({}) created as user {id} in {}",
        a.name.trim(),
        role.key(),
        cfg.store.db.display()
    );
    Ok(EXIT_PASS)
}
