//! The error type of this crate.

/// What went wrong while reading, building or restricting gene sets.
///
/// `origin` is the name the caller gave the input (usually its path), so that
/// messages say which file is meant; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GeneSetError {
    /// The input holds no gene set at all (empty, or only blank lines).
    #[error("{origin}: no gene sets found (the file is empty or has only blank lines); check that you passed the right file")]
    Empty {
        /// Name of the input.
        origin: String,
    },
    /// The input is not UTF-8 text (binary, compressed, or another encoding).
    #[error("{origin} line {line}: not a text GMT file ({reason}); {hint}")]
    NotText {
        /// Name of the input.
        origin: String,
        /// 1-based line where the problem was seen.
        line: usize,
        /// What was seen.
        reason: String,
        /// What to do.
        hint: &'static str,
    },
    /// The input could not be read (an I/O error from the reader).
    #[error("{origin}: could not read ({reason}); check that the file exists and is readable")]
    Read {
        /// Name of the input.
        origin: String,
        /// The I/O error's message.
        reason: String,
    },
    /// A GMT line has fewer than three non-empty tab-separated fields.
    #[error(
        "{origin} line {line}: {found} tab-separated field(s) where GMT needs at least 3 \
         (set id, description, one or more genes); separate fields with tabs, not spaces"
    )]
    TooFewFields {
        /// Name of the input.
        origin: String,
        /// 1-based line.
        line: usize,
        /// Number of non-empty fields found.
        found: usize,
    },
    /// A GMT line has an empty set id (first field).
    #[error("{origin} line {line}: the set id (first field) is empty; give every set an id")]
    EmptyId {
        /// Name of the input.
        origin: String,
        /// 1-based line.
        line: usize,
    },
    /// Two GMT lines have the same set id.
    #[error("{origin} lines {first_line} and {line}: set id `{id}` is used twice; set ids must be unique, rename or merge the sets")]
    DuplicateId {
        /// Name of the input.
        origin: String,
        /// The repeated id.
        id: String,
        /// 1-based line of its first use.
        first_line: usize,
        /// 1-based line of the repeat.
        line: usize,
    },
    /// A collection built in code has two sets with the same id.
    #[error("collection `{collection}`: set id `{id}` is used twice; set ids must be unique")]
    DuplicateSetId {
        /// Name of the collection.
        collection: String,
        /// The repeated id.
        id: String,
    },
    /// A gene set built in code has an empty id, or a field with a tab or line break.
    #[error("gene set `{id}`: {reason}")]
    InvalidSet {
        /// The set id (possibly empty).
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// No embedded collection has this name.
    #[error(
        "no built-in gene-set collection `{name}`; available: {available}; or give a GMT file"
    )]
    UnknownBuiltin {
        /// The name asked for.
        name: String,
        /// The names that exist, comma-separated.
        available: String,
    },
    /// An embedded file failed to decompress (a build problem, not a user one).
    #[error("built-in data `{name}` is corrupt ({reason}); rebuild npxkit (see crates/npxkit-genesets/data/README.md)")]
    CorruptBuiltin {
        /// Name of the embedded file.
        name: String,
        /// The decoder's message.
        reason: String,
    },
    /// The minimum set size is larger than the maximum.
    #[error("minimum set size {min} is larger than maximum set size {max}; swap them or widen the range")]
    InvalidSizeRange {
        /// Minimum size asked for.
        min: usize,
        /// Maximum size asked for.
        max: usize,
    },
    /// The assay means do not match the assays.
    #[error(
        "{means} assay means given for {assays} assays; give one mean per assay, in the same order"
    )]
    MeansLength {
        /// Number of means.
        means: usize,
        /// Number of assays.
        assays: usize,
    },
    /// An alias table's header is not `alias<TAB>symbol`.
    #[error("{origin} line 1: header is `{found}`, expected `alias<TAB>symbol`; is this an alias table?")]
    AliasHeader {
        /// Name of the input.
        origin: String,
        /// The header line as found.
        found: String,
    },
    /// An alias table row does not have exactly two non-empty fields.
    #[error("{origin} line {line}: {found} field(s) where an alias row needs 2 non-empty ones (alias, symbol) separated by a tab")]
    AliasFields {
        /// Name of the input.
        origin: String,
        /// 1-based line.
        line: usize,
        /// Number of fields found.
        found: usize,
    },
}
