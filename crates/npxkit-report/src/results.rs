//! Finding the result tables: one or more input folders, each table taken from the
//! first folder that has it (the --out of `npxkit run` holds them all; a workflow
//! passes the folders of its steps), plus every `run.json` found, for the methods and
//! the provenance. The outputs of `npxkit normalize` are found in an input folder or
//! in its `normalize/` subfolder (where `npxkit run` writes them).

use std::path::{Path, PathBuf};

use crate::tables::Table;
use crate::ReportError;

/// The tables of an analysis, each optional.
#[derive(Debug, Default)]
pub struct Results {
    /// The folders searched, in order.
    pub dirs: Vec<PathBuf>,
    /// qc.tsv
    pub qc: Option<Table>,
    /// assay_qc.tsv
    pub assay_qc: Option<Table>,
    /// pca.tsv
    pub pca: Option<Table>,
    /// pca_variance.tsv
    pub pca_variance: Option<Table>,
    /// de.tsv
    pub de: Option<Table>,
    /// protein_values.tsv
    pub protein_values: Option<Table>,
    /// scores.tsv
    pub scores: Option<Table>,
    /// score_tests.tsv
    pub score_tests: Option<Table>,
    /// genesets.tsv (set sizes of the scoring)
    pub score_sets: Option<Table>,
    /// enrichment.tsv
    pub enrichment: Option<Table>,
    /// clusters.tsv
    pub clusters: Option<Table>,
    /// network.json
    pub network: Option<serde_json::Value>,
    /// Every run.json, with its folder.
    pub runs: Vec<(PathBuf, serde_json::Value)>,
    /// The outputs of `npxkit normalize` (or of `npxkit run`'s normalize step).
    pub normalisation: Option<Normalisation>,
    /// Where each table was found, by file name.
    pub found: Vec<(String, PathBuf)>,
}

/// What `npxkit normalize` wrote: an `--in` folder itself (`npxkit normalize --out`)
/// or its `normalize/` subfolder (`npxkit run`), the first folder that has an
/// `adjustments.tsv`. The other files are taken from that same folder.
#[derive(Debug)]
pub struct Normalisation {
    /// The folder.
    pub dir: PathBuf,
    /// adjustments.tsv (`Project OlinkID Assay Adj_factor method`), columns checked.
    pub adjustments: Table,
    /// bridgeability.tsv of a cross-product bridge, columns checked.
    pub bridgeability: Option<Table>,
    /// The folder's run.json (`subcommand` `normalize`), when there.
    pub run: Option<serde_json::Value>,
}

/// The folder of `npxkit run`'s normalize step, inside its `--out`.
pub const NORMALIZE_DIR: &str = "normalize";

/// Columns the report reads from adjustments.tsv and bridgeability.tsv.
const ADJUSTMENT_COLUMNS: [&str; 5] = ["Project", "OlinkID", "Assay", "Adj_factor", "method"];
const BRIDGEABILITY_COLUMNS: [&str; 7] = [
    "OlinkID",
    "Assay",
    "range_diff",
    "median_count_reference",
    "median_count_other",
    "r2",
    "ks_d",
];

impl Normalisation {
    /// Reads the normalisation outputs of the first of `dirs` (or its `normalize/`)
    /// that has an adjustments.tsv; `None` when none has. A table without the columns
    /// npxkit normalize writes is an error naming the file.
    fn find(dirs: &[PathBuf]) -> Result<Option<Normalisation>, ReportError> {
        let Some(dir) = dirs
            .iter()
            .flat_map(|d| [d.clone(), d.join(NORMALIZE_DIR)])
            .find(|d| d.join("adjustments.tsv").is_file())
        else {
            return Ok(None);
        };
        let adjustments = Table::read(&dir.join("adjustments.tsv"))?;
        for c in ADJUSTMENT_COLUMNS {
            adjustments.require(c)?;
        }
        let bridgeability = match dir.join("bridgeability.tsv") {
            p if p.is_file() => {
                let t = Table::read(&p)?;
                for c in BRIDGEABILITY_COLUMNS
                    .iter()
                    .chain(&["BridgingRecommendation"])
                {
                    t.require(c)?;
                }
                Some(t)
            }
            _ => None,
        };
        let run = match dir.join("run.json") {
            p if p.is_file() => Some(read_json(&p)?),
            _ => None,
        };
        Ok(Some(Normalisation {
            dir,
            adjustments,
            bridgeability,
            run,
        }))
    }

    /// The recorded `results` of the normalize run (`steps`, `cross_product`, …).
    pub fn results(&self) -> Option<&serde_json::Value> {
        self.run.as_ref().map(|r| &r["results"])
    }
}

impl Results {
    /// Reads the tables from `dirs` (first folder wins for each table).
    pub fn load(dirs: &[PathBuf]) -> Result<Results, ReportError> {
        let mut r = Results {
            dirs: dirs.to_vec(),
            ..Results::default()
        };
        let find = |name: &str| dirs.iter().map(|d| d.join(name)).find(|p| p.is_file());
        for name in [
            "qc.tsv",
            "assay_qc.tsv",
            "pca.tsv",
            "pca_variance.tsv",
            "de.tsv",
            "protein_values.tsv",
            "scores.tsv",
            "score_tests.tsv",
            "genesets.tsv",
            "enrichment.tsv",
            "clusters.tsv",
            "cluster_words.tsv",
            "network.json",
            "network.graphml",
        ] {
            if let Some(p) = find(name) {
                r.found.push((name.to_string(), p));
            }
        }
        let table = |name: &str| -> Result<Option<Table>, ReportError> {
            find(name).map(|p| Table::read(&p)).transpose()
        };
        r.qc = table("qc.tsv")?;
        r.assay_qc = table("assay_qc.tsv")?;
        r.pca = table("pca.tsv")?;
        r.pca_variance = table("pca_variance.tsv")?;
        r.de = table("de.tsv")?;
        r.protein_values = table("protein_values.tsv")?;
        r.scores = table("scores.tsv")?;
        r.score_tests = table("score_tests.tsv")?;
        r.score_sets = table("genesets.tsv")?;
        r.enrichment = table("enrichment.tsv")?;
        r.clusters = table("clusters.tsv")?;
        if let Some(p) = find("network.json") {
            r.network = Some(read_json(&p)?);
        }
        for d in dirs {
            let p = d.join("run.json");
            if p.is_file() {
                r.runs.push((d.clone(), read_json(&p)?));
            }
        }
        r.normalisation = Normalisation::find(dirs)?;
        if let Some(n) = &r.normalisation {
            r.found
                .push(("adjustments.tsv".into(), n.dir.join("adjustments.tsv")));
            if n.bridgeability.is_some() {
                r.found
                    .push(("bridgeability.tsv".into(), n.dir.join("bridgeability.tsv")));
            }
            // The normalize/ subfolder's record is one more step for the provenance.
            if let Some(run) = n.run.as_ref().filter(|_| !dirs.contains(&n.dir)) {
                r.runs.push((n.dir.clone(), run.clone()));
            }
        }
        Ok(r)
    }

    /// The path of a table as a link from the folder `from` (where the report is
    /// written): relative when both resolve, else as found; `None` if not found.
    pub fn link(&self, name: &str, from: Option<&Path>) -> Option<String> {
        let (_, path) = self.found.iter().find(|(n, _)| n == name)?;
        let rel = from.and_then(|f| relative(f, path));
        Some(rel.unwrap_or_else(|| path.display().to_string()))
    }

    /// True when no table was found.
    pub fn is_empty(&self) -> bool {
        self.qc.is_none()
            && self.de.is_none()
            && self.scores.is_none()
            && self.enrichment.is_none()
            && self.clusters.is_none()
            && self.normalisation.is_none()
    }

    /// The input folders, for messages.
    pub fn describe_inputs(&self) -> String {
        self.dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The options a step recorded: from `npxkit run`'s record (its config section
    /// `section`) or from the step's own run.json (`subcommand`).
    pub fn options(&self, subcommand: &str) -> Option<&serde_json::Value> {
        for (_, run) in &self.runs {
            if run["subcommand"] == "run" {
                let o = &run["options"][subcommand];
                if !o.is_null() {
                    return Some(o);
                }
            }
        }
        self.runs
            .iter()
            .find(|(_, run)| run["subcommand"] == subcommand)
            .map(|(_, run)| &run["options"])
    }

    /// The `[design]` of `npxkit run`, or the design options of `npxkit de`.
    pub fn design(&self) -> Option<&serde_json::Value> {
        self.options("design").or_else(|| self.options("de"))
    }

    /// The version of npxkit recorded in the run.json files (the first).
    pub fn version(&self) -> Option<&str> {
        self.runs.iter().find_map(|(_, r)| r["version"].as_str())
    }
}

fn read_json(p: &Path) -> Result<serde_json::Value, ReportError> {
    let text = std::fs::read_to_string(p).map_err(|e| ReportError::Read {
        path: p.to_path_buf(),
        message: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| ReportError::Table {
        path: p.to_path_buf(),
        message: format!("not valid JSON: {e}"),
    })
}

/// `to` relative to the folder `from`, with `/` separators (for links in the page).
fn relative(from: &Path, to: &Path) -> Option<String> {
    let from = std::fs::canonicalize(from).ok()?;
    let to = std::fs::canonicalize(to).ok()?;
    let f: Vec<_> = from.components().collect();
    let t: Vec<_> = to.components().collect();
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Some(parts.join("/"))
}
