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
use npxkit_normalize::product::{
    can_be_reference, detect_product, min_bridge_samples, normalize_cross_product, CrossProduct,
    Product, ProductMapping, ProductRows,
};
use npxkit_normalize::{
    is_lod_column, is_max_lod_column, normalize_chain, normalize_pair, normalize_reference_median,
    ControlRule, LodColumn, Method, Normalized, NormalizedRow, Project, Step,
};

/// Runs `npxkit normalize`.
pub fn run(args: NormalizeArgs) -> Result<()> {
    let summary = execute(&args)?;
    println!("{summary}");
    Ok(())
}

/// Normalises, writes every output and `run.json` into `args.out`; returns the
/// one-line summary. Shared by `npxkit normalize` and the normalize step of `npxkit run`.
pub fn execute(args: &NormalizeArgs) -> Result<String> {
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
    let mut record = RunRecord::start("normalize", options_json(args));

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

    let reference = args.reference - 1;
    if args.subset.is_none() && args.reference_medians.is_none() {
        let products = project_products(args, &longs)?;
        if products.iter().any(|p| *p != products[0]) {
            return run_cross_product(args, &longs, &projects, &products, &non_controls, record);
        }
    } else if args.products != "auto" {
        return Err(UsageError(
            "--products applies to bridge normalisation; cross-product bridging does not combine with --subset or --reference-medians".into(),
        )
        .into());
    }

    let subsets = match &args.subset {
        Some(path) => Some(read_sample_table(path, &projects, &mut record, false)?),
        None => None,
    };
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
    let table = build_table(&result, &longs, &projects, Vec::new(), Vec::new())?;
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
    Ok(format!(
        "normalize: {} project(s), reference {}; {}; {} rows written to {}",
        n,
        projects[reference].name,
        summary.join("; "),
        result.rows.len(),
        args.out.join("normalized.csv").display()
    ))
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
        "products": args.products,
        "product_mapping": args.product_mapping,
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
/// present, else appended), Adj_factor, then columns only other projects have, then
/// `extra`; a column named in `replace` takes the given values instead.
fn build_table(
    res: &Normalized,
    longs: &[NpxLong],
    projects: &[Project],
    mut replace: Vec<(&str, LongColumn)>,
    extra: Vec<(String, LongColumn)>,
) -> Result<LongTable> {
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
        if let Some(i) = replace.iter().position(|(n, _)| n == c) {
            let (_, column) = replace.swap_remove(i);
            t.push(c, column);
        } else if c == "Project" {
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
    for (name, column) in extra {
        t.push(&name, column);
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

// ---- cross-product bridging ------------------------------------------------------------

/// The product of each project: `--products`, or detected from the Panel column.
fn project_products(args: &NormalizeArgs, longs: &[NpxLong]) -> Result<Vec<Product>> {
    if args.products == "auto" {
        return Ok(longs
            .iter()
            .map(|l| match l.str_values(col::PANEL) {
                Some(v) => detect_product(v),
                None => Product::Other,
            })
            .collect());
    }
    let list: Vec<&str> = args.products.split(',').map(str::trim).collect();
    if list.len() != longs.len() {
        return Err(UsageError(format!(
            "--products lists {} product(s) for {} --npx file(s); give one per file, in --npx order (e.g. --products E3072,HT)",
            list.len(),
            longs.len()
        ))
        .into());
    }
    list.iter()
        .map(|s| {
            Product::parse(s).ok_or_else(|| {
                UsageError(format!(
                    "--products: `{s}` is not a product; use E3072, HT, Reveal or other"
                ))
                .into()
            })
        })
        .collect()
}

/// The columns cross-product bridging needs, from one delivery.
fn to_product_rows(long: &NpxLong, project: &Project, path: &Path) -> Result<ProductRows> {
    let names = column_names(long);
    let find = |aliases: &[&str]| {
        names
            .iter()
            .find(|c| {
                let n: String = c
                    .chars()
                    .filter(|ch| ch.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                aliases.contains(&n.as_str())
            })
            .cloned()
    };
    let need = |aliases: &[&str], what: &str| {
        find(aliases).ok_or_else(|| {
            anyhow!(
                "{}: no {what} column (found {}); cross-product bridging needs SampleType, AssayType and Count in both files, as Olink software exports them. Re-export the NPX file, or give --products other,other to bridge without product checks",
                path.display(),
                names.join(", ")
            )
        })
    };
    let count = need(&["count"], "Count")?;
    let sample_type = need(&["sampletype"], "SampleType")?;
    let assay_type = need(&["assaytype"], "AssayType")?;
    Ok(ProductRows {
        sample_id: project.sample_id.clone(),
        olink_id: project.olink_id.clone(),
        npx: project.npx.clone(),
        count: number_cells(long, &count, path)?,
        sample_type: text_cells(long, &sample_type),
        assay_type: text_cells(long, &assay_type),
        normalization: project.normalization.clone(),
    })
}

/// `npxkit normalize` for two projects from different Olink products.
fn run_cross_product(
    args: &NormalizeArgs,
    longs: &[NpxLong],
    projects: &[Project],
    products: &[Product],
    non_controls: &dyn Fn(usize) -> Vec<String>,
    mut record: RunRecord,
) -> Result<String> {
    let n = projects.len();
    let codes: Vec<&str> = products.iter().map(|p| p.code()).collect();
    if n != 2 {
        return Err(anyhow!(
            "the --npx files come from different Olink products ({}); cross-product bridging joins exactly two projects. Bridge the projects of each product first, then bridge the two products",
            codes.join(", ")
        ));
    }
    let rk = args.reference - 1;
    let ok = 1 - rk;
    let (pr, po) = (products[rk], products[ok]);
    if min_bridge_samples(po, pr).is_some() && !can_be_reference(pr) {
        return Err(UsageError(format!(
            "--reference {}: {} is {}, which cannot be the reference of a cross-product bridge; give the position of the {} file (--reference {})",
            args.reference,
            args.npx[rk].display(),
            pr.code(),
            po.code(),
            ok + 1
        ))
        .into());
    }
    if min_bridge_samples(po, pr).is_none() {
        return Err(anyhow!(
            "{} is {} and {} is {}: OlinkAnalyze bridges within one product or between Explore 3072 and Explore HT, Explore 3072 and Reveal, Explore HT and Reveal. Check the Panel columns, or give --products (e.g. --products other,other to bridge as one product)",
            args.npx[0].display(),
            codes[0],
            args.npx[1].display(),
            codes[1]
        ));
    }
    let mapping = match &args.product_mapping {
        Some(path) => {
            let bytes = npxkit_io::read_bytes(path)?;
            record.input(path, &bytes);
            let text = String::from_utf8(bytes)
                .map_err(|_| anyhow!("{}: not UTF-8 text; save it as UTF-8 TSV", path.display()))?;
            ProductMapping::parse(&text)
                .map_err(|e| anyhow!("{} (--product-mapping): {e}", path.display()))?
        }
        None => ProductMapping::olink(),
    };
    // bridge samples: the same SampleIDs in both products
    let bridge: Vec<String> = if args.bridge_samples == "auto" {
        let in_other: HashSet<String> = non_controls(ok).into_iter().collect();
        let shared: Vec<String> = non_controls(rk)
            .into_iter()
            .filter(|s| in_other.contains(s))
            .collect();
        if shared.is_empty() {
            return Err(anyhow!(
                "{} and {} share no SampleID apart from controls, so there are no bridge samples; cross-product bridging needs the same samples measured with both products",
                args.npx[rk].display(),
                args.npx[ok].display()
            ));
        }
        shared
    } else {
        let t = read_sample_table(Path::new(&args.bridge_samples), projects, &mut record, true)?;
        let (refs, samples) = t.bridges_of(ok, projects)?;
        if refs != samples {
            return Err(anyhow!(
                "{} (--bridge-samples): cross-product bridging pairs bridge samples by SampleID, so ReferenceSampleID must equal SampleID; rename the samples in one file instead",
                args.bridge_samples
            ));
        }
        samples
    };
    let reference = to_product_rows(&longs[rk], &projects[rk], &args.npx[rk])?;
    let other = to_product_rows(&longs[ok], &projects[ok], &args.npx[ok])?;
    let mut res = normalize_cross_product(
        &reference,
        &other,
        (pr, po),
        &bridge,
        &mapping,
        (&projects[rk].name, &projects[ok].name),
    )
    .context("cross-product bridging")?;
    if args.drop_bridge_copies {
        let b: HashSet<&str> = bridge.iter().map(String::as_str).collect();
        let before = res.rows.len();
        res.rows
            .retain(|r| r.project == 0 || !b.contains(other.sample_id[r.row].as_str()));
        record.note("removed_bridge_rows", json!(before - res.rows.len()));
    }
    let kmap = [rk, ok];
    for oid in &res.qs_too_few {
        log::warn!(
            "assay {oid}: fewer than {} usable bridge samples (Count > 10 in {}, NPX in both), so no quantile smoothing",
            res.min_bridge_samples,
            projects[rk].name
        );
    }
    for oid in &res.qs_rank_deficient {
        log::warn!("assay {oid}: too few distinct NPX values among the bridge samples for the quantile-smoothing spline; QSNormalizedNPX left missing");
    }
    let count = |r: npxkit_normalize::product::Recommendation| {
        res.bridgeability
            .iter()
            .filter(|b| b.recommendation == r)
            .count()
    };
    use npxkit_normalize::product::Recommendation as R;
    record.note(
        "cross_product",
        json!({
            "reference": {"project": projects[rk].name, "product": pr.code()},
            "other": {"project": projects[ok].name, "product": po.code()},
            "bridge_samples": bridge,
            "min_bridge_samples_qs": res.min_bridge_samples,
            "MedianCentering": count(R::MedianCentering),
            "QuantileSmoothing": count(R::QuantileSmoothing),
            "NotBridgeable": count(R::NotBridgeable),
            "NotOverlapping": count(R::NotOverlapping),
            "qs_too_few_bridge_samples": res.qs_too_few,
            "qs_rank_deficient": res.qs_rank_deficient,
        }),
    );

    // normalized.csv / .parquet
    let table = cross_product_table(&res, longs, projects, &kmap, (pr, po))?;
    table.write_delimited_file(&args.out.join("normalized.csv"), b';')?;
    record.output("normalized.csv");
    table.write_parquet_file(&args.out.join("normalized.parquet"))?;
    record.output("normalized.parquet");

    // adjustments.tsv: one row per project x assay
    let mut adj = TsvTable::new(["Project", "OlinkID", "Assay", "Adj_factor", "method"]);
    let assay_cols: Vec<Option<Vec<Option<&str>>>> =
        longs.iter().map(|l| l.str_values(col::ASSAY)).collect();
    let mut seen = HashSet::new();
    for r in &res.rows {
        let k = kmap[r.project];
        let key = (r.project, r.olink_id.as_str(), r.combined_olink_id.as_str());
        if !seen.insert(key) {
            continue;
        }
        let method = match (r.project, r.recommendation) {
            (0, Some(R::NotOverlapping)) | (1, _) => {
                r.recommendation.map_or("NA", |x| x.name()).to_string()
            }
            _ => "reference".to_string(),
        };
        adj.push(vec![
            projects[k].name.clone(),
            r.olink_id.clone(),
            fmt_text(assay_cols[k].as_ref().and_then(|v| v[r.row])),
            fmt_f64(r.adj_factor),
            method,
        ]);
    }
    adj.write_atomic(&args.out.join("adjustments.tsv"))?;
    record.output("adjustments.tsv");

    // bridgeability.tsv
    let tf = |b: Option<bool>| match b {
        None => "NA".to_string(),
        Some(true) => "fail".to_string(),
        Some(false) => "pass".to_string(),
    };
    let mut bt = TsvTable::new([
        "OlinkID".to_string(),
        format!("OlinkID_{}", pr.code()),
        format!("OlinkID_{}", po.code()),
        "Assay".to_string(),
        "n_bridge_pairs".to_string(),
        "range_reference".to_string(),
        "range_other".to_string(),
        "range_diff".to_string(),
        "range_check".to_string(),
        "median_count_reference".to_string(),
        "median_count_other".to_string(),
        "count_check".to_string(),
        "n_outliers".to_string(),
        "r2".to_string(),
        "r2_check".to_string(),
        "ks_d".to_string(),
        "qs_bridge_pairs".to_string(),
        "BridgingRecommendation".to_string(),
    ]);
    for b in &res.bridgeability {
        let assay = b
            .first_row
            .and_then(|(p, row)| assay_cols[kmap[p]].as_ref().and_then(|v| v[row]));
        let overlapping = b.recommendation != R::NotOverlapping;
        bt.push(vec![
            b.olink_id.clone(),
            fmt_text(Some(b.reference_olink_id.as_str()).filter(|s| !s.is_empty())),
            fmt_text(Some(b.other_olink_id.as_str()).filter(|s| !s.is_empty())),
            fmt_text(assay),
            if overlapping {
                b.n_pairs.to_string()
            } else {
                "NA".into()
            },
            fmt_f64(b.range_reference),
            fmt_f64(b.range_other),
            fmt_f64(b.range_diff),
            tf(b.range_fails()),
            fmt_f64(b.median_count_reference),
            fmt_f64(b.median_count_other),
            tf(b.low_count),
            if overlapping {
                b.n_outliers.to_string()
            } else {
                "NA".into()
            },
            fmt_f64(b.r2),
            tf(b.r2_fails()),
            fmt_f64(b.ks_d),
            if overlapping {
                b.qs_rows.to_string()
            } else {
                "NA".into()
            },
            b.recommendation.name().to_string(),
        ]);
    }
    bt.write_atomic(&args.out.join("bridgeability.tsv"))?;
    record.output("bridgeability.tsv");
    record.note("rows", json!(res.rows.len()));
    record.finish(&args.out)?;
    Ok(format!(
        "normalize: cross-product bridge {} ({}) -> {} ({}) over {} bridge samples; {} median centring, {} quantile smoothing, {} not bridgeable, {} not overlapping; {} rows written to {}",
        projects[ok].name,
        po.code(),
        projects[rk].name,
        pr.code(),
        bridge.len(),
        count(R::MedianCentering),
        count(R::QuantileSmoothing),
        count(R::NotBridgeable),
        count(R::NotOverlapping),
        res.rows.len(),
        args.out.join("normalized.csv").display()
    ))
}

/// The normalised long table of a cross-product bridge: the delivered columns with
/// OlinkID and NPX as `olink_normalization(format = TRUE)` sets them, Project,
/// Adj_factor, then OlinkID_<ref>, OlinkID_<other>, NPX_delivered, MedianCenteredNPX,
/// QSNormalizedNPX and BridgingRecommendation. LOD columns are carried unchanged
/// (OlinkAnalyze does not shift them across products); MaxLOD-like columns become the
/// per-assay maximum over the bridged rows.
fn cross_product_table(
    res: &CrossProduct,
    longs: &[NpxLong],
    projects: &[Project],
    kmap: &[usize; 2],
    products: (Product, Product),
) -> Result<LongTable> {
    let mut lod_names: Vec<String> = Vec::new();
    for &k in kmap {
        for c in &projects[k].lod {
            if !lod_names.contains(&c.name) {
                lod_names.push(c.name.clone());
            }
        }
    }
    let mut rows: Vec<NormalizedRow> = res
        .rows
        .iter()
        .map(|r| {
            let k = kmap[r.project];
            NormalizedRow {
                project: k,
                row: r.row,
                adj_factor: r.adj_factor,
                npx: r.npx,
                lod: lod_names
                    .iter()
                    .map(|n| {
                        projects[k]
                            .lod
                            .iter()
                            .find(|c| &c.name == n)
                            .map_or(f64::NAN, |c| c.values[r.row])
                    })
                    .collect(),
            }
        })
        .collect();
    // MaxLOD: per reference OlinkID over the bridged (overlapping) rows
    for (li, name) in lod_names.iter().enumerate() {
        if !is_max_lod_column(name) {
            continue;
        }
        let mut max: std::collections::HashMap<&str, f64> = std::collections::HashMap::new();
        for (r, o) in res.rows.iter().zip(&rows) {
            if !r.combined_olink_id.is_empty() && !o.lod[li].is_nan() {
                let e = max
                    .entry(r.reference_olink_id.as_str())
                    .or_insert(f64::NEG_INFINITY);
                *e = e.max(o.lod[li]);
            }
        }
        for (r, o) in res.rows.iter().zip(rows.iter_mut()) {
            if !r.combined_olink_id.is_empty() {
                o.lod[li] = max
                    .get(r.reference_olink_id.as_str())
                    .copied()
                    .unwrap_or(f64::NEG_INFINITY);
            }
        }
    }
    let mut methods = vec![String::new(); projects.len()];
    methods[kmap[0]] = "reference".into();
    methods[kmap[1]] = "cross-product".into();
    let normalized = Normalized {
        rows: std::mem::take(&mut rows),
        lod_names,
        methods,
        removed_assays: Vec::new(),
        removed_bridge_rows: 0,
    };
    let text = |f: &dyn Fn(&npxkit_normalize::product::CrossProductRow) -> &str| {
        LongColumn::Text(
            res.rows
                .iter()
                .map(|r| Some(f(r)).filter(|s| !s.is_empty()).map(String::from))
                .collect(),
        )
    };
    let number = |f: &dyn Fn(&npxkit_normalize::product::CrossProductRow) -> f64| {
        LongColumn::Number(res.rows.iter().map(f).collect())
    };
    let replace = vec![(col::OLINK_ID, text(&|r| r.olink_id.as_str()))];
    let extra = vec![
        (
            format!("OlinkID_{}", products.0.code()),
            text(&|r| r.reference_olink_id.as_str()),
        ),
        (
            format!("OlinkID_{}", products.1.code()),
            text(&|r| r.other_olink_id.as_str()),
        ),
        ("NPX_delivered".to_string(), number(&|r| r.npx_delivered)),
        (
            "MedianCenteredNPX".to_string(),
            number(&|r| r.median_centered),
        ),
        ("QSNormalizedNPX".to_string(), number(&|r| r.qs_normalized)),
        (
            "BridgingRecommendation".to_string(),
            text(&|r| r.recommendation.map_or("", |x| x.name())),
        ),
    ];
    build_table(&normalized, longs, projects, replace, extra)
}

// ---- LOD (--lod of the analysis commands) ---------------------------------------------

/// Recomputes the `LOD` and `MissingFreq` columns of a long table (`--lod
/// negative-controls|FILE`), as OlinkAnalyze's `olink_lod` does (npxkit-normalize's
/// `lod` module); columns OlinkAnalyze needs but the delivery lacks are replaced as
/// that module documents, with a warning.
pub fn apply_lod(
    long: NpxLong,
    spec: &str,
    control_pattern: &str,
    npx: &Path,
    record: &mut RunRecord,
) -> Result<NpxLong> {
    use npxkit_normalize::lod::{missing_freq, nc_lod, parse_fixed_lod, row_lod, LodInput};
    use polars::prelude::{Column, IntoColumn};

    let names = column_names(&long);
    let find = |alias: &str| {
        names
            .iter()
            .find(|c| {
                c.chars()
                    .filter(|ch| ch.is_ascii_alphanumeric())
                    .collect::<String>()
                    .eq_ignore_ascii_case(alias)
            })
            .cloned()
    };
    let mut substitutes: Vec<&str> = Vec::new();
    let opt_text = |alias: &str| find(alias).map(|c| text_cells(&long, &c));
    let text_or_none = |alias: &str| opt_text(alias).unwrap_or_else(|| vec![None; long.height()]);
    let opt_num = |alias: &str| -> Result<Option<Vec<f64>>> {
        match find(alias) {
            Some(c) => Ok(Some(number_cells(&long, &c, npx)?)),
            None => Ok(None),
        }
    };
    let sample_type = opt_text("sampletype");
    let negative_controls = spec == "negative-controls";
    if negative_controls && sample_type.is_none() {
        return Err(anyhow!(
            "--lod negative-controls: {} has no SampleType column, so the negative controls cannot be found; give a fixed LOD file (--lod FILE) instead",
            npx.display()
        ));
    }
    let pc = opt_num("pcnormalizednpx")?;
    if pc.is_none() {
        substitutes.push("NPX for PCNormalizedNPX");
    }
    let count = opt_num("count")?;
    if count.is_none() {
        substitutes.push("no Count: every assay uses lod_npx");
    }
    let darid = opt_text("dataanalysisrefid");
    if darid.is_none() {
        substitutes.push("no DataAnalysisRefID: one reagent lot");
    }
    let normalization = opt_text("normalization");
    if normalization.is_none() {
        substitutes.push("no Normalization: plate control");
    }
    let assay_type = match opt_text("assaytype") {
        Some(v) => v,
        None => {
            substitutes.push("no AssayType: every row is an assay");
            vec![Some("assay".to_string()); long.height()]
        }
    };
    let sample_qc = match long.str_values(col::SAMPLE_QC) {
        Some(v) => v.into_iter().map(|s| s.map(String::from)).collect(),
        None => {
            substitutes.push("no SampleQC: every sample passes");
            vec![Some("PASS".to_string()); long.height()]
        }
    };
    let d = LodInput {
        sample_id: text_cells(&long, col::SAMPLE_ID)
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect(),
        olink_id: text_cells(&long, col::OLINK_ID)
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect(),
        npx: long
            .f64_values(col::NPX)
            .ok_or_else(|| anyhow!("{}: no numeric NPX column", npx.display()))?,
        pc_normalized_npx: pc,
        ext_npx: opt_num("extnpx")?,
        count,
        sample_type: sample_type
            .clone()
            .unwrap_or_else(|| vec![None; long.height()]),
        sample_qc,
        assay_type,
        data_analysis_ref_id: darid.clone(),
        plate_id: text_or_none("plateid"),
        well_id: text_or_none("wellid"),
        panel: text_or_none("panel"),
        block: text_or_none("block"),
        normalization,
    };
    let lods = if negative_controls {
        nc_lod(&d).with_context(|| format!("--lod negative-controls on {}", npx.display()))?
    } else {
        let path = Path::new(spec);
        let bytes = npxkit_io::read_bytes(path).with_context(|| {
            format!("--lod {spec}: not `negative-controls` and not a readable fixed LOD file")
        })?;
        record.input(path, &bytes);
        let text =
            String::from_utf8(bytes).map_err(|_| anyhow!("{}: not UTF-8 text", path.display()))?;
        let Some(darid) = &darid else {
            return Err(anyhow!(
                "--lod {}: a fixed LOD file gives the LOD per DataAnalysisRefID, and {} has no DataAnalysisRefID column; use --lod negative-controls",
                path.display(),
                npx.display()
            ));
        };
        let keep: HashSet<String> = darid.iter().flatten().cloned().collect();
        let lods = parse_fixed_lod(&text, Some(&keep))
            .with_context(|| format!("reading the fixed LOD file {}", path.display()))?;
        if lods.is_empty() {
            return Err(anyhow!(
                "{}: no row of the fixed LOD file has a DataAnalysisRefID of {} ({}); download the LOD file of this product version from Olink",
                path.display(),
                npx.display(),
                keep.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        lods
    };
    for s in &substitutes {
        log::warn!("--lod: {}: {s}", npx.display());
    }
    let rows = row_lod(&d, &lods).with_context(|| format!("LOD of {}", npx.display()))?;
    let controls = ControlRule::new(control_pattern).map_err(|e| {
        UsageError(format!(
            "--control-pattern: not a valid regular expression: {e}"
        ))
    })?;
    let freq = missing_freq(&d.olink_id, &d.npx, &rows.lod, |i| {
        !controls.is_control(&d.sample_id[i], d.sample_type[i].as_deref())
    });
    let n_lod = rows.lod.iter().filter(|v| !v.is_nan()).count();
    let n_count = lods
        .iter()
        .filter(|l| l.method.name() == "lod_count")
        .count();
    log::info!(
        "--lod {spec}: LOD for {} assay x lot ({} count-based), {n_lod} of {} rows",
        lods.len(),
        n_count,
        d.npx.len()
    );
    record.note(
        "lod",
        json!({
            "source": spec,
            "assay_lots": lods.len(),
            "count_based": n_count,
            "rows_with_lod": n_lod,
            "substitutes": substitutes,
        }),
    );
    let source = long.source().clone();
    let mut df = long.into_frame();
    df.with_column(Column::new(col::LOD.into(), rows.lod).into_column())
        .and_then(|df| df.with_column(Column::new(col::MISSING_FREQ.into(), freq).into_column()))
        .map_err(|e| anyhow!("internal: replacing the LOD column: {e}"))?;
    Ok(NpxLong::new(df, source))
}
