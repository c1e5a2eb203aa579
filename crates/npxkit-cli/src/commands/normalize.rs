//! `npxkit normalize`: bridge, subset and reference-median normalisation of several
//! NPX projects (npxkit-normalize, as OlinkAnalyze's olink_normalization family).
//!
//! Each `--npx` file is read with `npxkit_io::read_npx_bytes` and turned into a plain
//! [`Project`] (SampleID, OlinkID, NPX, the `Normalization` column and every LOD-like
//! column); the normalised rows come back as references into the inputs, so every
//! other column of the delivery is written unchanged.

use anyhow::{anyhow, Context, Result};
use serde_json::json;
use std::collections::HashSet;
use std::path::Path;

use crate::cli::NormalizeArgs;
use crate::commands::ensure_out_dir;
use crate::provenance::RunRecord;
use crate::UsageError;
use npxkit_io::{col, fmt_f64, fmt_text, LongColumn, LongTable, NpxLong, TsvTable};
use npxkit_normalize::{
    is_lod_column, normalize_chain, normalize_pair, normalize_reference_median, ControlRule,
    LodColumn, Method, Normalized, Project, Step,
};

/// Runs `npxkit normalize`.
pub fn run(args: NormalizeArgs) -> Result<()> {
    let n = args.npx.len();
    if args.reference_medians.is_none() && n < 2 {
        return Err(UsageError(
            "give at least two --npx files to bridge or subset-normalise (or --reference-medians FILE to normalise one project)".into(),
        )
        .into());
    }
    if args.reference == 0 || args.reference > n {
        return Err(UsageError(format!(
            "--reference {} is not a project: give a position between 1 and {n} (the order of --npx)",
            args.reference
        ))
        .into());
    }
    if args.subset.is_some() && args.bridge_samples != "auto" && args.reference_medians.is_none() {
        return Err(UsageError(
            "--subset and --bridge-samples FILE are two different methods: give one".into(),
        )
        .into());
    }
    if args.reference_medians.is_some() && args.bridge_samples != "auto" {
        return Err(UsageError(
            "--reference-medians normalises each project to the medians; it takes --subset, not --bridge-samples".into(),
        )
        .into());
    }
    let controls = ControlRule::new(&args.control_pattern).map_err(|e| {
        UsageError(format!(
            "--control-pattern: not a valid regular expression: {e}"
        ))
    })?;
    ensure_out_dir(&args.out)?;
    let mut record = RunRecord::start("normalize", options_json(&args));

    // read the projects
    let mut longs = Vec::with_capacity(n);
    let mut projects = Vec::with_capacity(n);
    for (i, path) in args.npx.iter().enumerate() {
        let bytes = npxkit_io::read_bytes(path)?;
        record.input(path, &bytes);
        let long = npxkit_io::read_npx_bytes(&bytes, path)?;
        log::info!(
            "{}: {} ({} rows)",
            path.display(),
            long.source().format.name(),
            long.height()
        );
        projects.push(to_project(&long, &format!("P{}", i + 1), path)?);
        longs.push(long);
    }
    let sample_types: Vec<Option<Vec<Option<String>>>> = longs
        .iter()
        .map(|l| {
            l.str_values(col::SAMPLE_TYPE)
                .map(|v| v.into_iter().map(|s| s.map(String::from)).collect())
        })
        .collect();
    let is_control = |k: usize, row: usize| -> bool {
        let t = sample_types[k].as_ref().and_then(|v| v[row].as_deref());
        controls.is_control(&projects[k].sample_id[row], t)
    };
    let non_controls = |k: usize| -> Vec<String> {
        let mut seen = HashSet::new();
        (0..projects[k].len())
            .filter(|&r| !is_control(k, r))
            .map(|r| projects[k].sample_id[r].as_str())
            .filter(|s| seen.insert(*s))
            .map(String::from)
            .collect()
    };

    let subsets = match &args.subset {
        Some(path) => Some(read_sample_table(path, &projects, &mut record, false)?),
        None => None,
    };
    let reference = args.reference - 1;
    let mut summary = Vec::new();
    let result: Normalized = if let Some(path) = &args.reference_medians {
        let medians = read_medians(path, &mut record)?;
        // each project on its own, concatenated in --npx order
        let mut all: Option<Normalized> = None;
        for k in 0..n {
            let samples = match &subsets {
                Some(s) => s.samples_of(k, &projects)?,
                None => non_controls(k),
            };
            summary.push(format!(
                "{}: reference medians over {} samples",
                projects[k].name,
                samples.len()
            ));
            let one = normalize_reference_median(&projects[k], &samples, &medians)
                .with_context(|| format!("normalising {}", args.npx[k].display()))?;
            all = Some(match all {
                None => relabel(one, k),
                Some(mut acc) => {
                    append(&mut acc, relabel(one, k));
                    acc
                }
            });
        }
        all.ok_or_else(|| anyhow!("no project"))?
    } else {
        // the steps: every project to its neighbour towards the reference
        let mut pairs: Vec<(usize, usize)> = ((reference + 1)..n).map(|j| (j, j - 1)).collect();
        pairs.extend((0..reference).rev().map(|j| (j, j + 1)));
        let bridge_file = if args.subset.is_none() && args.bridge_samples != "auto" {
            Some(read_sample_table(
                Path::new(&args.bridge_samples),
                &projects,
                &mut record,
                true,
            )?)
        } else {
            None
        };
        let mut steps = Vec::new();
        for &(j, k) in &pairs {
            let method = if let Some(sub) = &subsets {
                Method::Subset {
                    reference_samples: sub.samples_of(k, &projects)?,
                    samples: sub.samples_of(j, &projects)?,
                }
            } else if let Some(b) = &bridge_file {
                let (reference_samples, samples) = b.bridges_of(j, &projects)?;
                Method::Bridge {
                    reference_samples,
                    samples,
                }
            } else {
                let in_j: HashSet<&str> = (0..projects[j].len())
                    .filter(|&r| !is_control(j, r))
                    .map(|r| projects[j].sample_id[r].as_str())
                    .collect();
                let shared: Vec<String> = non_controls(k)
                    .into_iter()
                    .filter(|s| in_j.contains(s.as_str()))
                    .collect();
                if shared.is_empty() {
                    return Err(anyhow!(
                        "{} ({}) and {} ({}) share no SampleID apart from controls, so there are no bridge samples; give --bridge-samples FILE when the bridges have different IDs, or use --subset FILE",
                        projects[k].name,
                        args.npx[k].display(),
                        projects[j].name,
                        args.npx[j].display()
                    ));
                }
                Method::Bridge {
                    reference_samples: shared.clone(),
                    samples: shared,
                }
            };
            let (ns, what) = match &method {
                Method::Bridge { samples, .. } => (samples.len(), "bridge"),
                Method::Subset { samples, .. } => (samples.len(), "subset"),
            };
            summary.push(format!(
                "{} -> {}: {what} over {ns} samples",
                projects[j].name, projects[k].name
            ));
            steps.push(Step {
                project: j,
                reference: k,
                method,
            });
        }
        record.note(
            "steps",
            json!(steps
                .iter()
                .map(|s| {
                    let (m, rs, ss) = match &s.method {
                        Method::Bridge {
                            reference_samples,
                            samples,
                        } => ("bridge", reference_samples, samples),
                        Method::Subset {
                            reference_samples,
                            samples,
                        } => ("subset", reference_samples, samples),
                    };
                    json!({
                        "project": projects[s.project].name,
                        "normalized_to": projects[s.reference].name,
                        "method": m,
                        "reference_samples": rs,
                        "samples": ss,
                    })
                })
                .collect::<Vec<_>>()),
        );
        if n == 2 && !args.drop_bridge_copies {
            let pair = [projects[0].clone(), projects[1].clone()];
            normalize_pair(&pair, reference, &steps[0].method).context("normalising")?
        } else {
            normalize_chain(&projects, reference, &steps).context("normalising")?
        }
    };

    for (k, oid) in &result.removed_assays {
        log::warn!(
            "assay {oid} of {} is not in every input and was left out of the normalisation (as OlinkAnalyze does)",
            projects[*k].name
        );
    }
    record.note(
        "removed_assays",
        json!(result
            .removed_assays
            .iter()
            .map(|(k, o)| json!({"project": projects[*k].name, "OlinkID": o}))
            .collect::<Vec<_>>()),
    );
    record.note("removed_bridge_rows", json!(result.removed_bridge_rows));
    record.note("rows", json!(result.rows.len()));

    // write
    let table = build_table(&result, &longs, &projects)?;
    table.write_delimited_file(&args.out.join("normalized.csv"), b';')?;
    record.output("normalized.csv");
    table.write_parquet_file(&args.out.join("normalized.parquet"))?;
    record.output("normalized.parquet");
    let mut adj = TsvTable::new(["Project", "OlinkID", "Assay", "Adj_factor", "method"]);
    let assay_cols: Vec<Option<Vec<Option<&str>>>> =
        longs.iter().map(|l| l.str_values(col::ASSAY)).collect();
    for a in result.adjustments(&projects) {
        let p = &projects[a.project];
        adj.push(vec![
            p.name.clone(),
            p.olink_id[a.first_row].clone(),
            fmt_text(assay_cols[a.project].as_ref().and_then(|v| v[a.first_row])),
            fmt_f64(a.adj_factor),
            result.methods[a.project].clone(),
        ]);
    }
    adj.write_atomic(&args.out.join("adjustments.tsv"))?;
    record.output("adjustments.tsv");
    record.finish(&args.out)?;
    println!(
        "normalize: {} project(s), reference {}; {}; {} rows written to {}",
        n,
        projects[reference].name,
        summary.join("; "),
        result.rows.len(),
        args.out.join("normalized.csv").display()
    );
    Ok(())
}

/// The options of `npxkit normalize` as recorded in `run.json`.
fn options_json(args: &NormalizeArgs) -> serde_json::Value {
    json!({
        "npx": args.npx,
        "reference": args.reference,
        "bridge_samples": args.bridge_samples,
        "subset": args.subset,
        "reference_medians": args.reference_medians,
        "drop_bridge_copies": args.drop_bridge_copies,
        "control_pattern": args.control_pattern,
    })
}

/// Marks every row of a one-project result as coming from project `k`.
fn relabel(mut n: Normalized, k: usize) -> Normalized {
    for r in n.rows.iter_mut() {
        r.project = k;
    }
    for (p, _) in n.removed_assays.iter_mut() {
        *p = k;
    }
    let mut methods = vec![String::new(); k + 1];
    methods[k] = n.methods[0].clone();
    n.methods = methods;
    n
}

/// Appends `b` to `a`, aligning the LOD columns by name.
fn append(a: &mut Normalized, b: Normalized) {
    for name in &b.lod_names {
        if !a.lod_names.contains(name) {
            a.lod_names.push(name.clone());
            for r in a.rows.iter_mut() {
                r.lod.push(f64::NAN);
            }
        }
    }
    for mut r in b.rows {
        let lod = a
            .lod_names
            .iter()
            .map(|n| {
                b.lod_names
                    .iter()
                    .position(|m| m == n)
                    .map_or(f64::NAN, |i| r.lod[i])
            })
            .collect();
        r.lod = lod;
        a.rows.push(r);
    }
    if a.methods.len() < b.methods.len() {
        a.methods.resize(b.methods.len(), String::new());
    }
    for (i, m) in b.methods.into_iter().enumerate() {
        if !m.is_empty() {
            a.methods[i] = m;
        }
    }
    a.removed_assays.extend(b.removed_assays);
}

/// Text cells of any column: text as is; numbers and other types as printed.
fn text_cells(long: &NpxLong, name: &str) -> Vec<Option<String>> {
    if let Some(v) = long.str_values(name) {
        return v.into_iter().map(|s| s.map(String::from)).collect();
    }
    if let Some(v) = long.f64_values(name) {
        return v
            .into_iter()
            .map(|x| (!x.is_nan()).then(|| fmt_f64(x)))
            .collect();
    }
    match long.frame().column(name) {
        Ok(c) => (0..c.len())
            .map(|i| {
                c.get(i).ok().and_then(|v| {
                    let s = v.to_string();
                    (s != "null").then(|| s.trim_matches('"').to_string())
                })
            })
            .collect(),
        Err(_) => vec![None; long.height()],
    }
}

/// Numbers of a column: NaN for missing; an error names a cell that is not a number.
fn number_cells(long: &NpxLong, name: &str, path: &Path) -> Result<Vec<f64>> {
    if let Some(v) = long.f64_values(name) {
        return Ok(v);
    }
    text_cells(long, name)
        .into_iter()
        .enumerate()
        .map(|(i, s)| match s.as_deref().map(str::trim) {
            None | Some("") | Some("NA") | Some("NaN") => Ok(f64::NAN),
            Some(t) => t.replace(',', ".").parse::<f64>().map_err(|_| {
                anyhow!(
                    "{}: row {}: column {name} has `{t}`, not a number; LOD columns must be numeric",
                    path.display(),
                    i + 1
                )
            }),
        })
        .collect()
}

fn column_names(long: &NpxLong) -> Vec<String> {
    long.frame()
        .get_column_names()
        .into_iter()
        .map(|n| n.to_string())
        .collect()
}

/// The columns normalisation needs, as plain vectors.
fn to_project(long: &NpxLong, name: &str, path: &Path) -> Result<Project> {
    let names = column_names(long);
    if names.iter().any(|c| c == "Adj_factor") {
        return Err(anyhow!(
            "{}: the file already has an Adj_factor column; it looks normalised already. Give the original deliveries",
            path.display()
        ));
    }
    let req = |c: &str| -> Result<Vec<String>> {
        Ok(text_cells(long, c)
            .into_iter()
            .map(|s| s.unwrap_or_default())
            .collect())
    };
    let normalization = names
        .iter()
        .find(|c| c.eq_ignore_ascii_case("normalization"))
        .map(|c| text_cells(long, c));
    let mut lod = Vec::new();
    for c in names.iter().filter(|c| is_lod_column(c)) {
        lod.push(LodColumn {
            name: c.clone(),
            values: number_cells(long, c, path)?,
        });
    }
    Ok(Project {
        name: name.to_string(),
        sample_id: req(col::SAMPLE_ID)?,
        olink_id: req(col::OLINK_ID)?,
        npx: long
            .f64_values(col::NPX)
            .ok_or_else(|| anyhow!("{}: no numeric NPX column", path.display()))?,
        normalization,
        lod,
    })
}

/// The output long table: the first output project's columns (Project in place when
/// present, else appended), Adj_factor, then columns only other projects have.
fn build_table(res: &Normalized, longs: &[NpxLong], projects: &[Project]) -> Result<LongTable> {
    let first = res.rows.first().map_or(0, |r| r.project);
    let mut order: Vec<usize> = vec![first];
    for r in &res.rows {
        if !order.contains(&r.project) {
            order.push(r.project);
        }
    }
    let mut cols: Vec<String> = Vec::new();
    for (i, &k) in order.iter().enumerate() {
        for c in column_names(&longs[k]) {
            if !cols.contains(&c) {
                cols.push(c);
            }
        }
        if i == 0 {
            if !cols.iter().any(|c| c == "Project") {
                cols.push("Project".into());
            }
            cols.push("Adj_factor".into());
        }
    }
    let mut t = LongTable::new();
    for c in &cols {
        if c == "Project" {
            t.push(
                c,
                LongColumn::Text(
                    res.rows
                        .iter()
                        .map(|r| Some(projects[r.project].name.clone()))
                        .collect(),
                ),
            );
        } else if c == "Adj_factor" {
            t.push(
                c,
                LongColumn::Number(res.rows.iter().map(|r| r.adj_factor).collect()),
            );
        } else if c == col::NPX {
            t.push(
                c,
                LongColumn::Number(res.rows.iter().map(|r| r.npx).collect()),
            );
        } else if let Some(li) = res.lod_names.iter().position(|n| n == c) {
            t.push(
                c,
                LongColumn::Number(res.rows.iter().map(|r| r.lod[li]).collect()),
            );
        } else {
            // carried unchanged: numbers stay numbers when every project has them so
            let numeric: Vec<Option<Vec<f64>>> = longs.iter().map(|l| l.f64_values(c)).collect();
            let all_numeric = order
                .iter()
                .all(|&k| numeric[k].is_some() || !column_names(&longs[k]).contains(c));
            if all_numeric {
                t.push(
                    c,
                    LongColumn::Number(
                        res.rows
                            .iter()
                            .map(|r| numeric[r.project].as_ref().map_or(f64::NAN, |v| v[r.row]))
                            .collect(),
                    ),
                );
            } else {
                let text: Vec<Vec<Option<String>>> =
                    order.iter().map(|&k| text_cells(&longs[k], c)).collect();
                t.push(
                    c,
                    LongColumn::Text(
                        res.rows
                            .iter()
                            .map(|r| {
                                let oi = order.iter().position(|&k| k == r.project).unwrap_or(0);
                                text[oi][r.row].clone()
                            })
                            .collect(),
                    ),
                );
            }
        }
    }
    Ok(t)
}

// ---- sample and median files ---------------------------------------------------------

/// A small delimited table (tab, `;` or `,`, chosen from the header line).
struct SmallTable {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn read_small_table(path: &Path, record: &mut RunRecord) -> Result<SmallTable> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    record.input(path, &bytes);
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow!(
            "{}: not UTF-8 text; save it as UTF-8 TSV or CSV",
            path.display()
        )
    })?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let head = lines
        .next()
        .ok_or_else(|| anyhow!("{}: the file is empty", path.display()))?;
    let sep = if head.contains('\t') {
        '\t'
    } else if head.contains(';') {
        ';'
    } else {
        ','
    };
    let split = |l: &str| -> Vec<String> {
        l.split(sep)
            .map(|f| f.trim().trim_matches('"').to_string())
            .collect()
    };
    Ok(SmallTable {
        header: split(head.trim_start_matches('\u{feff}')),
        rows: lines.map(split).collect(),
    })
}

impl SmallTable {
    fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| {
            let h: String = h
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            names.contains(&h.as_str())
        })
    }
}

/// Bridge or subset samples per project.
struct SampleTable {
    path: std::path::PathBuf,
    /// (project index or None = every project, SampleID, ReferenceSampleID)
    rows: Vec<(Option<usize>, String, Option<String>)>,
}

fn project_index(v: &str, projects: &[Project]) -> Option<usize> {
    let v = v.trim();
    if let Some(k) = projects.iter().position(|p| p.name.eq_ignore_ascii_case(v)) {
        return Some(k);
    }
    v.parse::<usize>()
        .ok()
        .filter(|&k| k >= 1 && k <= projects.len())
        .map(|k| k - 1)
}

fn read_sample_table(
    path: &Path,
    projects: &[Project],
    record: &mut RunRecord,
    bridges: bool,
) -> Result<SampleTable> {
    let t = read_small_table(path, record)?;
    let what = if bridges {
        "--bridge-samples"
    } else {
        "--subset"
    };
    let sid = t.column(&["sampleid", "sample"]).ok_or_else(|| {
        anyhow!(
            "{} ({what}): no SampleID column; found {}",
            path.display(),
            t.header.join(", ")
        )
    })?;
    let proj = t.column(&["project"]);
    let refs = if bridges {
        t.column(&["referencesampleid", "refsampleid"])
    } else {
        None
    };
    if proj.is_none() && !bridges {
        return Err(anyhow!(
            "{} (--subset): no Project column; give Project (P1, P2, ... or 1, 2, ...) and SampleID",
            path.display()
        ));
    }
    let mut rows = Vec::new();
    for (i, r) in t.rows.iter().enumerate() {
        let cell = |c: usize| r.get(c).map(String::as_str).unwrap_or("");
        let p = match proj {
            Some(c) => Some(project_index(cell(c), projects).ok_or_else(|| {
                anyhow!(
                    "{} line {}: `{}` is not a project; use P1..P{n} or 1..{n} (the order of --npx)",
                    path.display(),
                    i + 2,
                    cell(c),
                    n = projects.len()
                )
            })?),
            None => None,
        };
        let s = cell(sid).to_string();
        if s.is_empty() {
            continue;
        }
        let rs = refs.map(|c| cell(c).to_string()).filter(|v| !v.is_empty());
        rows.push((p, s, rs));
    }
    // unknown samples fail here, with the file named
    for (p, s, rs) in &rows {
        let targets: Vec<usize> = match p {
            Some(k) => vec![*k],
            None => (0..projects.len()).collect(),
        };
        for k in targets {
            if !projects[k].sample_id.iter().any(|x| x == s) {
                return Err(anyhow!(
                    "{} ({what}): sample {s} is not in {} ({} samples); check the SampleIDs (they are case-sensitive)",
                    path.display(),
                    projects[k].name,
                    projects[k].samples().len()
                ));
            }
        }
        let _ = rs;
    }
    Ok(SampleTable {
        path: path.to_path_buf(),
        rows,
    })
}

impl SampleTable {
    fn samples_of(&self, k: usize, projects: &[Project]) -> Result<Vec<String>> {
        let v: Vec<String> = self
            .rows
            .iter()
            .filter(|(p, _, _)| p.is_none_or(|p| p == k))
            .map(|(_, s, _)| s.clone())
            .collect();
        if v.is_empty() {
            return Err(anyhow!(
                "{}: no samples listed for {}",
                self.path.display(),
                projects[k].name
            ));
        }
        Ok(v)
    }

    /// (reference samples, samples) of the step that normalises project `j`.
    fn bridges_of(&self, j: usize, projects: &[Project]) -> Result<(Vec<String>, Vec<String>)> {
        let rows: Vec<&(Option<usize>, String, Option<String>)> = self
            .rows
            .iter()
            .filter(|(p, _, _)| p.is_none_or(|p| p == j))
            .collect();
        if rows.is_empty() {
            return Err(anyhow!(
                "{}: no bridge samples listed for {} (the Project column names the project being normalised)",
                self.path.display(),
                projects[j].name
            ));
        }
        Ok((
            rows.iter()
                .map(|(_, s, r)| r.clone().unwrap_or_else(|| s.clone()))
                .collect(),
            rows.iter().map(|(_, s, _)| s.clone()).collect(),
        ))
    }
}

fn read_medians(path: &Path, record: &mut RunRecord) -> Result<Vec<(String, f64)>> {
    let t = read_small_table(path, record)?;
    let (Some(o), Some(v)) = (
        t.column(&["olinkid"]),
        t.column(&["referencenpx", "referencemedian", "median"]),
    ) else {
        return Err(anyhow!(
            "{} (--reference-medians): needs the columns OlinkID and Reference_NPX; found {}",
            path.display(),
            t.header.join(", ")
        ));
    };
    t.rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = r.get(o).cloned().unwrap_or_default();
            let raw = r.get(v).map(String::as_str).unwrap_or("");
            let x = match raw {
                "" | "NA" => f64::NAN,
                s => s.parse::<f64>().map_err(|_| {
                    anyhow!(
                        "{} line {}: Reference_NPX `{s}` is not a number",
                        path.display(),
                        i + 2
                    )
                })?,
            };
            Ok((id, x))
        })
        .collect()
}
