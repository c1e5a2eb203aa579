//! **npxkit-normalize** puts several Olink NPX projects on one scale, as OlinkAnalyze
//! 5.0's `olink_normalization` family does (`olink_normalization`,
//! `olink_normalization_bridge`, `olink_normalization_subset`, `olink_normalization_n`).
//!
//! The crate works on plain columns ([`Project`]) and returns the normalised rows as
//! references into the inputs plus the adjusted numbers ([`Normalized`]); reading and
//! writing files is the caller's job.
//!
//! What OlinkAnalyze does, and so what this crate does:
//!
//! 1. **Assay cleaning** before every normalisation of two projects (or of one project
//!    to reference medians): rows whose OlinkID does not match `^OID\d{5}$` are dropped;
//!    when the project has a `Normalization` column, rows whose value is `EXCLUDED` or
//!    missing are dropped (dplyr's `filter` drops `NA`); assays not present in every
//!    input (both projects, and the reference medians) are dropped from all of them
//!    ([`Normalized::removed_assays`]; OlinkAnalyze warns, it does not fail).
//! 2. **Adjustment factors** per OlinkID:
//!    * bridge: R's `median(ref NPX - non-ref NPX, na.rm = TRUE)` over the bridge
//!      samples, pairs matched on SampleID × OlinkID (a pair missing in one project
//!      gives `NA`, which is ignored);
//!    * subset: `median(ref subset) - median(non-ref subset)` (each `na.rm = TRUE`);
//!    * reference median: `Reference_NPX - median(subset)`.
//!
//!    A factor that is `NA` becomes 0. An assay without any row among the bridge /
//!    subset samples of either project gets no factor at all, and its rows get
//!    `Adj_factor = NA` (so `NA` NPX), as the left join in OlinkAnalyze gives.
//! 3. The factor is added to NPX and to every LOD-like column ([`is_lod_column`]) of the
//!    non-reference project; the reference project's rows get factor 0. The output is
//!    the reference rows followed by the non-reference rows, in input order.
//! 4. MaxLOD-like columns ([`is_max_lod_column`]) are replaced by their per-assay
//!    maximum over the whole output (`max(na.rm = TRUE)`, `-Inf` when all are missing).
//! 5. **Chains** ([`normalize_chain`], `olink_normalization_n`): the first project of the
//!    chain is the reference and is kept as it is (no cleaning); every other project is
//!    normalised, in order, to the already normalised project it names. For a bridge
//!    step the bridge samples are positional pairs (`reference_samples[i]` ↔
//!    `samples[i]`), and the non-reference project's copies of its bridge samples are
//!    removed from the output. MaxLOD is updated at every step and at the end.
//!
//! Two projects with [`normalize_pair`] follow `olink_normalization` /
//! `olink_normalization_bridge`: both copies of the bridge samples stay in the output.

use std::collections::{HashMap, HashSet};

pub mod lod;
pub mod product;
pub mod spline;

/// Errors of the normalisation (bad sample lists, nothing to normalise).
#[derive(Debug, thiserror::Error)]
pub enum NormalizeError {
    /// A requested normalisation sample is not in the project.
    #[error("normalisation sample(s) missing from project {project}: {samples}; check the SampleIDs (they are case-sensitive)")]
    MissingSamples {
        /// The project's name.
        project: String,
        /// The missing SampleIDs, comma-separated.
        samples: String,
    },
    /// A sample list names the same sample twice.
    #[error("duplicated normalisation sample(s) for project {project}: {samples}; list each sample once")]
    DuplicatedSamples {
        /// The project's name.
        project: String,
        /// The duplicated SampleIDs, comma-separated.
        samples: String,
    },
    /// A normalisation sample has several rows for one assay in the project.
    #[error("normalisation sample(s) of project {project} have several rows for one assay (duplicate SampleIDs): {samples}; remove or rename the duplicates first")]
    DuplicateSampleRows {
        /// The project's name.
        project: String,
        /// The SampleIDs, comma-separated.
        samples: String,
    },
    /// No sample to normalise with.
    #[error("no normalisation samples for project {project}: {hint}")]
    NoSamples {
        /// The project's name.
        project: String,
        /// What to do.
        hint: String,
    },
    /// Bridge sample lists of different lengths.
    #[error("{reference} has {n_reference} bridge samples but {project} has {n_project}; bridge samples are pairs, give the same number for both")]
    UnequalBridges {
        /// The reference project's name.
        reference: String,
        /// The non-reference project's name.
        project: String,
        /// Number of reference bridge samples.
        n_reference: usize,
        /// Number of non-reference bridge samples.
        n_project: usize,
    },
    /// Every row of a project was removed by the assay cleaning.
    #[error("all assays were removed from project {0}: no OlinkID matches OID followed by 5 digits, or all are marked EXCLUDED, or none is shared with the other inputs")]
    NoAssays(String),
    /// A chain step refers to a project that is not normalised before it.
    #[error("chain step {step}: it must be normalised to an earlier project of the chain")]
    BadChain {
        /// 0-based index of the step.
        step: usize,
    },
    /// Duplicate OlinkIDs among the reference medians.
    #[error("the reference medians list assay(s) more than once: {0}")]
    DuplicatedMedians(String),
    /// Two products that OlinkAnalyze does not bridge.
    #[error("cannot bridge product {other} to {reference}: cross-product bridging supports Explore 3072 -> Explore HT, Explore 3072 -> Reveal and Explore HT <-> Reveal; check the Panel column or the --products option")]
    NotCrossProduct {
        /// The reference product's code.
        reference: &'static str,
        /// The other product's code.
        other: &'static str,
    },
    /// Explore 3072 given as the reference of a cross-product bridge.
    #[error("{reference} cannot be the reference when bridging {other} to it: make the Explore HT or Reveal project the reference (--reference)")]
    CrossProductReference {
        /// The reference product's code.
        reference: &'static str,
        /// The other product's code.
        other: &'static str,
    },
}

/// One LOD-like column of a project.
#[derive(Debug, Clone, PartialEq)]
pub struct LodColumn {
    /// The column name (as written in the output).
    pub name: String,
    /// One value per row; NaN for missing.
    pub values: Vec<f64>,
}

/// One project (one NPX delivery) in long form: one entry per row in each vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// The project's name (OlinkAnalyze's `Project` column), e.g. `P1`.
    pub name: String,
    /// SampleID of each row.
    pub sample_id: Vec<String>,
    /// OlinkID of each row.
    pub olink_id: Vec<String>,
    /// NPX of each row; NaN for missing.
    pub npx: Vec<f64>,
    /// The `Normalization` column, when the project has one (`None` cells are missing).
    pub normalization: Option<Vec<Option<String>>>,
    /// LOD-like columns, adjusted together with NPX.
    pub lod: Vec<LodColumn>,
}

impl Project {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.sample_id.len()
    }

    /// True when the project has no rows.
    pub fn is_empty(&self) -> bool {
        self.sample_id.is_empty()
    }

    /// Unique SampleIDs in order of first appearance.
    pub fn samples(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.sample_id
            .iter()
            .filter(|s| seen.insert(s.as_str()))
            .map(|s| s.as_str())
            .collect()
    }
}

/// The LOD column names OlinkAnalyze 5.0 recognises (`column_name_dict`, key `lod`);
/// all of them are adjusted with NPX.
pub const LOD_COLUMN_NAMES: [&str; 27] = [
    "LOD",
    "lod",
    "Plate LOD",
    "Plate_LOD",
    "PlateLOD",
    "plate lod",
    "plate_lod",
    "platelod",
    "Max LOD",
    "Max_LOD",
    "MaxLOD",
    "max lod",
    "max_lod",
    "maxlod",
    "LODNPX",
    "lodnpx",
    "LOD_NPX",
    "lod_npx",
    "PCNormalizedLOD",
    "pcnormalizedlod",
    "pc_normalized_lod",
    "NCLOD",
    "NCPCNormalizedLOD",
    "FixedLOD",
    "FixedPCNormalizedLOD",
    "LODIPCNormalizedNPX",
    "LODQuant",
];

/// True for a column OlinkAnalyze adjusts together with NPX.
pub fn is_lod_column(name: &str) -> bool {
    LOD_COLUMN_NAMES.contains(&name)
}

/// True for a LOD column whose name contains `max` (any case): after normalisation it
/// holds the per-assay maximum over all projects.
pub fn is_max_lod_column(name: &str) -> bool {
    is_lod_column(name) && name.to_ascii_lowercase().contains("max")
}

/// True for an OlinkID OlinkAnalyze normalises (`^OID\d{5}$`).
pub fn is_normalizable_olink_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 8 && b.starts_with(b"OID") && b[3..].iter().all(u8::is_ascii_digit)
}

/// How a project is normalised to its reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Bridge samples: positional pairs, `reference_samples[i]` in the reference
    /// project is the same specimen as `samples[i]` in this project (usually the
    /// same SampleIDs).
    Bridge {
        /// Bridge SampleIDs in the reference project.
        reference_samples: Vec<String>,
        /// Bridge SampleIDs in this project, in the same order.
        samples: Vec<String>,
    },
    /// Subset normalisation: difference of the medians of two sample subsets.
    Subset {
        /// Samples of the reference project.
        reference_samples: Vec<String>,
        /// Samples of this project.
        samples: Vec<String>,
    },
}

impl Method {
    /// The method's name in `adjustments.tsv`: `bridge` or `subset`.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Bridge { .. } => "bridge",
            Method::Subset { .. } => "subset",
        }
    }
}

/// One step of a chain: normalise project `project` to the already normalised
/// project `reference` (indices into the project list) with `method`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Index of the project to normalise.
    pub project: usize,
    /// Index of the project it is normalised to (normalised in an earlier step, or
    /// the chain's reference).
    pub reference: usize,
    /// Bridge or subset.
    pub method: Method,
}

/// One output row: a row of an input project with its adjusted values.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedRow {
    /// Index of the input project.
    pub project: usize,
    /// Row index in that project.
    pub row: usize,
    /// The adjustment factor added (0 for the reference; NaN when the assay had no
    /// factor).
    pub adj_factor: f64,
    /// The adjusted NPX.
    pub npx: f64,
    /// The adjusted LOD-like values, aligned with [`Normalized::lod_names`] (NaN when
    /// the project lacks the column).
    pub lod: Vec<f64>,
}

/// The result of a normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// Output rows in OlinkAnalyze's order.
    pub rows: Vec<NormalizedRow>,
    /// Union of the projects' LOD-like column names, in order of first appearance.
    pub lod_names: Vec<String>,
    /// Per project: the method that produced its factors (`reference` for the
    /// reference project).
    pub methods: Vec<String>,
    /// Assays dropped because they are not shared by all inputs of a normalisation:
    /// (project index, OlinkID), in order found.
    pub removed_assays: Vec<(usize, String)>,
    /// Number of rows removed as non-reference copies of bridge samples (chains).
    pub removed_bridge_rows: usize,
}

/// One assay's adjustment in one project (a row of `adjustments.tsv`).
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    /// Index of the project.
    pub project: usize,
    /// Row index (in that project) of the assay's first output row, to fetch its
    /// OlinkID and Assay name.
    pub first_row: usize,
    /// The factor (NaN when the assay had none).
    pub adj_factor: f64,
}

impl Normalized {
    /// One entry per project × assay present in the output, in order of first
    /// appearance (the factor is the same for all rows of an assay in a project).
    pub fn adjustments(&self, projects: &[Project]) -> Vec<Adjustment> {
        let mut seen: HashSet<(usize, &str)> = HashSet::new();
        let mut out = Vec::new();
        for r in &self.rows {
            let oid = projects[r.project].olink_id[r.row].as_str();
            if seen.insert((r.project, oid)) {
                out.push(Adjustment {
                    project: r.project,
                    first_row: r.row,
                    adj_factor: r.adj_factor,
                });
            }
        }
        out
    }
}

/// R's `median(x, na.rm = TRUE)`; NaN when nothing is left.
pub fn r_median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    if n % 2 == 1 {
        v[n / 2]
    } else {
        r_mean2(v[n / 2 - 1], v[n / 2])
    }
}

/// R's `mean(c(a, b))`: the sum divided by 2, refined by the mean of the residuals as
/// R's mean does.
fn r_mean2(a: f64, b: f64) -> f64 {
    let s = (a + b) / 2.0;
    let t = (a - s) + (b - s);
    s + t / 2.0
}

// ---- working table ---------------------------------------------------------------

#[derive(Debug, Clone)]
struct Row {
    project: usize,
    row: usize,
    sample: String,
    adj: f64,
    npx: f64,
    lod: Vec<f64>,
    /// False when the project has a Normalization column and this row is EXCLUDED/NA.
    norm_ok: bool,
}

struct Ctx<'a> {
    projects: &'a [Project],
    lod_names: Vec<String>,
    max_lod: Vec<bool>,
}

impl<'a> Ctx<'a> {
    fn new(projects: &'a [Project]) -> Self {
        let mut lod_names: Vec<String> = Vec::new();
        for p in projects {
            for c in &p.lod {
                if !lod_names.contains(&c.name) {
                    lod_names.push(c.name.clone());
                }
            }
        }
        let max_lod = lod_names.iter().map(|n| is_max_lod_column(n)).collect();
        Ctx {
            projects,
            lod_names,
            max_lod,
        }
    }

    fn oid(&self, r: &Row) -> &'a str {
        &self.projects[r.project].olink_id[r.row]
    }

    fn table(&self, k: usize) -> Vec<Row> {
        let p = &self.projects[k];
        let cols: Vec<Option<&LodColumn>> = self
            .lod_names
            .iter()
            .map(|n| p.lod.iter().find(|c| &c.name == n))
            .collect();
        (0..p.len())
            .map(|i| Row {
                project: k,
                row: i,
                sample: p.sample_id[i].clone(),
                adj: 0.0,
                npx: p.npx[i],
                lod: cols
                    .iter()
                    .map(|c| c.map_or(f64::NAN, |c| c.values[i]))
                    .collect(),
                norm_ok: match &p.normalization {
                    None => true,
                    Some(v) => v[i].as_deref().is_some_and(|s| s != "EXCLUDED"),
                },
            })
            .collect()
    }

    /// Drops non-OID and EXCLUDED rows, then assays not shared by every input.
    fn clean(
        &self,
        tables: &mut [&mut Vec<Row>],
        medians: Option<&[(String, f64)]>,
        names: &[usize],
        removed: &mut Vec<(usize, String)>,
    ) {
        for t in tables.iter_mut() {
            t.retain(|r| r.norm_ok && is_normalizable_olink_id(self.oid(r)));
        }
        let mut sets: Vec<(Option<usize>, Vec<&str>)> = tables
            .iter()
            .zip(names)
            .map(|(t, &k)| {
                let mut seen = HashSet::new();
                let ids = t
                    .iter()
                    .map(|r| self.oid(r))
                    .filter(|o| seen.insert(*o))
                    .collect();
                (Some(k), ids)
            })
            .collect();
        if let Some(m) = medians {
            let mut seen = HashSet::new();
            let ids = m
                .iter()
                .map(|(o, _)| o.as_str())
                .filter(|o| is_normalizable_olink_id(o) && seen.insert(*o))
                .collect();
            sets.push((None, ids));
        }
        let lookup: Vec<HashSet<&str>> = sets
            .iter()
            .map(|(_, v)| v.iter().copied().collect())
            .collect();
        let mut drop: HashSet<String> = HashSet::new();
        for (a, (ka, ids)) in sets.iter().enumerate() {
            for (b, other) in lookup.iter().enumerate() {
                if a == b {
                    continue;
                }
                for id in ids {
                    if !other.contains(id) && drop.insert(id.to_string()) {
                        if let Some(k) = ka {
                            removed.push((*k, id.to_string()));
                        }
                    }
                }
            }
        }
        if !drop.is_empty() {
            for t in tables.iter_mut() {
                t.retain(|r| !drop.contains(self.oid(r)));
            }
        }
    }

    fn adjust(&self, t: &mut [Row], factors: &HashMap<&str, f64>) {
        for r in t.iter_mut() {
            let f = factors
                .get(self.projects[r.project].olink_id[r.row].as_str())
                .copied()
                .unwrap_or(f64::NAN);
            r.adj = f;
            r.npx += f;
            for v in r.lod.iter_mut() {
                *v += f;
            }
        }
    }

    fn update_max_lod(&self, t: &mut [Row]) {
        for (c, is_max) in self.max_lod.iter().enumerate() {
            if !is_max {
                continue;
            }
            let mut max: HashMap<&str, f64> = HashMap::new();
            for r in t.iter() {
                let e = max.entry(self.oid(r)).or_insert(f64::NEG_INFINITY);
                let v = r.lod[c];
                if !v.is_nan() && v > *e {
                    *e = v;
                }
            }
            for r in t.iter_mut() {
                r.lod[c] = max[self.oid(r)];
            }
        }
    }

    /// Per-assay medians over `samples`, in order of first appearance.
    fn medians(&self, t: &[Row], samples: &HashSet<&str>) -> HashMap<&'a str, f64> {
        let mut groups: HashMap<&'a str, Vec<f64>> = HashMap::new();
        for r in t.iter().filter(|r| samples.contains(r.sample.as_str())) {
            groups.entry(self.oid(r)).or_default().push(r.npx);
        }
        groups.into_iter().map(|(k, v)| (k, r_median(&v))).collect()
    }

    fn bridge_factors(
        &self,
        rt: &[Row],
        nt: &[Row],
        samples: &HashSet<&str>,
    ) -> HashMap<&'a str, f64> {
        // full outer join on (SampleID, OlinkID), as pivot_wider does
        let mut pairs: HashMap<(&str, &'a str), (f64, f64)> = HashMap::new();
        for r in rt.iter().filter(|r| samples.contains(r.sample.as_str())) {
            pairs
                .entry((r.sample.as_str(), self.oid(r)))
                .or_insert((f64::NAN, f64::NAN))
                .0 = r.npx;
        }
        for r in nt.iter().filter(|r| samples.contains(r.sample.as_str())) {
            pairs
                .entry((r.sample.as_str(), self.oid(r)))
                .or_insert((f64::NAN, f64::NAN))
                .1 = r.npx;
        }
        let mut diffs: HashMap<&'a str, Vec<f64>> = HashMap::new();
        for ((_, oid), (a, b)) in pairs {
            diffs.entry(oid).or_default().push(a - b);
        }
        diffs
            .into_iter()
            .map(|(k, v)| {
                let m = r_median(&v);
                (k, if m.is_nan() { 0.0 } else { m })
            })
            .collect()
    }
}

fn check_samples(
    p: &Project,
    rows: &[Row],
    samples: &[String],
    ctx: &Ctx<'_>,
) -> Result<(), NormalizeError> {
    let present: HashSet<&str> = rows.iter().map(|r| r.sample.as_str()).collect();
    let missing: Vec<&str> = samples
        .iter()
        .map(|s| s.as_str())
        .filter(|s| !present.contains(s))
        .collect();
    if !missing.is_empty() {
        return Err(NormalizeError::MissingSamples {
            project: p.name.clone(),
            samples: missing.join(", "),
        });
    }
    let mut seen = HashSet::new();
    let mut dups: Vec<&str> = Vec::new();
    for s in samples {
        if !seen.insert(s.as_str()) && !dups.contains(&s.as_str()) {
            dups.push(s);
        }
    }
    if !dups.is_empty() {
        return Err(NormalizeError::DuplicatedSamples {
            project: p.name.clone(),
            samples: dups.join(", "),
        });
    }
    // samples with several rows for one assay (check_npx's sample_id_dups)
    let mut pairs = HashSet::new();
    let mut dup_rows: Vec<&str> = Vec::new();
    for r in rows {
        if seen.contains(r.sample.as_str())
            && !pairs.insert((r.sample.as_str(), ctx.oid(r)))
            && !dup_rows.contains(&r.sample.as_str())
        {
            dup_rows.push(r.sample.as_str());
        }
    }
    if !dup_rows.is_empty() {
        return Err(NormalizeError::DuplicateSampleRows {
            project: p.name.clone(),
            samples: dup_rows.join(", "),
        });
    }
    Ok(())
}

/// Normalises two tables (`olink_normalization` with `df1`, `df2`): returns the
/// reference rows then the adjusted non-reference rows, MaxLOD updated.
fn pair_rows(
    ctx: &Ctx<'_>,
    mut rt: Vec<Row>,
    mut nt: Vec<Row>,
    (rk, nk): (usize, usize),
    method: &Method,
    removed: &mut Vec<(usize, String)>,
) -> Result<Vec<Row>, NormalizeError> {
    let (rp, np) = (&ctx.projects[rk], &ctx.projects[nk]);
    let (rs, ns) = match method {
        Method::Bridge {
            reference_samples,
            samples,
        }
        | Method::Subset {
            reference_samples,
            samples,
        } => (reference_samples, samples),
    };
    for (p, s) in [(rp, rs), (np, ns)] {
        if s.is_empty() {
            return Err(NormalizeError::NoSamples {
                project: p.name.clone(),
                hint: "give bridge or subset samples present in the project".into(),
            });
        }
    }
    if let Method::Bridge { .. } = method {
        if rs.len() != ns.len() {
            return Err(NormalizeError::UnequalBridges {
                reference: rp.name.clone(),
                project: np.name.clone(),
                n_reference: rs.len(),
                n_project: ns.len(),
            });
        }
    }
    check_samples(rp, &rt, rs, ctx)?;
    check_samples(np, &nt, ns, ctx)?;
    ctx.clean(&mut [&mut rt, &mut nt], None, &[rk, nk], removed);
    for (t, p) in [(&rt, rp), (&nt, np)] {
        if t.is_empty() {
            return Err(NormalizeError::NoAssays(p.name.clone()));
        }
    }
    let factors = match method {
        Method::Bridge {
            reference_samples,
            samples,
        } => {
            // rename the non-reference bridge samples to the reference IDs
            let map: HashMap<&str, &str> = samples
                .iter()
                .map(|s| s.as_str())
                .zip(reference_samples.iter().map(|s| s.as_str()))
                .collect();
            let renamed: Vec<Row> = nt
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    if let Some(to) = map.get(r.sample.as_str()) {
                        r.sample = to.to_string();
                    }
                    r
                })
                .collect();
            let set: HashSet<&str> = reference_samples.iter().map(|s| s.as_str()).collect();
            ctx.bridge_factors(&rt, &renamed, &set)
        }
        Method::Subset {
            reference_samples,
            samples,
        } => {
            let a = ctx.medians(&rt, &reference_samples.iter().map(|s| s.as_str()).collect());
            let b = ctx.medians(&nt, &samples.iter().map(|s| s.as_str()).collect());
            let mut f: HashMap<&str, f64> = HashMap::new();
            for k in a.keys().chain(b.keys()) {
                let d =
                    a.get(k).copied().unwrap_or(f64::NAN) - b.get(k).copied().unwrap_or(f64::NAN);
                f.insert(k, if d.is_nan() { 0.0 } else { d });
            }
            f
        }
    };
    for r in rt.iter_mut() {
        r.adj = 0.0;
    }
    ctx.adjust(&mut nt, &factors);
    rt.extend(nt);
    ctx.update_max_lod(&mut rt);
    Ok(rt)
}

fn finish(
    ctx: Ctx<'_>,
    rows: Vec<Row>,
    methods: Vec<String>,
    removed: Vec<(usize, String)>,
    removed_bridge_rows: usize,
) -> Normalized {
    Normalized {
        rows: rows
            .into_iter()
            .map(|r| NormalizedRow {
                project: r.project,
                row: r.row,
                adj_factor: r.adj,
                npx: r.npx,
                lod: r.lod,
            })
            .collect(),
        lod_names: ctx.lod_names,
        methods,
        removed_assays: removed,
        removed_bridge_rows,
    }
}

/// Normalises two projects as `olink_normalization` (bridge or subset), with project
/// `reference` (0 or 1) as the reference. For a bridge whose sample IDs differ
/// between the projects this is `olink_normalization_bridge`. Both copies of the
/// bridge samples stay in the output.
pub fn normalize_pair(
    projects: &[Project; 2],
    reference: usize,
    method: &Method,
) -> Result<Normalized, NormalizeError> {
    let ctx = Ctx::new(projects);
    let (rk, nk) = if reference == 0 { (0, 1) } else { (1, 0) };
    let mut removed = Vec::new();
    let rows = pair_rows(
        &ctx,
        ctx.table(rk),
        ctx.table(nk),
        (rk, nk),
        method,
        &mut removed,
    )?;
    let mut methods = vec![String::new(); 2];
    methods[rk] = "reference".into();
    methods[nk] = method.name().into();
    Ok(finish(ctx, rows, methods, removed, 0))
}

/// Normalises one project to reference medians (`olink_normalization` with
/// `reference_medians`): factor = `Reference_NPX - median(NPX over samples)`.
pub fn normalize_reference_median(
    project: &Project,
    samples: &[String],
    medians: &[(String, f64)],
) -> Result<Normalized, NormalizeError> {
    let projects = std::slice::from_ref(project);
    let ctx = Ctx::new(projects);
    let mut seen = HashSet::new();
    let mut dups: Vec<&str> = Vec::new();
    for (o, _) in medians {
        if !seen.insert(o.as_str()) && !dups.contains(&o.as_str()) {
            dups.push(o);
        }
    }
    if !dups.is_empty() {
        return Err(NormalizeError::DuplicatedMedians(dups.join(", ")));
    }
    if samples.is_empty() {
        return Err(NormalizeError::NoSamples {
            project: project.name.clone(),
            hint: "give the samples whose medians are compared with the reference medians".into(),
        });
    }
    let mut t = ctx.table(0);
    check_samples(project, &t, samples, &ctx)?;
    let mut removed = Vec::new();
    ctx.clean(&mut [&mut t], Some(medians), &[0], &mut removed);
    if t.is_empty() {
        return Err(NormalizeError::NoAssays(project.name.clone()));
    }
    let set: HashSet<&str> = samples.iter().map(|s| s.as_str()).collect();
    let med = ctx.medians(&t, &set);
    let reference: HashMap<&str, f64> = medians.iter().map(|(o, v)| (o.as_str(), *v)).collect();
    let factors: HashMap<&str, f64> = med
        .iter()
        .map(|(k, m)| {
            let d = reference.get(k).copied().unwrap_or(f64::NAN) - m;
            (*k, if d.is_nan() { 0.0 } else { d })
        })
        .collect();
    ctx.adjust(&mut t, &factors);
    ctx.update_max_lod(&mut t);
    Ok(finish(ctx, t, vec!["reference_median".into()], removed, 0))
}

/// Normalises a chain of projects as `olink_normalization_n`: project `reference` is
/// kept as it is; `steps` are applied in order, each to a project not yet normalised,
/// against a project already normalised. The non-reference copies of bridge samples
/// are removed. Output: the reference's rows, then each step's project's rows.
pub fn normalize_chain(
    projects: &[Project],
    reference: usize,
    steps: &[Step],
) -> Result<Normalized, NormalizeError> {
    let ctx = Ctx::new(projects);
    let mut done: Vec<Option<Vec<Row>>> = vec![None; projects.len()];
    let mut order = vec![reference];
    done[reference] = Some(ctx.table(reference));
    let mut methods = vec![String::new(); projects.len()];
    methods[reference] = "reference".into();
    let mut removed = Vec::new();
    let mut removed_bridge_rows = 0;
    for (i, st) in steps.iter().enumerate() {
        let Some(Some(rt)) = done.get(st.reference) else {
            return Err(NormalizeError::BadChain { step: i });
        };
        if st.project >= projects.len() || done[st.project].is_some() {
            return Err(NormalizeError::BadChain { step: i });
        }
        let rt: Vec<Row> = rt.clone();
        let rows = pair_rows(
            &ctx,
            rt,
            ctx.table(st.project),
            (st.reference, st.project),
            &st.method,
            &mut removed,
        )?;
        let before = rows.len();
        let drop: HashSet<&str> = match &st.method {
            Method::Bridge { samples, .. } => samples.iter().map(|s| s.as_str()).collect(),
            Method::Subset { .. } => HashSet::new(),
        };
        let kept: Vec<Row> = rows
            .into_iter()
            .filter(|r| r.project == st.project)
            .collect();
        let n_own = kept.len();
        let kept: Vec<Row> = kept
            .into_iter()
            .filter(|r| !drop.contains(r.sample.as_str()))
            .collect();
        removed_bridge_rows += n_own - kept.len();
        let _ = before;
        done[st.project] = Some(kept);
        methods[st.project] = st.method.name().into();
        order.push(st.project);
    }
    let mut all = Vec::new();
    for k in order {
        if let Some(t) = done[k].take() {
            all.extend(t);
        }
    }
    ctx.update_max_lod(&mut all);
    Ok(finish(ctx, all, methods, removed, removed_bridge_rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(name: &str, rows: &[(&str, &str, f64)]) -> Project {
        Project {
            name: name.into(),
            sample_id: rows.iter().map(|r| r.0.to_string()).collect(),
            olink_id: rows.iter().map(|r| r.1.to_string()).collect(),
            npx: rows.iter().map(|r| r.2).collect(),
            normalization: None,
            lod: vec![LodColumn {
                name: "LOD".into(),
                values: vec![1.0; rows.len()],
            }],
        }
    }

    #[test]
    fn median_as_r() {
        assert_eq!(r_median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(r_median(&[4.0, 1.0, f64::NAN, 2.0, 3.0]), 2.5);
        assert!(r_median(&[f64::NAN]).is_nan());
        assert!(is_normalizable_olink_id("OID01234"));
        assert!(!is_normalizable_olink_id("OID0123"));
        assert!(is_max_lod_column("MaxLOD") && !is_max_lod_column("PlateLOD"));
    }

    #[test]
    fn bridge_by_hand() {
        let a = project(
            "P1",
            &[
                ("B1", "OID00001", 5.0),
                ("B2", "OID00001", 7.0),
                ("S1", "OID00001", 1.0),
            ],
        );
        let b = project(
            "P2",
            &[
                ("B1", "OID00001", 4.0),
                ("B2", "OID00001", 5.0),
                ("T1", "OID00001", 0.0),
            ],
        );
        let m = Method::Bridge {
            reference_samples: vec!["B1".into(), "B2".into()],
            samples: vec!["B1".into(), "B2".into()],
        };
        let n = normalize_pair(&[a, b], 0, &m).unwrap();
        // diffs 1 and 2: median 1.5
        assert_eq!(n.rows.len(), 6);
        assert_eq!(n.rows[5].adj_factor, 1.5);
        assert_eq!(n.rows[5].npx, 1.5);
        assert_eq!(n.rows[5].lod, vec![2.5]);
        assert_eq!(n.rows[0].adj_factor, 0.0);
    }

    #[test]
    fn errors() {
        let a = project("P1", &[("B1", "OID00001", 5.0)]);
        let b = project("P2", &[("B2", "OID00001", 4.0)]);
        let m = Method::Bridge {
            reference_samples: vec!["B1".into()],
            samples: vec!["B1".into()],
        };
        let e = normalize_pair(&[a, b], 0, &m).unwrap_err();
        assert!(e.to_string().contains("missing from project P2: B1"), "{e}");
    }
}

/// Which samples are Olink controls, by the rule `npxkit qc` uses: a `SampleType`
/// other than `SAMPLE` when the file has one, else a SampleID matching a pattern.
#[derive(Debug, Clone)]
pub struct ControlRule {
    re: regex::Regex,
}

impl ControlRule {
    /// A rule with `pattern` for SampleIDs (e.g. npxkit-core's default control pattern).
    pub fn new(pattern: &str) -> Result<Self, regex::Error> {
        Ok(ControlRule {
            re: regex::Regex::new(pattern)?,
        })
    }

    /// True for a control sample.
    pub fn is_control(&self, sample_id: &str, sample_type: Option<&str>) -> bool {
        match sample_type {
            Some(t) => !t.eq_ignore_ascii_case("SAMPLE"),
            None => self.re.is_match(sample_id),
        }
    }
}
