//! **npxkit-gsva** scores gene sets per sample from an expression matrix,
//! number for number with R's GSVA 1.46.0: GSVA, ssGSEA, combined z-scores
//! and PLAGE.
//!
//! Inputs are `ndarray` views of genes × samples (finite values) and gene
//! sets as lists of row indices; outputs are sets × samples matrices.
//! Mapping gene symbols to rows, reading GMT files and filtering sets by
//! size belong to the caller. Nothing is printed; what GSVA warns about is
//! returned ([`FeatureFilter::dropped`]) or rejected with a [`GsvaError`].
//!
//! GSVA drops constant genes before every method but ssGSEA; here
//! [`filter_constant_rows`] does that and re-indexes the sets, and the
//! methods reject constant rows rather than drop them silently.
//!
//! # Sections
//! - [`gsva()`]: kernel CDF ([`kcdf`]), rank statistic and random walk, with
//!   [`KcdfMode::Compat`] (GSVA 1.46's lookup table for the normal CDF) or
//!   [`KcdfMode::Exact`].
//! - [`ssgsea()`]: single-sample GSEA with GSVA's rank ties and
//!   normalisation.
//! - [`zscore()`], [`plage()`]: on row-standardised data
//!   ([`standardize_rows`]); PLAGE's sign rule is documented in [`mod@plage`].
//! - [`filter_constant_rows`]: GSVA's removal of constant genes.
//!
//! Every method is parallel (rayon) over genes, samples or sets, and gives
//! identical results for any number of threads.
//!
//! # References
//! Hänzelmann, S., Castelo, R., & Guinney, J. (2013). GSVA: gene set
//! variation analysis for microarray and RNA-seq data. *BMC Bioinformatics*
//! 14, 7. doi:10.1186/1471-2105-14-7

mod error;
pub mod gsva;
pub mod input;
pub mod kcdf;
mod order;
pub mod plage;
mod series;
pub mod ssgsea;
pub mod standardize;
mod svd;
pub mod zscore;

pub use error::GsvaError;
pub use gsva::{gsva, gsva_from_density, GsvaOptions};
pub use input::{filter_constant_rows, FeatureFilter, CONSTANT_SD_THRESHOLD};
pub use kcdf::{kernel_cdf, kernel_cdf_exact, ExactSum, Kcdf, KcdfMode};
pub use plage::plage;
pub use ssgsea::{ssgsea, SsgseaOptions};
pub use standardize::standardize_rows;
pub use zscore::zscore;
