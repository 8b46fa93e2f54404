//! The `govaudit` command line: parses arguments, merges them over the config file, runs the
//! command and maps the outcome to an exit code (0 pass, 1 fail, 2 error).

// The binary sees every package dependency; most are the library's, not its own.
#![allow(unused_crate_dependencies)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: a round allocates and frees many small buffers
/// across threads (pages, parsed documents, request logs), where glibc's malloc cost a fifth of
/// the CPU in the round-scale benchmark.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::init_logging(args.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(cli::EXIT_ERROR);
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Messages may quote file contents or page text: shown, never obeyed.
            eprintln!(
                "error: {}",
                govaudit::escape::terminal::text(&format!("{e:#}"))
            );
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
