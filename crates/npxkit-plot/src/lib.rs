//! Publication figures for npxkit, as SVG text and PNG bytes.
//!
//! Every figure function takes plain Rust structs (no polars) plus an options struct and
//! returns a [`Figure`]: the SVG as a `String` (text kept as `<text>` so an HTML report can
//! inline it) and [`Figure::to_png`], which rasterises the SVG with `resvg` using the
//! embedded DejaVu Sans font, so the PNG is the same on every machine, with or without
//! system fonts. Same input → byte-identical SVG and PNG.
//!
//! Figures: [`volcano()`], [`paired()`] and [`paired_grid()`], [`heatmap()`],
//! [`network()`], the QC plots [`pca()`], [`sample_distribution()`] and
//! [`missingness()`], the DE diagnostics [`pvalue_histogram()`] and [`ma_plot()`], and the
//! normalisation figures [`adjustment_factors()`] and [`bridgeability()`].
//! Helpers with R semantics: [`fivenum`], [`boxplot_stats`] (R's `boxplot.stats`) and
//! [`hclust`] (average linkage, R's `hclust(method = "average")`).
//!
//! Colours follow the Okabe–Ito palette ([`OKABE_ITO`]) for categories and ColorBrewer's
//! RdBu for diverging scales; both are safe for the common colour-vision deficiencies.
//!
//! Font: DejaVu Sans 2.37 (regular and bold, from Debian's `fonts-dejavu-core`), under the
//! Bitstream Vera licence with DejaVu changes in the public domain; the licence text is
//! `fonts/LICENSE-DejaVu.txt` in this crate.

mod cluster;
mod diag;
mod heatmap;
mod network;
mod normalize;
mod paired;
mod qc;
mod raster;
pub mod repel;
mod stats;
mod style;
mod volcano;

pub use cluster::{dissimilarity, hclust, hclust_dissimilarity, Distance, Hclust};
pub use diag::{ma_plot, pvalue_histogram, MaOptions, MaPoint, PHistOptions};
pub use heatmap::{heatmap, HeatmapData, HeatmapOptions, RowOrder};
pub use network::{force_layout, network, NetEdge, NetNode, NetworkData, NetworkOptions};
pub use normalize::{
    adjustment_factors, bridgeability, BridgeClass, BridgePoint, BridgeabilityData,
    BridgeabilityOptions, FactorOptions, FactorPoint,
};
pub use paired::{paired, paired_grid, GridOptions, PairedOptions, PairedPoint, PairedSeries};
pub use qc::{
    missingness, pca, sample_distribution, MissingnessData, MissingnessOptions, PcaData,
    PcaOptions, PcaPoint, SampleDist, SampleDistData, SampleDistOptions,
};
pub use stats::{boxplot_stats, fivenum, BoxStats};
pub use style::{Rect, OKABE_ITO};
pub use volcano::{volcano, VolcanoOptions, VolcanoPoint};

/// Default figure width in pixels (7 in at 96 dpi).
pub const DEFAULT_WIDTH: u32 = 672;
/// Default figure height in pixels (5 in at 96 dpi).
pub const DEFAULT_HEIGHT: u32 = 480;
/// Suggested PNG scale for print (2× the SVG size, 192 dpi at 7 × 5 in).
pub const PRINT_SCALE: f32 = 2.0;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// plotters failed while drawing (should not happen with the embedded font).
    #[error("drawing the figure failed: {0}")]
    Draw(String),
    /// The SVG could not be parsed for rasterising.
    #[error("rasterising the figure failed: the SVG did not parse ({0})")]
    Svg(String),
    /// The requested PNG size is invalid (zero or too large).
    #[error("rasterising the figure failed: invalid PNG size {0}×{1} px; use a scale between 0.1 and 10")]
    Size(u32, u32),
    /// PNG encoding failed.
    #[error("encoding the PNG failed: {0}")]
    Png(String),
}

/// A label placed by the label-repel step, in SVG pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedLabel {
    /// The text drawn (possibly truncated).
    pub text: String,
    /// The text's bounding box.
    pub rect: Rect,
}

/// A rendered figure.
#[derive(Clone, Debug)]
pub struct Figure {
    /// The SVG document (text kept as `<text>` elements, `font-family="sans-serif"`).
    pub svg: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Labels placed by label repel (volcano, MA, PCA), for checks and tooltips.
    pub labels: Vec<PlacedLabel>,
}

impl Figure {
    /// Rasterises the SVG to PNG at `scale` × its pixel size (2.0 for print), with the
    /// embedded DejaVu Sans standing in for every font family.
    pub fn to_png(&self, scale: f32) -> Result<Vec<u8>, PlotError> {
        raster::svg_to_png(&self.svg, scale)
    }
}

/// Renders an SVG of `width` × `height` with a white background; `draw` draws on it.
pub(crate) fn render<F>(width: u32, height: u32, draw: F) -> Result<Figure, PlotError>
where
    F: FnOnce(&style::Area) -> Result<Vec<PlacedLabel>, PlotError>,
{
    use plotters::prelude::*;
    style::register_fonts();
    let width = width.max(120);
    let height = height.max(100);
    let mut svg = String::new();
    let labels;
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(style::err)?;
        labels = draw(&root)?;
        root.present().map_err(style::err)?;
    }
    Ok(Figure {
        svg,
        width,
        height,
        labels,
    })
}
