//! The `npxkit` binary: flags and glue only; the work lives in the library crates.

mod cli;
mod commands;
mod config;
mod provenance;

use clap::Parser;
use std::process::ExitCode;

/// An error in how npxkit was called (exit code 2), as opposed to a data or
/// runtime error (exit code 1).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    init_logging(args.verbose, args.quiet);
    quiet_engine_panics();
    if let Some(n) = args.threads {
        // Both pools read these when first used, before any work starts.
        std::env::set_var("POLARS_MAX_THREADS", n.to_string());
        std::env::set_var("RAYON_NUM_THREADS", n.to_string());
    }
    match commands::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            let usage = e.chain().any(|c| c.is::<UsageError>());
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

/// Panics on polars' worker threads are re-raised in the reading thread, where
/// npxkit-io turns them into a clear error about the file; printing them as well would
/// only show an engine assertion to the user. Other panics print as usual.
fn quiet_engine_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let engine_thread = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with("polars"));
        if !engine_thread {
            default(info);
        }
    }));
}

fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => log::LevelFilter::Error,
        (false, 0) => log::LevelFilter::Warn,
        (false, 1) => log::LevelFilter::Info,
        _ => log::LevelFilter::Debug,
    };
    env_logger::Builder::new()
        .filter_level(level)
        // The SVG rasteriser reports every zero-size shape it skips (empty histogram
        // bars, …): harmless, and not the user's business.
        .filter_module("usvg", log::LevelFilter::Error)
        .filter_module("resvg", log::LevelFilter::Error)
        .format_timestamp(None)
        .format_target(false)
        .init();
}
