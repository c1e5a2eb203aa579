//! `run.json`: what produced a folder of results (version, command line, options,
//! input checksums, timings), so any table can be traced back and re-made.

use anyhow::{Context, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One input file and its SHA-256.
#[derive(Debug, Serialize)]
pub struct InputFile {
    /// Path as given.
    pub path: PathBuf,
    /// SHA-256 of the bytes read.
    pub sha256: String,
}

/// Wall time of one step.
#[derive(Debug, Serialize)]
pub struct StepTime {
    /// Step name.
    pub step: String,
    /// Seconds.
    pub seconds: f64,
}

/// Provenance of one subcommand run.
#[derive(Debug, Serialize)]
pub struct RunRecord {
    tool: &'static str,
    version: &'static str,
    subcommand: String,
    command_line: Vec<String>,
    options: serde_json::Value,
    inputs: Vec<InputFile>,
    outputs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    steps: Vec<StepTime>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    results: serde_json::Map<String, serde_json::Value>,
    seconds: f64,
    #[serde(skip)]
    started: Option<Instant>,
}

impl RunRecord {
    /// Starts a record for `subcommand` with its options rendered as JSON.
    pub fn start(subcommand: &str, options: serde_json::Value) -> Self {
        RunRecord {
            tool: "npxkit",
            version: env!("CARGO_PKG_VERSION"),
            subcommand: subcommand.to_string(),
            command_line: std::env::args().collect(),
            options,
            inputs: vec![],
            outputs: vec![],
            steps: vec![],
            results: serde_json::Map::new(),
            seconds: 0.0,
            started: Some(Instant::now()),
        }
    }

    /// Records an input file and the checksum of its bytes.
    pub fn input(&mut self, path: &Path, bytes: &[u8]) {
        let sha256 = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.inputs.push(InputFile {
            path: path.to_path_buf(),
            sha256,
        });
    }

    /// The input files recorded so far.
    pub fn inputs(&self) -> &[InputFile] {
        &self.inputs
    }

    /// Records an output file name.
    pub fn output(&mut self, name: &str) {
        self.outputs.push(name.to_string());
    }

    /// Records a number the run estimated (e.g. the consensus correlation), under
    /// `results` in run.json.
    pub fn note(&mut self, key: &str, value: serde_json::Value) {
        self.results.insert(key.to_string(), value);
    }

    /// Records the wall time of one step of `npxkit run`.
    pub fn step(&mut self, name: &str, seconds: f64) {
        self.steps.push(StepTime {
            step: name.to_string(),
            seconds,
        });
    }

    /// Writes the record as it stands (`run.json`), without ending it: `npxkit run`
    /// does so before its report step, so that the report can show the provenance.
    pub fn snapshot(&self, dir: &Path) -> Result<()> {
        let mut copy = serde_json::to_value(self)?;
        copy["seconds"] =
            serde_json::json!(self.started.map_or(0.0, |s| s.elapsed().as_secs_f64()));
        let text = serde_json::to_string_pretty(&copy)?;
        npxkit_io::write_atomic(&dir.join("run.json"), |w| {
            w.write_all(text.as_bytes())?;
            w.write_all(b"\n")
        })
        .context("writing run.json")
    }

    /// Writes `run.json` into `dir` atomically.
    pub fn finish(self, dir: &Path) -> Result<()> {
        self.finish_as(dir, "run.json")
    }

    /// Writes the record into `dir` under `name` atomically.
    pub fn finish_as(mut self, dir: &Path, name: &str) -> Result<()> {
        self.seconds = self.started.map_or(0.0, |s| s.elapsed().as_secs_f64());
        self.outputs.push(name.into());
        let text = serde_json::to_string_pretty(&self)?;
        npxkit_io::write_atomic(&dir.join(name), |w| {
            w.write_all(text.as_bytes())?;
            w.write_all(b"\n")
        })
        .with_context(|| format!("writing {name}"))
    }
}
