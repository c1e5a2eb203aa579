//! The error type of this crate.

/// What went wrong when building or fitting a mixed model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LmmError {
    /// A variable's length differs from the number of samples.
    #[error("variable `{name}` has {len} values but there are {samples} samples; give one value per sample")]
    LengthMismatch {
        /// Variable name.
        name: String,
        /// Its length.
        len: usize,
        /// Number of samples.
        samples: usize,
    },
    /// A term or grouping factor names a variable that was not given.
    #[error("no variable `{0}`; add it to the variables of the model")]
    UnknownVariable(String),
    /// A grouping factor or an interaction uses a numeric variable.
    #[error("`{0}` must be a factor here (random intercepts and interactions take factors only)")]
    NotAFactor(String),
    /// A factor code is out of range of its levels.
    #[error("factor `{name}` has code {code} at sample {sample} but only {levels} levels")]
    BadFactorCode {
        /// Factor name.
        name: String,
        /// 0-based sample.
        sample: usize,
        /// The code.
        code: usize,
        /// Number of levels.
        levels: usize,
    },
    /// A covariate value is not finite.
    #[error(
        "covariate `{name}` is not finite at sample {sample}; drop the sample or impute the value"
    )]
    NonFiniteCovariate {
        /// Variable name.
        name: String,
        /// 0-based sample.
        sample: usize,
    },
    /// The model has no random-intercept grouping factor.
    #[error("a mixed model needs at least one random intercept, e.g. (1 | subject)")]
    NoRandomEffect,
    /// A term is given twice.
    #[error("term `{0}` appears twice in the model")]
    DuplicateTerm(String),
    /// The response has the wrong length.
    #[error("response has {len} values but the model has {samples} samples")]
    ResponseLength {
        /// Response length.
        len: usize,
        /// Samples in the model.
        samples: usize,
    },
    /// A fixed-effect factor level has no observation (lme4 would drop a column).
    #[error("level `{level}` of `{factor}` has no observed value; the assay cannot be tested (OlinkAnalyze skips such assays)")]
    EmptyLevel {
        /// Factor.
        factor: String,
        /// Level.
        level: String,
    },
    /// The fixed-effect design is rank deficient on the observed samples.
    #[error("fixed-effect design is rank deficient at column `{column}` (e.g. an empty interaction cell); lme4 would drop it, npxkit does not test such assays")]
    RankDeficient {
        /// The first column found linearly dependent on earlier ones.
        column: String,
    },
    /// Too few observations for the model.
    #[error("{nobs} observed values for {params} fixed effects; need more observations than fixed effects")]
    TooFewObservations {
        /// Observations.
        nobs: usize,
        /// Fixed effects.
        params: usize,
    },
    /// A grouping factor has fewer than two observed levels (lme4's check.nlev.gtr.1).
    #[error("grouping factor `{0}` has fewer than 2 observed levels; a random intercept needs at least 2")]
    GroupingTooFewLevels(String),
    /// A grouping factor has as many levels as observations (lme4's check.nobs.vs.nlev).
    #[error("grouping factor `{name}` has {levels} levels for {nobs} observations; the random intercept is not identifiable from the residual")]
    GroupingTooManyLevels {
        /// Factor name.
        name: String,
        /// Observed levels.
        levels: usize,
        /// Observations.
        nobs: usize,
    },
    /// The deviance keeps falling as θ grows without bound (the random
    /// intercepts explain the data exactly and σ collapses to 0).
    #[error("the residual variance collapses to 0 (θ grows without bound); too few observations per group for a mixed model")]
    UnboundedTheta,
    /// The optimiser did not find a finite deviance.
    #[error("the deviance is not finite (response constant or not finite?)")]
    NonFiniteDeviance,
    /// An interaction whose main effects are not all in the model.
    #[error("interaction `{0}` needs its main effects in the model too (R's a*b); add them")]
    MissingMainEffect(String),
    /// A factor has fewer than two levels.
    #[error("factor `{0}` has fewer than 2 levels")]
    FactorTooFewLevels(String),
    /// An emmeans specification names a variable that is not a factor in the fixed terms.
    #[error("emmeans spec `{0}` is not a factor among the fixed-effect terms")]
    BadSpec(String),
}
