//! The error type of this crate.

/// What went wrong in a limma computation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LimmaError {
    /// The design has a different number of rows than there are samples.
    #[error(
        "design matrix has {design_rows} rows but the expression matrix has {samples} samples; \
         give one design row per sample (column of the matrix)"
    )]
    DesignRowsMismatch {
        /// Rows of the design.
        design_rows: usize,
        /// Columns (samples) of the expression matrix.
        samples: usize,
    },
    /// The design has no columns.
    #[error("design matrix has no columns; include at least an intercept")]
    EmptyDesign,
    /// The design contains NaN or infinite values.
    #[error("design matrix has a non-finite value at row {row}, column {col}; NAs are not allowed in the design")]
    NonFiniteDesign {
        /// 0-based row.
        row: usize,
        /// 0-based column.
        col: usize,
    },
    /// A list of names does not match the matrix it names.
    #[error("{names} {what} names given for {expected} columns; give one name per column")]
    NamesMismatch {
        /// What is named ("coefficient", "contrast").
        what: &'static str,
        /// Number of names given.
        names: usize,
        /// Number of columns.
        expected: usize,
    },
    /// The contrast matrix does not have one row per coefficient.
    #[error("contrast matrix has {rows} rows but the fit has {coefs} coefficients; give one row per coefficient")]
    ContrastRowsMismatch {
        /// Rows of the contrast matrix.
        rows: usize,
        /// Coefficients of the fit.
        coefs: usize,
    },
    /// The contrast matrix contains NaN or infinite values.
    #[error("contrast matrix has a non-finite value at row {row}, column {col}")]
    NonFiniteContrast {
        /// 0-based row.
        row: usize,
        /// 0-based column.
        col: usize,
    },
    /// A contrast puts weight on a coefficient the design cannot estimate.
    #[error(
        "contrast `{contrast}` uses coefficient `{coefficient}`, which is not estimable from the design; \
         drop it from the contrast or change the design"
    )]
    NonEstimableContrast {
        /// The contrast's name.
        contrast: String,
        /// The non-estimable coefficient's name.
        coefficient: String,
    },
    /// Every assay has zero residual degrees of freedom.
    #[error("no residual degrees of freedom in the linear model fits; more samples than coefficients are needed")]
    NoResidualDf,
    /// No assay has a finite residual standard deviation.
    #[error("no finite residual standard deviations")]
    NoFiniteSigma,
    /// Robust estimation needs most variances to be positive.
    #[error("more than half of the residual variances are <= 0; robust hyperparameter estimation is impossible")]
    VariancesMostlyNonPositive,
    /// A covariate for the variance trend has NaN values or the wrong length.
    #[error("variance trend covariate is invalid: {0}")]
    InvalidCovariate(String),
    /// An option is out of its range.
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// limma ≥ 3.62's `fitFDistUnequalDF1` found fewer than two informative variances.
    #[error("could not estimate the prior df: fewer than two positive residual variances with residual df")]
    PriorDfNotEstimable,
    /// A coefficient index past the last coefficient.
    #[error("coefficient index {index} is out of range: the fit has {coefs} coefficients")]
    CoefOutOfRange {
        /// The index asked for.
        index: usize,
        /// The number of coefficients.
        coefs: usize,
    },
}
