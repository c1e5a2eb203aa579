//! Errors of `npxkit-core`: data that cannot be analysed as given.

/// Why a table could not become a matrix, or samples could not be paired.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// The same sample × assay was measured more than once among study samples.
    #[error("{count} duplicated SampleID × OlinkID measurement(s) among study samples, e.g. {examples}; give each sample a unique SampleID (re-runs: keep one), or mark controls with SampleType")]
    DuplicateMeasurements {
        /// How many duplicates.
        count: usize,
        /// A few of them, `sample/assay`.
        examples: String,
    },
    /// Samples listed in the manifest have no data in the NPX file.
    #[error("{count} sample(s) in the manifest have no NPX data: {examples}; check the SampleID spelling in both files or remove them from the manifest")]
    ManifestOnlySamples {
        /// How many.
        count: usize,
        /// A few of them.
        examples: String,
    },
    /// A column named by an option is not in the manifest.
    #[error("the manifest has no column `{column}` (columns: {available}); pass the name of one of them")]
    NoSuchColumn {
        /// The requested column.
        column: String,
        /// What the manifest has.
        available: String,
    },
    /// A subject has two samples at the same level of the group.
    #[error("subject `{subject}` has {count} samples at `{level}` ({samples}); a pair needs one sample per level — remove the extra or use a blocking model")]
    AmbiguousPair {
        /// The subject.
        subject: String,
        /// The group level.
        level: String,
        /// How many samples.
        count: usize,
        /// Their IDs.
        samples: String,
    },
    /// A contrast names a level the group column does not have.
    #[error("--contrast `{contrast}`: not two levels of `{column}` (levels: {levels}); write it as B-A with two of them")]
    UnknownLevel {
        /// The contrast as given.
        contrast: String,
        /// The group column.
        column: String,
        /// The levels present, comma-separated.
        levels: String,
    },
    /// Nothing is left to analyse.
    #[error("{0}")]
    NothingLeft(String),
    /// An option value is invalid.
    #[error("{0}")]
    InvalidOption(String),
}

pub(crate) fn examples<I: IntoIterator<Item = String>>(items: I, count: usize) -> String {
    let shown: Vec<String> = items.into_iter().take(5).collect();
    if count > shown.len() {
        format!("{} and {} more", shown.join(", "), count - shown.len())
    } else {
        shown.join(", ")
    }
}
