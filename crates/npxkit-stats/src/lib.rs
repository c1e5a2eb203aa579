//! **npxkit-stats** holds the classical tests of R's `stats` package that
//! npxkit needs, written to agree with R to many digits. It is also the
//! workspace's single home of probability distributions ([`dist`]) and
//! special functions ([`special`]); `npxkit-limma` uses them.
//!
//! # Sections
//! - [`adjust`]: [`p_adjust`] and [`AdjustMethod`], as `stats::p.adjust`.
//! - [`dist`]: every distribution function npxkit uses — t, normal, F,
//!   chi-squared and the Wilcoxon null distributions (`pt`, `qt`, `pnorm`,
//!   `pf`, `qf`, `pchisq`, `psignrank`, `pwilcox`, with `_log` variants).
//! - [`special`]: `lgamma`, `lbeta`, `digamma`, `trigamma`, `tetragamma`.
//! - [`eigen`]: the workspace's one symmetric eigensolver (tred2/tql2), for limma's
//!   moderated F and duplicateCorrelation, the mixed models, QC's PCA and fry.
//! - [`ttest`]: one-sample, paired, Welch and Student t-tests, as `t.test`.
//! - [`wilcoxon`]: signed-rank and rank-sum tests, as `wilcox.test`.
//!
//! No function reads or writes files; inputs are slices, outputs are named
//! result structs. Degenerate data gives `NaN` results (R's `NA`); arguments
//! that make no sense give a [`StatsError`].

pub mod adjust;
mod alternative;
pub mod dist;
pub mod eigen;
pub mod error;
mod incomplete;
pub mod special;
pub mod summary;
pub mod ttest;
pub mod wilcoxon;

pub use adjust::{p_adjust, AdjustMethod};
pub use alternative::Alternative;
pub use dist::Tail;
pub use error::StatsError;
pub use ttest::{
    t_test_one_sample, t_test_paired, t_test_two_sample, TTest, TTestKind, TTestNote, TTestOptions,
};
pub use wilcoxon::{
    wilcox_test_one_sample, wilcox_test_paired, wilcox_test_two_sample, WilcoxonKind, WilcoxonNote,
    WilcoxonOptions, WilcoxonTest,
};
