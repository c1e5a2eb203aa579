//! The error type of this crate.

/// What is wrong with the input of a gene-set scoring method.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GsvaError {
    /// Fewer genes (rows) than the method needs.
    #[error("the expression matrix has {genes} genes (rows); at least 2 are needed, as in GSVA")]
    TooFewGenes {
        /// Rows of the matrix.
        genes: usize,
    },
    /// Fewer samples (columns) than the method needs.
    #[error(
        "the expression matrix has {samples} samples (columns); this method needs at least {min}"
    )]
    TooFewSamples {
        /// Columns of the matrix.
        samples: usize,
        /// The minimum for the method.
        min: usize,
    },
    /// A NaN or infinite expression value.
    #[error("expression value at row {row}, column {col} is {value}; remove or impute missing values first")]
    NonFinite {
        /// 0-based row (gene).
        row: usize,
        /// 0-based column (sample).
        col: usize,
        /// The offending value.
        value: f64,
    },
    /// A gene whose values do not vary across samples (GSVA drops these).
    #[error(
        "gene row {row} is constant across samples (sd {sd:e} < 1e-10); \
         drop such rows first with `filter_constant_rows`, as GSVA does"
    )]
    ConstantRow {
        /// 0-based row.
        row: usize,
        /// Its standard deviation.
        sd: f64,
    },
    /// A negative value where the Poisson kernel needs counts.
    #[error(
        "value {value} at row {row}, column {col} is negative; kcdf = Poisson needs counts >= 0"
    )]
    NegativeCount {
        /// 0-based row.
        row: usize,
        /// 0-based column.
        col: usize,
        /// The offending value.
        value: f64,
    },
    /// No gene sets were given.
    #[error("the list of gene sets is empty; give at least one set (check the size filters)")]
    NoSets,
    /// A gene set without members.
    #[error("gene set {set} is empty; drop sets without mapped genes before scoring")]
    EmptySet {
        /// 0-based position of the set.
        set: usize,
    },
    /// A member index past the last row of the matrix.
    #[error("gene set {set} has member row {index}, but the matrix has {genes} rows")]
    IndexOutOfRange {
        /// 0-based position of the set.
        set: usize,
        /// The offending row index.
        index: usize,
        /// Rows of the matrix.
        genes: usize,
    },
    /// The same row listed twice in one set.
    #[error("gene set {set} lists row {index} more than once; give each member once")]
    DuplicateIndex {
        /// 0-based position of the set.
        set: usize,
        /// The repeated row index.
        index: usize,
    },
    /// A set containing every gene: the random walk has no steps outside it.
    #[error(
        "gene set {set} contains all {genes} genes; GSVA and ssGSEA need genes outside the set \
         (use a smaller --max-size)"
    )]
    SetCoversAllGenes {
        /// 0-based position of the set.
        set: usize,
        /// Rows of the matrix.
        genes: usize,
    },
    /// An option is out of its range.
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// Why it is invalid.
        reason: String,
    },
}
