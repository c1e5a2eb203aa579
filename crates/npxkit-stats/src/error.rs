//! Errors of the statistical routines.

use thiserror::Error;

/// What went wrong in a statistical routine.
///
/// Degenerate *data* (too few observations, zero variance) does not produce an
/// error: the result carries `NaN`s instead, as R's `NA`. Errors are for
/// arguments that make the call meaningless.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum StatsError {
    /// An adjustment method name that R's `p.adjust` does not know.
    #[error("unknown p-value adjustment method '{0}'; use one of holm, hochberg, hommel, bonferroni, BH (fdr), BY, none")]
    UnknownAdjustMethod(String),
    /// An alternative hypothesis name R's tests do not know.
    #[error("unknown alternative '{0}'; use two.sided, less or greater")]
    UnknownAlternative(String),
    /// A confidence level outside `[0, 1]` (R's `t.test` accepts the end points).
    #[error("confidence level {0} is not in [0, 1]; use e.g. 0.95")]
    InvalidConfLevel(f64),
    /// Paired samples of different lengths.
    #[error("paired samples have different lengths ({x} and {y}); pairs must line up")]
    PairedLengthMismatch {
        /// Length of `x`.
        x: usize,
        /// Length of `y`.
        y: usize,
    },
    /// A hypothesised location `mu` that is `NaN` (or, for Wilcoxon tests,
    /// not finite).
    #[error("mu = {0} is not a usable hypothesised location; use a finite number")]
    InvalidMu(f64),
}
