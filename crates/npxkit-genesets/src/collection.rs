//! [`GeneSet`] and [`GeneSetCollection`]: named lists of gene symbols with
//! their provenance.
//!
//! Order is deterministic: sets keep the order of their source (file order
//! for GMT), and genes keep their first-seen order within a set, duplicates
//! removed. Set ids are unique within a collection; lookups by id are O(1).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::GeneSetError;

/// One gene set: an id, a human-readable name (GMT's description field) and
/// its genes, unique and in first-seen order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneSet {
    id: String,
    name: String,
    genes: Vec<String>,
}

impl GeneSet {
    /// Makes a set, dropping repeated genes (the first occurrence keeps its
    /// place) and empty gene strings.
    ///
    /// # Errors
    /// [`GeneSetError::InvalidSet`] if the id is empty or any field holds a
    /// tab or line break (it could not be written as GMT).
    ///
    /// ```
    /// use npxkit_genesets::GeneSet;
    /// let set = GeneSet::new("S1", "example", ["IL6", "TNF", "IL6"]).unwrap();
    /// assert_eq!(set.genes(), ["IL6", "TNF"]);
    /// ```
    pub fn new<I, S>(
        id: impl Into<String>,
        name: impl Into<String>,
        genes: I,
    ) -> Result<Self, GeneSetError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let (id, name) = (id.into(), name.into());
        let invalid = |reason: String| GeneSetError::InvalidSet {
            id: id.clone(),
            reason,
        };
        if id.is_empty() {
            return Err(invalid("the id is empty; give every set an id".into()));
        }
        let bad = |s: &str| s.contains(['\t', '\n', '\r']);
        if bad(&id) || bad(&name) {
            return Err(invalid(
                "the id or name holds a tab or line break; remove it".into(),
            ));
        }
        let mut out = Self::from_parts_unchecked(id.clone(), name, Vec::new());
        for g in genes {
            let g: String = g.into();
            if bad(&g) {
                return Err(invalid(format!(
                    "gene `{}` holds a tab or line break; remove it",
                    g.escape_debug()
                )));
            }
            out.genes.push(g);
        }
        out.dedupe_genes();
        Ok(out)
    }

    /// For parsers that have already checked the fields; genes are deduped.
    pub(crate) fn from_parts_unchecked(id: String, name: String, genes: Vec<String>) -> Self {
        let mut set = Self { id, name, genes };
        set.dedupe_genes();
        set
    }

    /// Removes empty and repeated genes, keeping first occurrences in place;
    /// returns how many were removed.
    pub(crate) fn dedupe_genes(&mut self) -> usize {
        let before = self.genes.len();
        let keep: Vec<bool> = {
            let mut seen = HashSet::with_capacity(before);
            self.genes
                .iter()
                .map(|g| !g.is_empty() && seen.insert(g.as_str()))
                .collect()
        };
        let mut keep = keep.into_iter();
        self.genes.retain(|_| keep.next().unwrap_or(false));
        before - self.genes.len()
    }

    /// The set id (GMT's first field), e.g. `GO:0006955` or `B_cells`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The set's name or description (GMT's second field), e.g. `immune response`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The genes, unique, in first-seen order.
    pub fn genes(&self) -> &[String] {
        &self.genes
    }

    /// Number of (unique) genes.
    pub fn len(&self) -> usize {
        self.genes.len()
    }

    /// Whether the set has no genes.
    pub fn is_empty(&self) -> bool {
        self.genes.is_empty()
    }

    /// Whether `gene` is in the set (exact, case-sensitive match; linear scan).
    pub fn contains(&self, gene: &str) -> bool {
        self.genes.iter().any(|g| g == gene)
    }

    pub(crate) fn genes_mut(&mut self) -> &mut Vec<String> {
        &mut self.genes
    }
}

/// A named, versioned list of gene sets with unique ids.
///
/// Built by [`crate::parse_gmt`], [`GeneSetCollection::builtin`] or
/// [`GeneSetCollection::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneSetCollection {
    name: String,
    version: Option<String>,
    source: String,
    sets: Vec<GeneSet>,
    index: HashMap<String, usize>,
}

impl GeneSetCollection {
    /// Makes a collection from sets built in code, keeping their order.
    ///
    /// `source` is free provenance text (where the sets come from), recorded
    /// in run provenance.
    ///
    /// # Errors
    /// [`GeneSetError::DuplicateSetId`] if two sets share an id.
    pub fn new(
        name: impl Into<String>,
        version: Option<String>,
        source: impl Into<String>,
        sets: Vec<GeneSet>,
    ) -> Result<Self, GeneSetError> {
        let name = name.into();
        let mut index = HashMap::with_capacity(sets.len());
        for (i, s) in sets.iter().enumerate() {
            if index.insert(s.id.clone(), i).is_some() {
                return Err(GeneSetError::DuplicateSetId {
                    collection: name,
                    id: s.id.clone(),
                });
            }
        }
        Ok(Self {
            name,
            version,
            source: source.into(),
            sets,
            index,
        })
    }

    /// For parsers that have already checked id uniqueness.
    pub(crate) fn from_checked(
        name: String,
        version: Option<String>,
        source: String,
        sets: Vec<GeneSet>,
        index: HashMap<String, usize>,
    ) -> Self {
        debug_assert_eq!(sets.len(), index.len());
        Self {
            name,
            version,
            source,
            sets,
            index,
        }
    }

    /// The collection's name: the built-in name (`go-bp`) or the origin given
    /// to the parser (usually the file path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version, e.g. `GO.db 3.16.0 / org.Hs.eg.db 3.16.0`; `None` for a
    /// GMT file, which carries no version.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Provenance text: where the sets come from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The sets, in source order.
    pub fn sets(&self) -> &[GeneSet] {
        &self.sets
    }

    /// Number of sets.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether there are no sets.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The set with this id, if any.
    pub fn get(&self, id: &str) -> Option<&GeneSet> {
        self.index.get(id).map(|&i| &self.sets[i])
    }

    /// The position of the set with this id in [`sets`](Self::sets).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Each set's size (unique genes), in set order.
    pub fn sizes(&self) -> Vec<usize> {
        self.sets.iter().map(GeneSet::len).collect()
    }

    /// Every gene in at least one set, sorted and unique.
    pub fn genes(&self) -> BTreeSet<&str> {
        self.sets
            .iter()
            .flat_map(|s| s.genes.iter().map(String::as_str))
            .collect()
    }

    /// Total number of (set, gene) memberships.
    pub fn total_memberships(&self) -> usize {
        self.sets.iter().map(GeneSet::len).sum()
    }

    /// Replaces the version and source text (e.g. after alias resolution).
    pub fn with_provenance(mut self, version: Option<String>, source: impl Into<String>) -> Self {
        self.version = version;
        self.source = source.into();
        self
    }

    pub(crate) fn sets_mut(&mut self) -> &mut [GeneSet] {
        &mut self.sets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_gene_set_new_dedupes_in_order() {
        let s = GeneSet::new("A", "a", ["X", "Y", "X", "", "Z", "Y"]).unwrap();
        assert_eq!(s.genes(), ["X", "Y", "Z"]);
        assert_eq!(s.len(), 3);
        assert!(s.contains("Z") && !s.contains("W"));
    }

    #[test]
    fn test_gene_set_new_rejects_bad_fields() {
        assert!(matches!(
            GeneSet::new("", "a", ["X"]),
            Err(GeneSetError::InvalidSet { .. })
        ));
        assert!(matches!(
            GeneSet::new("A", "a\tb", ["X"]),
            Err(GeneSetError::InvalidSet { .. })
        ));
        assert!(matches!(
            GeneSet::new("A", "a", ["X\nY"]),
            Err(GeneSetError::InvalidSet { .. })
        ));
    }

    #[test]
    fn test_collection_new_and_lookups() {
        let c = GeneSetCollection::new(
            "demo",
            Some("1".into()),
            "hand-made",
            vec![
                GeneSet::new("A", "a", ["X", "Y"]).unwrap(),
                GeneSet::new("B", "b", ["Y", "Z", "W"]).unwrap(),
            ],
        )
        .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.get("B").unwrap().name(), "b");
        assert_eq!(c.position("A"), Some(0));
        assert!(c.get("C").is_none());
        assert_eq!(c.sizes(), vec![2, 3]);
        assert_eq!(
            c.genes().into_iter().collect::<Vec<_>>(),
            ["W", "X", "Y", "Z"]
        );
        assert_eq!(c.total_memberships(), 5);
        assert_eq!(c.version(), Some("1"));
    }

    #[test]
    fn test_collection_new_duplicate_id() {
        let err = GeneSetCollection::new(
            "demo",
            None,
            "",
            vec![
                GeneSet::new("A", "a", ["X"]).unwrap(),
                GeneSet::new("A", "b", ["Y"]).unwrap(),
            ],
        )
        .unwrap_err();
        assert_eq!(
            err,
            GeneSetError::DuplicateSetId {
                collection: "demo".into(),
                id: "A".into()
            }
        );
    }
}
