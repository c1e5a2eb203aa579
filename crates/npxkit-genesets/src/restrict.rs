//! Mapping assays to genes, and restricting gene sets to what was measured.
//!
//! **The universe is the measured proteins.** An Olink panel measures a few
//! hundred to ~5,400 proteins, not the genome. Testing a GO set of 300 genes
//! of which 12 were measured as if all 300 had been is the most common
//! mistake in Olink enrichment analyses: it inflates set sizes, distorts
//! over-representation and makes size filters meaningless. So every method
//! in npxkit first calls [`restrict()`], which keeps only measured genes, and
//! filters by size **after** restriction; both sizes are reported.
//!
//! # Assays to genes
//! [`AssayGeneMap::new`] takes each assay's gene symbol (Olink's `Assay`
//! column, one entry per row of the NPX matrix) and splits multi-gene assays
//! on `_`: `IL12A_IL12B` measures IL12A and IL12B (HGNC symbols never
//! contain `_`). Matching with set genes is exact and case-sensitive; use
//! [`crate::aliases`] for old symbols in the sets.
//!
//! # Genes measured by several assays
//! A gene maps to **every** assay that measures it: the same protein on
//! several panels (Explore 3072 measures IL6, TNF, CXCL8, IDO1, LMOD1 and
//! SCRIB on all four), and a multi-gene assay for each of its genes. So
//! [`RestrictedSet::members`] holds all those assay rows, each once. Methods
//! that need one row per gene (GSVA, ssGSEA, ORA on genes) use
//! [`RestrictedSet::unique_members`]: for each gene its *representative*
//! assay, which is the one with the highest mean NPX when means are given
//! ([`AssayGeneMap::with_means`]; NaN means rank lowest), else the first in
//! row order; ties go to the lower row index. A multi-gene assay that
//! represents two genes of a set appears once.
//!
//! # Sizes and filtering
//! `size_before` is the number of distinct genes in the set as given;
//! `size_after` the number of those genes that are measured
//! ([`RestrictedSet::genes`]). Sets with `size_after` outside
//! `min_size..=max_size`, and sets with no measured gene whatever the
//! bounds, go to [`RestrictedSets::dropped`] with the reason.

use std::collections::HashMap;

use crate::{GeneSetCollection, GeneSetError};

/// Which assays (rows of the NPX matrix) measure which genes.
#[derive(Debug, Clone, PartialEq)]
pub struct AssayGeneMap {
    assay_genes: Vec<Vec<String>>,
    gene_assays: HashMap<String, Vec<usize>>,
    representative: HashMap<String, usize>,
    means: Option<Vec<f64>>,
}

impl AssayGeneMap {
    /// Maps assays to genes from their symbols, one per assay in row order,
    /// splitting on `_` and trimming spaces. An empty symbol maps to no gene.
    ///
    /// ```
    /// use npxkit_genesets::AssayGeneMap;
    /// let map = AssayGeneMap::new(&["IL6", "IL12A_IL12B", "IL6"]);
    /// assert_eq!(map.genes_of(1), ["IL12A", "IL12B"]);
    /// assert_eq!(map.assays_of("IL6"), [0, 2]);
    /// assert_eq!(map.representative("IL6"), Some(0));
    /// ```
    pub fn new<S: AsRef<str>>(assay_symbols: &[S]) -> Self {
        let mut assay_genes = Vec::with_capacity(assay_symbols.len());
        let mut gene_assays: HashMap<String, Vec<usize>> = HashMap::new();
        for (row, symbol) in assay_symbols.iter().enumerate() {
            let mut genes: Vec<String> = Vec::new();
            for g in symbol.as_ref().split('_').map(str::trim) {
                if !g.is_empty() && !genes.iter().any(|x| x == g) {
                    genes.push(g.to_owned());
                }
            }
            for g in &genes {
                gene_assays.entry(g.clone()).or_default().push(row);
            }
            assay_genes.push(genes);
        }
        let mut map = Self {
            assay_genes,
            gene_assays,
            representative: HashMap::new(),
            means: None,
        };
        map.choose_representatives();
        map
    }

    /// Gives each assay's mean NPX (row order), used to choose the
    /// representative assay of a gene measured several times: the highest
    /// mean wins, NaN ranks lowest, ties go to the lower row.
    ///
    /// # Errors
    /// [`GeneSetError::MeansLength`] unless there is one mean per assay.
    pub fn with_means(mut self, means: &[f64]) -> Result<Self, GeneSetError> {
        if means.len() != self.assay_genes.len() {
            return Err(GeneSetError::MeansLength {
                means: means.len(),
                assays: self.assay_genes.len(),
            });
        }
        self.means = Some(means.to_vec());
        self.choose_representatives();
        Ok(self)
    }

    fn choose_representatives(&mut self) {
        let key = |row: usize| match &self.means {
            Some(m) if !m[row].is_nan() => m[row],
            Some(_) => f64::NEG_INFINITY,
            None => 0.0,
        };
        self.representative = self
            .gene_assays
            .iter()
            .map(|(g, rows)| {
                // rows are ascending, so the first maximum is the lowest row.
                let mut best = rows[0];
                for &r in &rows[1..] {
                    if key(r) > key(best) {
                        best = r;
                    }
                }
                (g.clone(), best)
            })
            .collect();
    }

    /// Number of assays (rows).
    pub fn n_assays(&self) -> usize {
        self.assay_genes.len()
    }

    /// Number of distinct genes measured.
    pub fn n_genes(&self) -> usize {
        self.gene_assays.len()
    }

    /// The genes assay `row` measures (empty for an unmapped assay).
    ///
    /// # Panics
    /// If `row >= n_assays()`.
    pub fn genes_of(&self, row: usize) -> &[String] {
        &self.assay_genes[row]
    }

    /// The assay rows measuring `gene`, ascending (empty if unmeasured).
    pub fn assays_of(&self, gene: &str) -> &[usize] {
        self.gene_assays.get(gene).map_or(&[], Vec::as_slice)
    }

    /// The one assay chosen for `gene` when a method needs unique genes (see
    /// the module docs), or `None` if it is not measured.
    pub fn representative(&self, gene: &str) -> Option<usize> {
        self.representative.get(gene).copied()
    }

    /// Every measured gene, sorted.
    pub fn genes(&self) -> Vec<&str> {
        let mut g: Vec<&str> = self.gene_assays.keys().map(String::as_str).collect();
        g.sort_unstable();
        g
    }

    /// The assay means given with [`with_means`](Self::with_means), if any.
    pub fn means(&self) -> Option<&[f64]> {
        self.means.as_deref()
    }
}

/// A gene set restricted to measured genes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestrictedSet {
    /// The set id.
    pub id: String,
    /// The set name (description).
    pub name: String,
    /// Distinct genes in the set as given.
    pub size_before: usize,
    /// Distinct measured genes (`genes.len()`); size filters apply to this.
    pub size_after: usize,
    /// The measured genes, in the set's order.
    pub genes: Vec<String>,
    /// Every assay row measuring at least one of `genes`, ascending, each once.
    pub members: Vec<usize>,
    /// One representative assay row per gene, ascending, each once (see the
    /// module docs); for methods that need unique genes.
    pub unique_members: Vec<usize>,
}

/// Why a set was left out by [`restrict()`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// None of its genes is measured.
    NoMeasuredGenes,
    /// Fewer measured genes than the minimum.
    TooSmall {
        /// The minimum size.
        min: usize,
    },
    /// More measured genes than the maximum.
    TooLarge {
        /// The maximum size.
        max: usize,
    },
}

impl std::fmt::Display for DropReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoMeasuredGenes => write!(f, "no measured genes"),
            Self::TooSmall { min } => write!(f, "fewer than {min} measured genes"),
            Self::TooLarge { max } => write!(f, "more than {max} measured genes"),
        }
    }
}

/// A set left out by [`restrict()`], with its sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedSet {
    /// The set id.
    pub id: String,
    /// Distinct genes in the set as given.
    pub size_before: usize,
    /// Distinct measured genes.
    pub size_after: usize,
    /// Why it was dropped.
    pub reason: DropReason,
}

/// The result of [`restrict()`]: kept and dropped sets, both in collection order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestrictedSets {
    /// Sets kept, in collection order.
    pub sets: Vec<RestrictedSet>,
    /// Sets dropped, in collection order.
    pub dropped: Vec<DroppedSet>,
    /// Assay rows measuring a gene of at least one set of the collection
    /// (before size filtering), ascending: the background of
    /// over-representation analysis as goana and clusterProfiler define it.
    pub annotated_assays: Vec<usize>,
    /// The minimum size used.
    pub min_size: usize,
    /// The maximum size used.
    pub max_size: usize,
}

impl RestrictedSets {
    /// The kept set with this id, if any (linear scan).
    pub fn get(&self, id: &str) -> Option<&RestrictedSet> {
        self.sets.iter().find(|s| s.id == id)
    }
}

/// Restricts every set of `collection` to the genes measured by the assays
/// of `map`, then keeps sets with `min_size ..= max_size` measured genes
/// (use `usize::MAX` for no maximum). See the module docs for the rules.
///
/// # Errors
/// [`GeneSetError::InvalidSizeRange`] if `min_size > max_size`.
///
/// ```
/// use npxkit_genesets::{parse_gmt, restrict, AssayGeneMap};
/// let sets = parse_gmt("S\td\tIL12B\tIL6\tTNF\tALB\n", "demo").unwrap();
/// let map = AssayGeneMap::new(&["IL6", "IL12A_IL12B", "CXCL8"]);
/// let r = restrict(&sets, &map, 1, 500).unwrap();
/// assert_eq!(r.sets[0].size_before, 4);
/// assert_eq!(r.sets[0].size_after, 2);
/// assert_eq!(r.sets[0].genes, ["IL12B", "IL6"]);
/// assert_eq!(r.sets[0].members, [0, 1]);
/// ```
pub fn restrict(
    collection: &GeneSetCollection,
    map: &AssayGeneMap,
    min_size: usize,
    max_size: usize,
) -> Result<RestrictedSets, GeneSetError> {
    if min_size > max_size {
        return Err(GeneSetError::InvalidSizeRange {
            min: min_size,
            max: max_size,
        });
    }
    let mut annotated = vec![false; map.n_assays()];
    let (mut sets, mut dropped) = (Vec::new(), Vec::new());
    for set in collection.sets() {
        let genes: Vec<String> = set
            .genes()
            .iter()
            .filter(|g| map.gene_assays.contains_key(g.as_str()))
            .cloned()
            .collect();
        let mut members: Vec<usize> = genes
            .iter()
            .flat_map(|g| map.assays_of(g))
            .copied()
            .collect();
        members.sort_unstable();
        members.dedup();
        for &m in &members {
            annotated[m] = true;
        }
        let (size_before, size_after) = (set.len(), genes.len());
        let reason = if size_after == 0 {
            Some(DropReason::NoMeasuredGenes)
        } else if size_after < min_size {
            Some(DropReason::TooSmall { min: min_size })
        } else if size_after > max_size {
            Some(DropReason::TooLarge { max: max_size })
        } else {
            None
        };
        if let Some(reason) = reason {
            dropped.push(DroppedSet {
                id: set.id().to_owned(),
                size_before,
                size_after,
                reason,
            });
            continue;
        }
        let mut unique_members: Vec<usize> =
            genes.iter().filter_map(|g| map.representative(g)).collect();
        unique_members.sort_unstable();
        unique_members.dedup();
        sets.push(RestrictedSet {
            id: set.id().to_owned(),
            name: set.name().to_owned(),
            size_before,
            size_after,
            genes,
            members,
            unique_members,
        });
    }
    let annotated_assays = (0..map.n_assays()).filter(|&i| annotated[i]).collect();
    Ok(RestrictedSets {
        sets,
        dropped,
        annotated_assays,
        min_size,
        max_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_gmt;

    /// Rows: 0 IL6 (panel 1), 1 IL12A_IL12B, 2 TNF, 3 IL6 (panel 2), 4 ALB, 5 unmapped.
    const ASSAYS: [&str; 6] = ["IL6", "IL12A_IL12B", "TNF", "IL6", "ALB", ""];

    fn sets() -> GeneSetCollection {
        parse_gmt(
            "cytokines\tc\tIL6\tIL12A\tIL12B\tTNF\tIFNG\n\
             il12\tonly IL12B\tIL12B\tGENEX\n\
             liver\tl\tALB\tAPOA1\tAPOB\n\
             none\tn\tFOO\tBAR\n\
             big\tb\tIL6\tTNF\tALB\n",
            "t.gmt",
        )
        .unwrap()
    }

    #[test]
    fn test_assay_gene_map_new() {
        let m = AssayGeneMap::new(&ASSAYS);
        assert_eq!(m.n_assays(), 6);
        assert_eq!(m.n_genes(), 5);
        assert_eq!(m.genes_of(1), ["IL12A", "IL12B"]);
        assert!(m.genes_of(5).is_empty());
        assert_eq!(m.assays_of("IL6"), [0, 3]);
        assert_eq!(m.assays_of("IL12B"), [1]);
        assert!(m.assays_of("IFNG").is_empty());
        assert_eq!(m.genes(), ["ALB", "IL12A", "IL12B", "IL6", "TNF"]);
        // Without means: the first row.
        assert_eq!(m.representative("IL6"), Some(0));
        assert_eq!(m.representative("IFNG"), None);
        // Strings work too; repeated and blank parts are ignored.
        let s = AssayGeneMap::new(&[String::from("A_A_ B_")]);
        assert_eq!(s.genes_of(0), ["A", "B"]);
    }

    #[test]
    fn test_assay_gene_map_with_means() {
        let m = AssayGeneMap::new(&ASSAYS)
            .with_means(&[1.0, 2.0, 3.0, 5.0, 4.0, 0.0])
            .unwrap();
        assert_eq!(m.representative("IL6"), Some(3));
        let nan = AssayGeneMap::new(&ASSAYS)
            .with_means(&[f64::NAN, 2.0, 3.0, 1.0, 4.0, 0.0])
            .unwrap();
        assert_eq!(nan.representative("IL6"), Some(3));
        let tie = AssayGeneMap::new(&ASSAYS)
            .with_means(&[2.0, 2.0, 3.0, 2.0, 4.0, 0.0])
            .unwrap();
        assert_eq!(tie.representative("IL6"), Some(0));
        let e = AssayGeneMap::new(&ASSAYS).with_means(&[1.0]).unwrap_err();
        assert_eq!(
            e,
            GeneSetError::MeansLength {
                means: 1,
                assays: 6
            }
        );
    }

    #[test]
    fn test_restrict_sizes_members_and_multi_gene_assay() {
        let m = AssayGeneMap::new(&ASSAYS);
        let r = restrict(&sets(), &m, 1, usize::MAX).unwrap();
        let c = r.get("cytokines").unwrap();
        assert_eq!((c.size_before, c.size_after), (5, 4));
        assert_eq!(c.genes, ["IL6", "IL12A", "IL12B", "TNF"]);
        // Both IL6 assays, and IL12A_IL12B once.
        assert_eq!(c.members, [0, 1, 2, 3]);
        assert_eq!(c.unique_members, [0, 1, 2]);
        // A set with only one gene of a two-gene assay still gets the assay.
        let il12 = r.get("il12").unwrap();
        assert_eq!((il12.size_before, il12.size_after), (2, 1));
        assert_eq!(il12.members, [1]);
        assert_eq!(
            r.dropped,
            vec![DroppedSet {
                id: "none".into(),
                size_before: 2,
                size_after: 0,
                reason: DropReason::NoMeasuredGenes
            }]
        );
        assert_eq!(r.annotated_assays, [0, 1, 2, 3, 4]);
        let ids: Vec<&str> = r.sets.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["cytokines", "il12", "liver", "big"]);
    }

    #[test]
    fn test_restrict_filters_after_restriction() {
        let m = AssayGeneMap::new(&ASSAYS);
        // liver has 3 genes but only 1 measured: too small for min 2.
        let r = restrict(&sets(), &m, 2, 3).unwrap();
        let ids: Vec<&str> = r.sets.iter().map(|s| s.id.as_str()).collect();
        let reasons: Vec<(&str, DropReason)> = r
            .dropped
            .iter()
            .map(|d| (d.id.as_str(), d.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                ("cytokines", DropReason::TooLarge { max: 3 }),
                ("il12", DropReason::TooSmall { min: 2 }),
                ("liver", DropReason::TooSmall { min: 2 }),
                ("none", DropReason::NoMeasuredGenes),
            ]
        );
        assert_eq!(ids, ["big"]);
        // The background counts dropped sets too.
        assert_eq!(r.annotated_assays, [0, 1, 2, 3, 4]);
        assert_eq!(
            DropReason::TooSmall { min: 2 }.to_string(),
            "fewer than 2 measured genes"
        );
    }

    #[test]
    fn test_restrict_invalid_range() {
        let m = AssayGeneMap::new(&ASSAYS);
        assert_eq!(
            restrict(&sets(), &m, 10, 5).unwrap_err(),
            GeneSetError::InvalidSizeRange { min: 10, max: 5 }
        );
    }
}
