//! Scatter/gather for `npxkit de`: `--shard K/N` fits one slice of the assays and
//! writes its per-assay fits; `--merge` joins the slices and runs the empirical Bayes
//! step (the only part that needs every assay) to write the de.tsv of one run.
//!
//! Why exact: limma's per-assay least squares depend only on the assay's values, the
//! design and its missing-value pattern, never on other assays, so a slice fits its
//! assays to the same bits as the whole matrix does. Numbers cross the partial file in
//! Rust's shortest round-trip notation (NaN and infinities included), so they come
//! back bit for bit. A partial file is a header line (`#npxkit-de-partial` and JSON:
//! version, shard, options fingerprint, design, contrasts) and a TSV of the slice's
//! fits. The merge checks that every shard 1..N is there once, that the fingerprints,
//! designs and contrasts agree, and that the slices tile the assays.

use anyhow::{bail, Context, Result};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::UsageError;
use npxkit_core::{AssayInfo, Contrast, Design};
use npxkit_limma::LinearModelFit;

/// File name of a shard's output.
pub const PARTIAL_NAME: &str = "de.partial.tsv";
const MAGIC: &str = "#npxkit-de-partial ";
const END: &str = "#end";

/// `K/N` of `--shard`.
pub fn parse_shard(spec: &str) -> Result<(usize, usize)> {
    let bad = || {
        UsageError(format!(
            "--shard `{spec}`: expected K/N with 1 <= K <= N, e.g. --shard 2/4"
        ))
    };
    let (k, n) = spec.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad().into());
    }
    Ok((k, n))
}

/// Rows `start..end` of shard `k` of `n` over `total` assays (equal slices, the first
/// `total % n` one longer).
pub fn slice(k: usize, n: usize, total: usize) -> (usize, usize) {
    let base = total / n;
    let extra = total % n;
    let start = (k - 1) * base + (k - 1).min(extra);
    let len = base + usize::from(k - 1 < extra);
    (start, start + len)
}

/// The header of a partial file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PartialHeader {
    /// npxkit version that wrote it.
    pub version: String,
    /// This shard (1-based).
    pub shard: usize,
    /// Number of shards.
    pub shards: usize,
    /// Assays in the whole matrix.
    pub total_assays: usize,
    /// First assay row of this slice.
    pub start: usize,
    /// The options that must agree across shards (de options and input checksums).
    pub fingerprint: serde_json::Value,
    /// Coefficient names.
    pub coef_names: Vec<String>,
    /// Whether each coefficient is estimable.
    pub estimable: Vec<bool>,
    /// Names of non-estimable coefficients.
    pub not_estimable: Vec<String>,
    /// (XᵀX)⁻¹ of the full design, row-major, in Rust float notation.
    pub cov_coefficients: Vec<String>,
    /// The contrasts: name, level, baseline, weights, coef.
    pub contrasts: Vec<ContrastSpec>,
}

/// A contrast as stored in the partial file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ContrastSpec {
    name: String,
    level: String,
    baseline: String,
    weights: Vec<String>,
    coef: Option<usize>,
}

fn f(x: f64) -> String {
    format!("{x}")
}

fn parse_f(s: &str, path: &Path, line: usize) -> Result<f64> {
    s.parse::<f64>()
        .with_context(|| format!("{} line {line}: `{s}` is not a number", path.display()))
}

/// Writes the partial file of one slice: `fit` holds the slice's assays
/// (`assays[start..]`).
pub fn write_partial(
    path: &Path,
    header: &PartialHeader,
    assays: &[AssayInfo],
    fit: &LinearModelFit,
) -> Result<()> {
    let head = serde_json::to_string(header)?;
    let p = fit.n_coefs();
    npxkit_io::write_atomic(path, |w| {
        writeln!(w, "{MAGIC}{head}")?;
        let mut cols = vec![
            "OlinkID",
            "UniProt",
            "Assay",
            "sigma",
            "df_residual",
            "amean",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        cols.extend((0..p).map(|j| format!("coef{j}")));
        cols.extend((0..p).map(|j| format!("stdev{j}")));
        writeln!(w, "{}", cols.join("\t"))?;
        for (i, a) in assays.iter().enumerate() {
            let mut row = vec![
                a.olink_id.clone(),
                a.uniprot.clone().unwrap_or_else(|| "NA".into()),
                a.assay.clone().unwrap_or_else(|| "NA".into()),
                f(fit.sigma[i]),
                f(fit.df_residual[i]),
                f(fit.amean[i]),
            ];
            row.extend((0..p).map(|j| f(fit.coefficients[[i, j]])));
            row.extend((0..p).map(|j| f(fit.stdev_unscaled[[i, j]])));
            writeln!(w, "{}", row.join("\t"))?;
        }
        // The end mark: a cut-off file (a killed job, a partial copy) is refused.
        writeln!(w, "{END}\t{}", assays.len())
    })
    .with_context(|| format!("writing {}", path.display()))
}

/// The header fields that describe the design.
pub fn header_for(
    shard: (usize, usize),
    total: usize,
    start: usize,
    fingerprint: serde_json::Value,
    design: &Design,
    fit: &LinearModelFit,
) -> PartialHeader {
    PartialHeader {
        version: env!("CARGO_PKG_VERSION").into(),
        shard: shard.0,
        shards: shard.1,
        total_assays: total,
        start,
        fingerprint,
        coef_names: fit.coef_names.clone(),
        estimable: fit.estimable.clone(),
        not_estimable: fit.not_estimable.clone(),
        cov_coefficients: fit.cov_coefficients.iter().map(|&x| f(x)).collect(),
        contrasts: design
            .contrasts
            .iter()
            .map(|c| ContrastSpec {
                name: c.name.clone(),
                level: c.level.clone(),
                baseline: c.baseline.clone(),
                weights: c.weights.iter().map(|&x| f(x)).collect(),
                coef: c.coef,
            })
            .collect(),
    }
}

/// What the merge rebuilds: every assay, the whole fit, the design's contrasts.
pub struct Merged {
    /// The options of the shards (identical in all).
    pub fingerprint: serde_json::Value,
    /// Assays in matrix order.
    pub assays: Vec<AssayInfo>,
    /// The fit of all assays, as one unsharded lm_fit would give.
    pub fit: LinearModelFit,
    /// A design carrying the coefficient names and contrasts (no matrix).
    pub design: Design,
}

struct Partial {
    header: PartialHeader,
    assays: Vec<AssayInfo>,
    rows: Vec<Vec<f64>>,
}

fn read_partial(path: &Path) -> Result<Partial> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("");
    let json = first.strip_prefix(MAGIC).ok_or_else(|| {
        anyhow::anyhow!(
            "{}: not a partial file of `npxkit de --shard` (line 1 should start with `{}`)",
            path.display(),
            MAGIC.trim()
        )
    })?;
    let header: PartialHeader = serde_json::from_str(json)
        .with_context(|| format!("{} line 1: unreadable header", path.display()))?;
    let cols: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let p = header.coef_names.len();
    if cols.len() != 6 + 2 * p {
        bail!(
            "{} line 2: {} columns where {} coefficients need {}",
            path.display(),
            cols.len(),
            p,
            6 + 2 * p
        );
    }
    let mut assays = Vec::new();
    let mut rows = Vec::new();
    let body: Vec<&str> = lines.collect();
    let complete = body
        .last()
        .and_then(|l| l.strip_prefix(END))
        .and_then(|n| n.trim().parse::<usize>().ok())
        == Some(body.len().saturating_sub(1));
    if !complete {
        bail!(
            "{}: truncated (no `{END}` line after the last assay); re-run that shard",
            path.display()
        );
    }
    for (i, line) in body[..body.len() - 1].iter().enumerate() {
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() != cols.len() {
            bail!(
                "{} line {}: {} fields where the header has {} (a truncated shard? re-run it)",
                path.display(),
                i + 3,
                cells.len(),
                cols.len()
            );
        }
        let text = |s: &str| (s != "NA").then(|| s.to_string());
        assays.push(AssayInfo {
            olink_id: cells[0].to_string(),
            uniprot: text(cells[1]),
            assay: text(cells[2]),
            panel: None,
            lod: f64::NAN,
            missing_fraction: f64::NAN,
            below_lod_fraction: f64::NAN,
        });
        rows.push(
            cells[3..]
                .iter()
                .map(|c| parse_f(c, path, i + 3))
                .collect::<Result<Vec<f64>>>()?,
        );
    }
    Ok(Partial {
        header,
        assays,
        rows,
    })
}

/// Reads and checks every partial file, and rebuilds the whole fit.
pub fn merge(paths: &[std::path::PathBuf]) -> Result<Merged> {
    let mut parts: Vec<Partial> = paths
        .iter()
        .map(|p| read_partial(p))
        .collect::<Result<_>>()?;
    parts.sort_by_key(|p| p.header.shard);
    let first = &parts[0].header;
    let n = first.shards;
    let shard_list: Vec<usize> = parts.iter().map(|p| p.header.shard).collect();
    let want: Vec<usize> = (1..=n).collect();
    if shard_list != want {
        let missing: Vec<String> = want
            .iter()
            .filter(|k| !shard_list.contains(k))
            .map(|k| format!("{k}/{n}"))
            .collect();
        let twice: Vec<String> = want
            .iter()
            .filter(|k| shard_list.iter().filter(|s| s == k).count() > 1)
            .map(|k| format!("{k}/{n}"))
            .collect();
        return Err(UsageError(format!(
            "--merge needs every shard of {n} exactly once; missing: {}; given twice: {}",
            if missing.is_empty() {
                "none".into()
            } else {
                missing.join(", ")
            },
            if twice.is_empty() {
                "none".into()
            } else {
                twice.join(", ")
            }
        ))
        .into());
    }
    for (p, path) in parts.iter().zip(paths) {
        let h = &p.header;
        let same = h.shards == first.shards
            && h.total_assays == first.total_assays
            && h.fingerprint == first.fingerprint
            && h.coef_names == first.coef_names
            && h.contrasts == first.contrasts
            && h.cov_coefficients == first.cov_coefficients;
        if !same {
            return Err(UsageError(format!(
                "--merge: shard {}/{} was made with other options, inputs or design than shard 1 \
                 (compare the headers of the partial files); re-run every shard with the same command",
                h.shard, h.shards
            ))
            .into());
        }
        let _ = path;
    }
    // The slices must tile 0..total in order.
    let total = first.total_assays;
    let mut next = 0;
    for p in &parts {
        let (s, e) = slice(p.header.shard, n, total);
        if p.header.start != s || p.rows.len() != e - s || s != next {
            bail!(
                "--merge: shard {}/{n} holds {} assays from row {}, expected {} from row {s}",
                p.header.shard,
                p.rows.len(),
                p.header.start,
                e - s
            );
        }
        next = e;
    }
    let pcoef = first.coef_names.len();
    let mut coefficients = Array2::zeros((total, pcoef));
    let mut stdev = Array2::zeros((total, pcoef));
    let mut sigma = Array1::zeros(total);
    let mut df = Array1::zeros(total);
    let mut amean = Array1::zeros(total);
    let mut assays = Vec::with_capacity(total);
    let mut i = 0;
    for p in &parts {
        for (a, row) in p.assays.iter().zip(&p.rows) {
            sigma[i] = row[0];
            df[i] = row[1];
            amean[i] = row[2];
            for j in 0..pcoef {
                coefficients[[i, j]] = row[3 + j];
                stdev[[i, j]] = row[3 + pcoef + j];
            }
            assays.push(a.clone());
            i += 1;
        }
    }
    let parse = |v: &[String]| -> Result<Vec<f64>> {
        v.iter()
            .map(|s| s.parse::<f64>().context("a number in a partial header"))
            .collect()
    };
    let cov = Array2::from_shape_vec((pcoef, pcoef), parse(&first.cov_coefficients)?)
        .context("the header's cov_coefficients")?;
    let fit = LinearModelFit {
        coefficients,
        stdev_unscaled: stdev,
        sigma,
        df_residual: df,
        amean,
        cov_coefficients: cov,
        coef_names: first.coef_names.clone(),
        estimable: first.estimable.clone(),
        not_estimable: first.not_estimable.clone(),
        partial_na_assays: 0,
    };
    let contrasts = first
        .contrasts
        .iter()
        .map(|c| {
            Ok(Contrast {
                name: c.name.clone(),
                level: c.level.clone(),
                baseline: c.baseline.clone(),
                weights: parse(&c.weights)?,
                coef: c.coef,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let design = Design {
        matrix: Array2::zeros((0, pcoef)),
        coef_names: first.coef_names.clone(),
        samples: vec![],
        dropped: vec![],
        group_levels: vec![],
        contrasts,
        warnings: vec![],
    };
    Ok(Merged {
        fingerprint: first.fingerprint.clone(),
        assays,
        fit,
        design,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_tile_the_assays() {
        for total in [0, 1, 7, 150, 5400] {
            for n in 1..=9 {
                let mut next = 0;
                for k in 1..=n {
                    let (s, e) = slice(k, n, total);
                    assert_eq!(s, next);
                    assert!(e - s <= total / n + 1);
                    next = e;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn shard_specs() {
        assert_eq!(parse_shard("2/4").unwrap(), (2, 4));
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn floats_round_trip_through_text() {
        for x in [0.1 + 0.2, 1e-300, -2.5e17, f64::MIN_POSITIVE, 1.0 / 3.0] {
            assert_eq!(f(x).parse::<f64>().unwrap().to_bits(), x.to_bits());
        }
        assert!(f(f64::NAN).parse::<f64>().unwrap().is_nan());
        assert_eq!(f(f64::INFINITY).parse::<f64>().unwrap(), f64::INFINITY);
    }
}
