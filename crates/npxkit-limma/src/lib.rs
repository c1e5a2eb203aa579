//! **npxkit-limma** fits linear models to NPX matrices and computes limma's
//! empirical Bayes moderated statistics, number for number with R's limma 3.54.
//!
//! The pipeline mirrors limma's: [`lm_fit`] (`lmFit`) → optional
//! [`contrasts_fit`] (`contrasts.fit`) → [`ebayes`] (`eBayes`) or [`treat`]
//! (`treat`) → [`top_table`] (`topTable`). Inputs are `ndarray` views
//! (assays × samples, NaN = missing); outputs are plain structs. Nothing is
//! printed: limma's warnings come back as diagnostics fields.
//!
//! # Sections
//! - [`lm_fit`]: least squares by QR, rank-deficiency as R's `qr()`.
//! - [`contrasts`]: contrasts of coefficients.
//! - [`squeeze_var`], [`fit_f_dist`], [`robust`], `spline`, `lowess`: the
//!   variance prior (`lowess` is R's, for the robust trend).
//! - [`ebayes`], [`treat`]: moderated statistics.
//! - [`top_table`]: the per-coefficient result table.
//! - [`effects`]: Qᵀy ([`lm_effects`]), for the gene-set tests `camera` and `fry`.
//!
//! Distribution and special functions (t, F, chi-squared tails and
//! quantiles; digamma, trigamma) come from [`npxkit_stats::dist`] and
//! [`npxkit_stats::special`]; only limma's own `trigammaInverse` is here, as
//! [`fit_f_dist::trigamma_inverse`].
//!
//! # References
//! Smyth, G. K. (2004). Linear models and empirical Bayes methods for assessing
//! differential expression in microarray experiments. *Statistical Applications
//! in Genetics and Molecular Biology* 3, Article 3. doi:10.2202/1544-6115.1027

pub mod contrasts;
pub mod dupcor;
pub mod ebayes;
pub mod effects;
mod error;
pub mod fit_f_dist;
mod fmin;
pub mod gls;
pub mod lm_fit;
mod lowess;
mod mixed_model;
pub mod moderated_f;
mod qr;
pub mod robust;
mod spline;
pub mod squeeze_var;
pub mod top_table;
pub mod treat;
pub mod unequal_df1;
mod weighted_lowess;
mod zeroin;

pub use contrasts::contrasts_fit;
pub use dupcor::{duplicate_correlation, DupCorNote, DupCorResult};
pub use ebayes::{ebayes, EbayesDiagnostics, EbayesFit, EbayesOptions};
pub use effects::{contrast_as_last_coef, lm_effects, LmEffects};
pub use error::LimmaError;
pub use fit_f_dist::{fit_f_dist, FDistFit};
pub use gls::lm_fit_blocked;
pub use lm_fit::{lm_fit, LinearModelFit};
pub use moderated_f::{moderated_f, top_table_f, ModeratedF, TopTableFRow};
pub use npxkit_stats::adjust::AdjustMethod;
pub use robust::{fit_f_dist_robustly, fit_f_dist_robustly_trend, RobustFDistFit};
pub use squeeze_var::{
    squeeze_var, squeeze_var_with, PriorMethod, SqueezeDiagnostics, SqueezedVar,
};
pub use top_table::{table_rows, top_table, TopTableRow};
pub use treat::treat;
pub use unequal_df1::{fit_f_dist_unequal_df1, logmdigamma, UnequalDf1Fit};
