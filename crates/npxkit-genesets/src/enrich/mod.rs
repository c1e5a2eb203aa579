//! Enrichment numerics: over-representation (ORA), camera and fry, each a
//! pure function of restricted set members, mirroring limma 3.54.
//!
//! Sets come in as assay rows (from [`crate::restrict()`]:
//! [`RestrictedSet::members`](crate::RestrictedSet::members) or
//! `unique_members`); results come back one row per set, **in input order**,
//! each row carrying its set's index so callers can sort (R sorts by
//! p-value; [`sort_by_p`] does the same, stably). Nothing here reads files
//! or prints.
//!
//! # Sections
//! - [`ora`](mod@ora): [`ora()`], one-sided hypergeometric tests for up- and
//!   down-regulated assays as limma's `kegga`/`goana`; [`phyper_upper`].
//! - [`camera`](mod@camera): [`camera()`], limma's `camera` (competitive,
//!   inter-gene correlation fixed or estimated, optionally rank-based).
//! - [`camera`](mod@camera) also has [`camera_pr()`], limma's `cameraPR` on a
//!   statistic per assay (the moderated t of a de.tsv).
//! - [`fry`](mod@fry): [`fry()`], limma's `fry` (self-contained, the
//!   closed-form limit of `roast`).
//! - [`gsea`](mod@gsea): [`gsea()`], preranked GSEA (weighted
//!   Kolmogorov–Smirnov enrichment score, NES and p-values from seeded
//!   permutations of gene labels shared by the sets of one size), as fgsea's
//!   simple method.
//!
//! Degenerate sets (empty, or covering every assay for camera) give NaN
//! statistics rather than errors, so one odd set never stops a run.
//!
//! # References
//! - Young, M. D., Wakefield, M. J., Smyth, G. K. and Oshlack, A. (2010). Gene
//!   ontology analysis for RNA-seq: accounting for selection bias. *Genome
//!   Biology* 11, R14. doi:10.1186/gb-2010-11-2-r14
//! - Wu, D. and Smyth, G. K. (2012). Camera: a competitive gene set test
//!   accounting for inter-gene correlation. *Nucleic Acids Research* 40, e133.
//!   doi:10.1093/nar/gks461
//! - Wu, D., Lim, E., Vaillant, F., Asselin-Labat, M.-L., Visvader, J. E. and
//!   Smyth, G. K. (2010). ROAST: rotation gene set tests for complex
//!   microarray experiments. *Bioinformatics* 26, 2176–2182.
//!   doi:10.1093/bioinformatics/btq401
//! - Subramanian, A., Tamayo, P., Mootha, V. K. et al. (2005). Gene set
//!   enrichment analysis. *PNAS* 102, 15545–15550. doi:10.1073/pnas.0506580102
//! - Korotkevich, G., Sukhov, V., Budin, N. et al. (2021). Fast gene set
//!   enrichment analysis. *bioRxiv*. doi:10.1101/060012

pub mod camera;
pub mod fry;
pub mod gsea;
pub mod ora;

pub use camera::{
    camera, camera_pr, zscore_t_hill, CameraOptions, CameraPrOptions, CameraRow,
    DEFAULT_INTER_GENE_COR,
};
pub use fry::{fry, FryRow};
pub use gsea::{gsea, GseaOptions, GseaRow};
pub use ora::{ora, phyper_upper, OraRow};

use npxkit_limma::LimmaError;

/// Direction of change of a set (R's `Direction` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The set's statistics lean positive.
    Up,
    /// The set's statistics lean negative.
    Down,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Up => "Up",
            Self::Down => "Down",
        })
    }
}

/// What is wrong with the inputs of an enrichment method.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EnrichError {
    /// Fewer assays than the method needs.
    #[error("{found} assay(s) in the matrix; camera needs at least 3")]
    TooFewAssays {
        /// Assays given.
        found: usize,
    },
    /// No residual degrees of freedom.
    #[error("{samples} samples and {coefs} design columns leave no residual degrees of freedom; add samples or simplify the design")]
    NoResidualDf {
        /// Samples (columns of the matrix).
        samples: usize,
        /// Columns of the design.
        coefs: usize,
    },
    /// The coefficient to test is not a column of the design.
    #[error("coefficient {coef} is not a column of the design ({coefs} columns, 0-based)")]
    InvalidCoef {
        /// The coefficient asked for (0-based).
        coef: usize,
        /// Columns of the design.
        coefs: usize,
    },
    /// The design is not of full column rank.
    #[error(
        "design matrix is not of full rank (rank {rank} < {coefs} columns); drop aliased columns"
    )]
    RankDeficient {
        /// Rank found.
        rank: usize,
        /// Columns of the design.
        coefs: usize,
    },
    /// A set refers to a row beyond the matrix.
    #[error("set {set} has member row {row} but the matrix has {assays} rows")]
    MemberOutOfRange {
        /// 0-based set index.
        set: usize,
        /// The offending row.
        row: usize,
        /// Rows of the matrix.
        assays: usize,
    },
    /// A per-assay statistic is NaN or infinite (camera-pr, GSEA).
    #[error(
        "the statistic of row {row} is not a finite number; leave out assays without a statistic"
    )]
    NonFiniteStatistic {
        /// The 0-based row.
        row: usize,
    },
    /// A set lists the same row twice (GSEA needs distinct members).
    #[error("set {set} lists member row {row} more than once")]
    DuplicateMember {
        /// 0-based set index.
        set: usize,
        /// The repeated row.
        row: usize,
    },
    /// An option is out of range.
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption {
        /// The option.
        option: &'static str,
        /// Why.
        reason: String,
    },
    /// The linear-model machinery refused the inputs.
    #[error(transparent)]
    Limma(#[from] LimmaError),
}

/// Indices that order `p` increasingly, NaN last, ties in input order (R's
/// `order(PValue)`, used by `camera(sort = TRUE)`).
pub fn sort_by_p(p: &[f64]) -> Vec<usize> {
    let mut o: Vec<usize> = (0..p.len()).collect();
    o.sort_by(|&a, &b| match (p[a].is_nan(), p[b].is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => p[a].total_cmp(&p[b]),
    });
    o
}

/// What camera and fry test: a coefficient of the design or a contrast of
/// its coefficients (limma's `contrast` argument: a column or a vector).
#[derive(Debug, Clone, PartialEq)]
pub enum Contrast {
    /// The 0-based column of the design (R's `contrast = j + 1`).
    Coef(usize),
    /// Weights of the design's coefficients, one per column (R's numeric
    /// `contrast` vector, e.g. `[0, -1, 1]` for B − A in a `~ 0 + group` design).
    Vector(Vec<f64>),
}

/// Checks the shared inputs of camera and fry and returns the design with
/// the tested coefficient or contrast as its last column (limma's
/// `design[, c(-coef, coef)]` or `contrastAsCoef(first = FALSE)`).
pub(crate) fn design_contrast_last(
    n_assays: usize,
    samples: usize,
    design: ndarray::ArrayView2<f64>,
    contrast: &Contrast,
    sets: &[Vec<usize>],
) -> Result<ndarray::Array2<f64>, EnrichError> {
    let p = design.ncols();
    let coef = match contrast {
        Contrast::Coef(j) => *j,
        Contrast::Vector(_) => 0,
    };
    if design.nrows() != samples {
        return Err(LimmaError::DesignRowsMismatch {
            design_rows: design.nrows(),
            samples,
        }
        .into());
    }
    if coef >= p {
        return Err(EnrichError::InvalidCoef { coef, coefs: p });
    }
    if samples <= p {
        return Err(EnrichError::NoResidualDf { samples, coefs: p });
    }
    check_members(sets, n_assays)?;
    match contrast {
        Contrast::Coef(_) => {
            let order: Vec<usize> = (0..p).filter(|&j| j != coef).chain([coef]).collect();
            Ok(design.select(ndarray::Axis(1), &order))
        }
        Contrast::Vector(c) => Ok(npxkit_limma::contrast_as_last_coef(design, c)?),
    }
}

/// Checks that every member of every set is a row below `n_assays`.
pub(crate) fn check_members(sets: &[Vec<usize>], n_assays: usize) -> Result<(), EnrichError> {
    for (set, members) in sets.iter().enumerate() {
        if let Some(&row) = members.iter().find(|&&r| r >= n_assays) {
            return Err(EnrichError::MemberOutOfRange {
                set,
                row,
                assays: n_assays,
            });
        }
    }
    Ok(())
}

/// Column means of the rows `rows` of `m`, as R's `colMeans(m[rows, ])`
/// (extended-precision sum / count).
pub(crate) fn col_means(m: ndarray::ArrayView2<f64>, rows: &[usize]) -> Vec<f64> {
    let k = rows.len() as f64;
    (0..m.ncols())
        .map(|j| npxkit_stats::summary::long_sum(rows.iter().map(|&i| m[[i, j]])) / k)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_sort_by_p() {
        assert_eq!(sort_by_p(&[0.5, f64::NAN, 0.1, 0.5]), [2, 0, 3, 1]);
        assert_eq!(Direction::Down.to_string(), "Down");
    }
}
