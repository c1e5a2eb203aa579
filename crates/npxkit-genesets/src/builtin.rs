//! Gene-set collections embedded in the binary, zstd-compressed.
//!
//! | name | version | sets | source |
//! |---|---|---|---|
//! | `bindea2013` | Bindea 2013 (ConsensusTME) | 24 | Bindea et al. (2013) *Immunity* 39:782–795, doi:10.1016/j.immuni.2013.10.003, Table S1, as in ConsensusTME `data-raw/Bindea_genes.txt` (GPL-3) |
//! | `go-bp` | GO.db 3.16.0 / org.Hs.eg.db 3.16.0 | 11,391 | Gene Ontology biological process, human, propagated (GO data CC BY 4.0) |
//! | `go-mf` | GO.db 3.16.0 / org.Hs.eg.db 3.16.0 | 2,682 | molecular function, as above |
//! | `go-cc` | GO.db 3.16.0 / org.Hs.eg.db 3.16.0 | 1,494 | cellular component, as above |
//!
//! The GO sets were made from Bioconductor's GO.db and org.Hs.eg.db 3.16.0
//! (Debian 12 packages) with `org.Hs.egGO2ALLEGS` (annotations propagated
//! over is_a and part_of, all evidence codes), gene symbols, sets of 3 to
//! 2,000 genes. The Bindea sets are the 24 immune cell types (the two
//! non-cell columns left out), with one fix: `Mar-06` (a spreadsheet date)
//! written back as `MARCH6`. Older symbols (e.g. `INDO`) are kept as
//! published; see [`crate::aliases`] to map them to current symbols.
//!
//! The full provenance, checksums of the source files and the script that
//! compresses them are in `crates/npxkit-genesets/data/` (`README.md`,
//! `make.sh`). Data are decompressed only when a collection is asked for
//! (about 5.7 MB of text for `go-bp`); [`builtins`] lists them without
//! decompressing.
//!
//! # Why zstd
//! At level 19 zstd makes the GO files 2.2× smaller than gzip -9 (1.14 MB
//! against 2.44 MB for the three) and decodes faster; xz would save another
//! 8% but needs a further C library. The `zstd` crate is already in the
//! workspace's dependency tree (npxkit-io's columnar readers use it), so it
//! adds no new dependency to the workspace.

use crate::{parse_gmt_bytes, GeneSetCollection, GeneSetError};

/// Description of one embedded collection, available without decompressing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinInfo {
    /// Name to ask for (`go-bp`).
    pub name: &'static str,
    /// Version string recorded in run provenance.
    pub version: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Provenance: where the sets come from, and their licence.
    pub source: &'static str,
    /// Number of sets.
    pub n_sets: usize,
    /// File name of the uncompressed source.
    pub file: &'static str,
    /// SHA-256 of the uncompressed source file (hex).
    pub sha256: &'static str,
    /// Size of the embedded compressed data in bytes.
    pub compressed_bytes: usize,
    data: &'static [u8],
}

const GO_VERSION: &str = "GO.db 3.16.0 / org.Hs.eg.db 3.16.0";
const GO_SOURCE: &str = "Gene Ontology Consortium data (CC BY 4.0) via Bioconductor GO.db 3.16.0 and \
org.Hs.eg.db 3.16.0 (Debian 12): org.Hs.egGO2ALLEGS (propagated over is_a and part_of, all evidence codes), \
gene symbols, sets of 3 to 2,000 genes";

const BINDEA: &[u8] = include_bytes!("../data/bindea2013.gmt.zst");
const GO_BP: &[u8] = include_bytes!("../data/go_bp_human_orghs3.16.gmt.zst");
const GO_MF: &[u8] = include_bytes!("../data/go_mf_human_orghs3.16.gmt.zst");
const GO_CC: &[u8] = include_bytes!("../data/go_cc_human_orghs3.16.gmt.zst");

static BUILTINS: [BuiltinInfo; 4] = [
    BuiltinInfo {
        name: "bindea2013",
        version: "Bindea 2013 (ConsensusTME)",
        description: "24 immune cell-type signatures (Bindea et al. 2013)",
        source: "Bindea G, Mlecnik B, Tosolini M, et al. Spatiotemporal dynamics of intratumoral immune cells \
reveal the immune landscape in human cancer. Immunity 39(4):782-795 (2013), doi:10.1016/j.immuni.2013.10.003, \
Table S1; as in cansysbio/ConsensusTME (GPL-3) data-raw/Bindea_genes.txt at commit \
6e14ba3d09e39d48b5b9a6b5fa9cd10296cce06a; 24 cell-type sets; Mar-06 corrected to MARCH6",
        n_sets: 24,
        file: "bindea2013.gmt",
        sha256: "7cc368dbdcf3bdfa84ea58f76b72f9c39a7a8aeaf4a52cb941a3d38c4937e3fb",
        compressed_bytes: BINDEA.len(),
        data: BINDEA,
    },
    BuiltinInfo {
        name: "go-bp",
        version: GO_VERSION,
        description: "Gene Ontology biological process, human gene symbols",
        source: GO_SOURCE,
        n_sets: 11_391,
        file: "go_bp_human_orghs3.16.gmt",
        sha256: "3dcce5c43bf272bf3fc9f4f345c410d7d7b2507638668d7fe54630a7d9c43a39",
        compressed_bytes: GO_BP.len(),
        data: GO_BP,
    },
    BuiltinInfo {
        name: "go-mf",
        version: GO_VERSION,
        description: "Gene Ontology molecular function, human gene symbols",
        source: GO_SOURCE,
        n_sets: 2_682,
        file: "go_mf_human_orghs3.16.gmt",
        sha256: "78a2f4ec9c03b606399c04713cfacf092438f7c6d339e8de5b64b0c1cee5aff2",
        compressed_bytes: GO_MF.len(),
        data: GO_MF,
    },
    BuiltinInfo {
        name: "go-cc",
        version: GO_VERSION,
        description: "Gene Ontology cellular component, human gene symbols",
        source: GO_SOURCE,
        n_sets: 1_494,
        file: "go_cc_human_orghs3.16.gmt",
        sha256: "dac40ebf5c43697881988f8122477b22bd699b52962c29662b770e58e5f8a9da",
        compressed_bytes: GO_CC.len(),
        data: GO_CC,
    },
];

/// The embedded collections, in a fixed order (`bindea2013`, `go-bp`,
/// `go-mf`, `go-cc`), without decompressing anything.
pub fn builtins() -> &'static [BuiltinInfo] {
    &BUILTINS
}

/// The names of the embedded collections, in the order of [`builtins`].
pub fn builtin_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.name).collect()
}

/// The description of the embedded collection `name`, if there is one.
pub fn builtin_info(name: &str) -> Option<&'static BuiltinInfo> {
    BUILTINS.iter().find(|b| b.name == name)
}

impl BuiltinInfo {
    /// Decompresses the source file's bytes, exactly as they were
    /// (SHA-256 [`sha256`](Self::sha256)).
    ///
    /// # Errors
    /// [`GeneSetError::CorruptBuiltin`] if the embedded data do not decode.
    pub fn raw_text(&self) -> Result<Vec<u8>, GeneSetError> {
        decompress(self.file, self.data)
    }

    /// Decompresses and parses the collection.
    ///
    /// # Errors
    /// [`GeneSetError::CorruptBuiltin`] if the embedded data do not decode or parse.
    pub fn load(&self) -> Result<GeneSetCollection, GeneSetError> {
        let bytes = self.raw_text()?;
        let c = parse_gmt_bytes(&bytes, self.name).map_err(|e| GeneSetError::CorruptBuiltin {
            name: self.file.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(c.with_provenance(Some(self.version.to_owned()), self.source))
    }
}

impl GeneSetCollection {
    /// Loads an embedded collection by name: `bindea2013`, `go-bp`, `go-mf`
    /// or `go-cc` (see [`builtins`]). Decompresses and parses on each call
    /// (tens of milliseconds for `go-bp`); keep the result if you need it twice.
    ///
    /// # Errors
    /// [`GeneSetError::UnknownBuiltin`] for another name, listing the valid ones.
    ///
    /// ```
    /// use npxkit_genesets::GeneSetCollection;
    /// let b = GeneSetCollection::builtin("bindea2013").unwrap();
    /// assert_eq!(b.len(), 24);
    /// assert!(b.get("B_cells").unwrap().contains("MS4A1"));
    /// assert_eq!(b.version(), Some("Bindea 2013 (ConsensusTME)"));
    /// ```
    pub fn builtin(name: &str) -> Result<Self, GeneSetError> {
        builtin_info(name)
            .ok_or_else(|| GeneSetError::UnknownBuiltin {
                name: name.to_owned(),
                available: builtin_names().join(", "),
            })?
            .load()
    }
}

/// Decodes a whole zstd frame.
pub(crate) fn decompress(name: &str, data: &[u8]) -> Result<Vec<u8>, GeneSetError> {
    zstd::stream::decode_all(data).map_err(|e| GeneSetError::CorruptBuiltin {
        name: name.to_owned(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn sha256_hex(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn test_builtin_names() {
        assert_eq!(builtin_names(), ["bindea2013", "go-bp", "go-mf", "go-cc"]);
        assert!(builtin_info("go-bp").is_some());
        assert!(builtin_info("go").is_none());
    }

    #[test]
    fn test_builtin_unknown() {
        let e = GeneSetCollection::builtin("kegg").unwrap_err();
        assert_eq!(
            e,
            GeneSetError::UnknownBuiltin {
                name: "kegg".into(),
                available: "bindea2013, go-bp, go-mf, go-cc".into()
            }
        );
    }

    #[test]
    fn test_builtin_raw_text_matches_source_checksums() {
        for b in builtins() {
            let raw = b.raw_text().unwrap();
            assert_eq!(sha256_hex(&raw), b.sha256, "{}", b.name);
        }
    }

    #[test]
    fn test_builtin_corrupt_data() {
        let e = decompress("x.zst", b"not zstd").unwrap_err();
        assert!(matches!(e, GeneSetError::CorruptBuiltin { .. }));
    }

    #[test]
    fn test_builtin_bindea2013() {
        let c = GeneSetCollection::builtin("bindea2013").unwrap();
        assert_eq!(c.len(), 24);
        assert_eq!(c.name(), "bindea2013");
        assert_eq!(c.version(), Some("Bindea 2013 (ConsensusTME)"));
        assert!(c.source().contains("10.1016/j.immuni.2013.10.003"));
        assert!(c.get("B_cells").unwrap().contains("MS4A1"));
        assert!(c.get("Citotoxic_cells").is_some());
        assert!(c.get("NK_CD56bright_cells").unwrap().contains("MARCH6"));
        assert_eq!(c.sets()[0].id(), "activated_Dendritic_cells");
        // SOURCES.md: 509 entries, 501 distinct symbols.
        assert_eq!(c.total_memberships(), 509);
        assert_eq!(c.genes().len(), 501);
    }

    #[test]
    fn test_builtin_go_bp() {
        let c = GeneSetCollection::builtin("go-bp").unwrap();
        assert_eq!(c.len(), 11_391);
        assert_eq!(c.version(), Some("GO.db 3.16.0 / org.Hs.eg.db 3.16.0"));
        let immune = c.get("GO:0006955").unwrap();
        assert_eq!(immune.name(), "immune response");
        assert!(immune.contains("IL6") && immune.contains("A2M"));
        assert!(c.sizes().iter().all(|&n| (3..=2000).contains(&n)));
    }

    #[test]
    fn test_builtin_go_mf() {
        let c = GeneSetCollection::builtin("go-mf").unwrap();
        assert_eq!(c.len(), 2_682);
        // cytokine activity
        assert!(c.get("GO:0005125").unwrap().contains("IL6"));
    }

    #[test]
    fn test_builtin_go_cc() {
        let c = GeneSetCollection::builtin("go-cc").unwrap();
        assert_eq!(c.len(), 1_494);
        // blood microparticle
        assert!(c.get("GO:0072562").unwrap().contains("ALB"));
        // extracellular space has more than 2,000 genes, so it was left out.
        assert!(c.get("GO:0005615").is_none());
    }

    #[test]
    fn test_builtin_info_counts_match_data() {
        for b in builtins() {
            assert_eq!(b.load().unwrap().len(), b.n_sets, "{}", b.name);
            assert!(b.compressed_bytes > 0);
        }
    }
}
