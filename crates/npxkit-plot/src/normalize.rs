//! Normalisation figures: the adjustment factor of every assay (sorted), and the
//! bridgeability overview of a cross-product bridge (every assay's criteria against
//! OlinkAnalyze's thresholds, coloured by the recommendation).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::repel::{draw_labels, LabelRequest};
use crate::style::Rect;
use crate::style::*;
use crate::{render, Figure, PlacedLabel, PlotError};

/// One assay's adjustment factor in one project.
#[derive(Clone, Debug, PartialEq)]
pub struct FactorPoint {
    /// Assay name (labelled when among the largest |factor|).
    pub label: String,
    /// Series the point is ranked in (the project); each series is sorted on its own.
    pub series: String,
    /// The adjustment factor (NPX units); non-finite values are skipped.
    pub value: f64,
    /// Category for colour and shape (the project, or the method of the assay).
    pub category: String,
}

/// Options of [`adjustment_factors`].
#[derive(Clone, Debug)]
pub struct FactorOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title.
    pub title: String,
    /// Subtitle; empty → the number of assays.
    pub subtitle: String,
    /// y-axis title.
    pub ylab: String,
    /// Legend title.
    pub category_title: String,
    /// Number of largest |factor| assays labelled.
    pub label_top: usize,
}

impl Default for FactorOptions {
    fn default() -> Self {
        FactorOptions {
            width: crate::DEFAULT_WIDTH,
            height: crate::DEFAULT_HEIGHT,
            title: "Adjustment factors".into(),
            subtitle: String::new(),
            ylab: "adjustment factor (NPX)".into(),
            category_title: String::new(),
            label_top: 8,
        }
    }
}

/// Adjustment factors by assay, sorted from the lowest up within each series (x is the
/// rank), coloured and shaped by category (a category named as a [`BridgeClass`] gets
/// that class's colour and shape, as in [`bridgeability`]), with a line at 0 and the
/// `label_top` largest |factor| labelled. Several series (projects) overlay on the same
/// ranks.
pub fn adjustment_factors(
    points: &[FactorPoint],
    opts: &FactorOptions,
) -> Result<Figure, PlotError> {
    let pts: Vec<&FactorPoint> = points.iter().filter(|p| p.value.is_finite()).collect();
    let series = distinct(pts.iter().map(|p| p.series.as_str()));
    let categories = distinct(pts.iter().map(|p| p.category.as_str()));
    // A recommendation keeps the colour and shape it has in [`bridgeability`].
    let style = |c: &str| match BridgeClass::from_name(c) {
        Some(b) => (b.color(), b.shape()),
        None => {
            let i = categories.iter().position(|x| x == c).unwrap_or(0);
            (palette(i), shape_for(i))
        }
    };
    // (rank, point) per series, sorted ascending.
    let mut ranked: Vec<(usize, &FactorPoint)> = Vec::with_capacity(pts.len());
    let mut n_max = 0;
    for s in &series {
        let mut v: Vec<&FactorPoint> = pts.iter().copied().filter(|p| &p.series == s).collect();
        v.sort_by(|a, b| a.value.total_cmp(&b.value).then(a.label.cmp(&b.label)));
        n_max = n_max.max(v.len());
        ranked.extend(v.into_iter().enumerate());
    }
    let items: Vec<LegendItem> = if categories.len() > 1 {
        categories
            .iter()
            .map(|c| LegendItem {
                label: truncate(c, 20),
                color: style(c).0,
                shape: style(c).1,
            })
            .collect()
    } else {
        Vec::new()
    };
    let subtitle = if opts.subtitle.is_empty() {
        if series.len() > 1 {
            format!("{} assays in {} projects", n_max, series.len())
        } else {
            format!("{n_max} assays")
        }
    } else {
        opts.subtitle.clone()
    };
    let (w, h) = (opts.width, opts.height);
    render(w, h, |a| {
        let top = header(a, w as f64, &opts.title, &subtitle)?;
        let lw = legend_width(&opts.category_title, &items);
        let area = Rect {
            x0: 4.0,
            y0: top,
            x1: w as f64 - lw - 4.0,
            y1: h as f64 - 4.0,
        };
        let yr =
            padded_range(pts.iter().map(|p| p.value).chain([0.0]), 0.08).unwrap_or((-1.0, 1.0));
        let xr = (-0.5, n_max.max(1) as f64 - 0.5);
        let (sx, sy) = axes(
            a,
            area,
            &AxisSpec::new("assays, sorted by factor", &opts.ylab, xr, yr),
        )?;
        if !items.is_empty() {
            legend(a, area.x1 + 8.0, top + 6.0, &opts.category_title, &items)?;
        }
        let plot = Rect::inside(&sx, &sy);
        if pts.is_empty() {
            no_data(a, plot, "no adjustment factors")?;
            return Ok(Vec::new());
        }
        let y0 = sy.map(0.0);
        line(a, &[(plot.x0, y0), (plot.x1, y0)], MID_GREY.mix(0.8), 1)?;
        let r = if ranked.len() > 1500 {
            1.5
        } else if ranked.len() > 300 {
            2.5
        } else {
            3.5
        };
        let mut obst = Vec::with_capacity(ranked.len());
        for (rank, p) in &ranked {
            let (x, y) = (sx.map(*rank as f64), sy.map(p.value));
            let (color, shape) = style(&p.category);
            marker(a, x, y, r, shape, color.mix(0.8), None)?;
            obst.push((x, y, r));
        }
        let mut by_size: Vec<&(usize, &FactorPoint)> = ranked.iter().collect();
        by_size.sort_by(|a, b| {
            b.1.value
                .abs()
                .total_cmp(&a.1.value.abs())
                .then(a.1.label.cmp(&b.1.label))
        });
        let reqs: Vec<LabelRequest> = by_size
            .iter()
            .take(opts.label_top)
            .filter(|(_, p)| p.value != 0.0)
            .map(|(rank, p)| LabelRequest {
                text: truncate(&p.label, 20),
                anchor: (sx.map(*rank as f64), sy.map(p.value)),
            })
            .collect();
        draw_labels(a, &reqs, &obst, plot.pad(-1.0), r)
    })
}

/// OlinkAnalyze's recommendation for a shared assay of a cross-product bridge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BridgeClass {
    /// Median centring (Kolmogorov–Smirnov D ≤ the threshold).
    MedianCentering,
    /// Quantile smoothing (D above the threshold).
    QuantileSmoothing,
    /// All three criteria failed: not bridged.
    NotBridgeable,
}

impl BridgeClass {
    /// The name OlinkAnalyze writes in `BridgingRecommendation`.
    pub fn name(self) -> &'static str {
        match self {
            BridgeClass::MedianCentering => "MedianCentering",
            BridgeClass::QuantileSmoothing => "QuantileSmoothing",
            BridgeClass::NotBridgeable => "NotBridgeable",
        }
    }

    /// The class of an OlinkAnalyze name (`NotOverlapping` and others: `None`).
    pub fn from_name(name: &str) -> Option<BridgeClass> {
        match name {
            "MedianCentering" => Some(BridgeClass::MedianCentering),
            "QuantileSmoothing" => Some(BridgeClass::QuantileSmoothing),
            "NotBridgeable" => Some(BridgeClass::NotBridgeable),
            _ => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn color(self) -> RGBColor {
        match self {
            BridgeClass::MedianCentering => DOWN,
            BridgeClass::QuantileSmoothing => palette(2),
            BridgeClass::NotBridgeable => UP,
        }
    }

    fn shape(self) -> Shape {
        match self {
            BridgeClass::MedianCentering => Shape::Circle,
            BridgeClass::QuantileSmoothing => Shape::Triangle,
            BridgeClass::NotBridgeable => Shape::Diamond,
        }
    }
}

/// One shared assay of a cross-product bridge, as `bridgeability.tsv` has it.
#[derive(Clone, Debug, PartialEq)]
pub struct BridgePoint {
    /// Assay name.
    pub label: String,
    /// Squared Pearson correlation of the bridge pairs (NaN when undefined).
    pub r2: f64,
    /// Two-sample Kolmogorov–Smirnov D of the bridge pairs.
    pub ks_d: f64,
    /// Absolute difference of the products' q90 − q10 ranges.
    pub range_diff: f64,
    /// The lower of the two products' median Count.
    pub min_median_count: f64,
    /// The recommendation.
    pub class: BridgeClass,
}

/// Data of [`bridgeability`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BridgeabilityData {
    /// The shared assays.
    pub points: Vec<BridgePoint>,
    /// Assays measured in one product only (counted in the subtitle).
    pub not_overlapping: usize,
}

/// Options of [`bridgeability`]; the thresholds default to OlinkAnalyze 5.0's.
#[derive(Clone, Debug)]
pub struct BridgeabilityOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title.
    pub title: String,
    /// The correlation criterion fails below this r².
    pub r2_min: f64,
    /// Median centring up to this KS D, quantile smoothing above.
    pub ks_max: f64,
    /// The range criterion fails above this difference (NPX).
    pub range_max: f64,
    /// The count criterion fails below this median Count.
    pub count_min: f64,
    /// Number of not-bridgeable assays labelled per panel.
    pub label_top: usize,
}

impl Default for BridgeabilityOptions {
    fn default() -> Self {
        BridgeabilityOptions {
            width: 960,
            height: crate::DEFAULT_HEIGHT,
            title: "Bridgeability of the shared assays".into(),
            r2_min: 0.8,
            ks_max: 0.2,
            range_max: 1.0,
            count_min: 150.0,
            label_top: 10,
        }
    }
}

/// Two panels over the shared assays, coloured and shaped by recommendation. Left: KS D
/// against r², with the D threshold (median centring left of it, quantile smoothing
/// right) and the r² threshold. Right: the lower median Count of the two products
/// (log10 axis) against the range difference, with their thresholds. An assay is not
/// bridgeable when it fails all three criteria: below the r² line, above the range
/// line and left of the Count line. Not-bridgeable assays are labelled; the subtitle
/// counts each recommendation. Assays without values for a panel are left out of it.
pub fn bridgeability(
    data: &BridgeabilityData,
    opts: &BridgeabilityOptions,
) -> Result<Figure, PlotError> {
    let classes = [
        BridgeClass::MedianCentering,
        BridgeClass::QuantileSmoothing,
        BridgeClass::NotBridgeable,
    ];
    let count = |c: BridgeClass| data.points.iter().filter(|p| p.class == c).count();
    let mut subtitle = format!(
        "{} median centring · {} quantile smoothing · {} not bridgeable",
        count(BridgeClass::MedianCentering),
        count(BridgeClass::QuantileSmoothing),
        count(BridgeClass::NotBridgeable)
    );
    if data.not_overlapping > 0 {
        subtitle += &format!(" · {} in one product only", data.not_overlapping);
    }
    let items: Vec<LegendItem> = classes
        .iter()
        .filter(|c| count(**c) > 0)
        .map(|c| LegendItem {
            label: c.name().to_string(),
            color: c.color(),
            shape: c.shape(),
        })
        .collect();
    // Draw the not-bridgeable assays last (on top), each class in input order.
    let mut order: Vec<&BridgePoint> = data.points.iter().collect();
    order.sort_by_key(|p| p.class.index());
    let (w, h) = (opts.width, opts.height);
    render(w, h, |a| {
        let top = header(a, w as f64, &opts.title, &subtitle)?;
        let lw = legend_width("Recommendation", &items);
        if !items.is_empty() {
            legend(a, w as f64 - lw + 4.0, top + 6.0, "Recommendation", &items)?;
        }
        let right = w as f64 - lw - 4.0;
        let mid = 4.0 + (right - 4.0) / 2.0;
        let mut labels = Vec::new();
        // Left: KS D against r².
        let left_pts: Vec<(f64, f64, &BridgePoint)> = order
            .iter()
            .filter(|p| p.ks_d.is_finite() && p.r2.is_finite())
            .map(|p| (p.ks_d, p.r2, *p))
            .collect();
        let xr = padded_range(left_pts.iter().map(|t| t.0).chain([0.0, opts.ks_max]), 0.05)
            .unwrap_or((0.0, 1.0));
        let yr = padded_range(left_pts.iter().map(|t| t.1).chain([opts.r2_min, 1.0]), 0.05)
            .unwrap_or((0.0, 1.0));
        let panel = Panel {
            area: Rect {
                x0: 4.0,
                y0: top,
                x1: mid - 6.0,
                y1: h as f64 - 4.0,
            },
            xlab: "Kolmogorov–Smirnov D",
            ylab: "r² of bridge samples",
            x: xr,
            y: yr,
            vline: (opts.ks_max, format!("D = {}", fmt_num(opts.ks_max))),
            hline: (opts.r2_min, format!("r² = {}", fmt_num(opts.r2_min))),
        };
        labels.extend(scatter_panel(a, &panel, &left_pts, opts.label_top)?);
        // Right: log10 lower median Count against range difference.
        let right_pts: Vec<(f64, f64, &BridgePoint)> = order
            .iter()
            .filter(|p| p.min_median_count > 0.0 && p.range_diff.is_finite())
            .map(|p| (p.min_median_count.log10(), p.range_diff, *p))
            .collect();
        let count_line = opts.count_min.log10();
        let xr = padded_range(right_pts.iter().map(|t| t.0).chain([count_line]), 0.05)
            .unwrap_or((1.0, 4.0));
        let yr = padded_range(
            right_pts.iter().map(|t| t.1).chain([0.0, opts.range_max]),
            0.05,
        )
        .unwrap_or((0.0, 2.0));
        let panel = Panel {
            area: Rect {
                x0: mid + 2.0,
                y0: top,
                x1: right,
                y1: h as f64 - 4.0,
            },
            xlab: "log10 median Count (lower product)",
            ylab: "range difference (NPX)",
            x: xr,
            y: yr,
            vline: (count_line, format!("Count = {}", fmt_num(opts.count_min))),
            hline: (opts.range_max, format!("{} NPX", fmt_num(opts.range_max))),
        };
        labels.extend(scatter_panel(a, &panel, &right_pts, opts.label_top)?);
        Ok(labels)
    })
}

/// One scatter panel of [`bridgeability`] with a vertical and a horizontal threshold.
struct Panel<'s> {
    area: Rect,
    xlab: &'s str,
    ylab: &'s str,
    x: (f64, f64),
    y: (f64, f64),
    vline: (f64, String),
    hline: (f64, String),
}

fn scatter_panel(
    a: &Area,
    panel: &Panel,
    pts: &[(f64, f64, &BridgePoint)],
    label_top: usize,
) -> Result<Vec<PlacedLabel>, PlotError> {
    let (sx, sy) = axes(
        a,
        panel.area,
        &AxisSpec::new(panel.xlab, panel.ylab, panel.x, panel.y),
    )?;
    let plot = Rect::inside(&sx, &sy);
    if pts.is_empty() {
        no_data(a, plot, "no shared assay with values")?;
        return Ok(Vec::new());
    }
    // The thresholds, their texts kept clear of the assay labels as obstacles.
    let mut obst = Vec::with_capacity(pts.len() + 16);
    let vx = sx.map(panel.vline.0);
    dashed(a, (vx, plot.y0), (vx, plot.y1), DARK.mix(0.7), 1)?;
    let (tx, ty) = (vx + 3.0, plot.y0 + 3.0);
    text(a, &panel.vline.1, tx, ty, Txt::new(TICK_PX).color(MID_GREY))?;
    text_obstacles(&mut obst, &panel.vline.1, tx, ty + TICK_PX / 2.0);
    let hy = sy.map(panel.hline.0);
    dashed(a, (plot.x0, hy), (plot.x1, hy), DARK.mix(0.7), 1)?;
    let tw = text_width(&panel.hline.1, TICK_PX, false);
    text(
        a,
        &panel.hline.1,
        plot.x1 - 4.0,
        hy - 3.0,
        Txt::new(TICK_PX)
            .color(MID_GREY)
            .anchor(HPos::Right, VPos::Bottom),
    )?;
    text_obstacles(
        &mut obst,
        &panel.hline.1,
        plot.x1 - 4.0 - tw,
        hy - 3.0 - TICK_PX / 2.0,
    );
    let r = if pts.len() > 1500 { 2.0 } else { 3.5 };
    for (x, y, p) in pts {
        let (px, py) = (sx.map(*x), sy.map(*y));
        marker(
            a,
            px,
            py,
            r,
            p.class.shape(),
            p.class.color().mix(0.8),
            None,
        )?;
        obst.push((px, py, r));
    }
    let reqs: Vec<LabelRequest> = pts
        .iter()
        .filter(|(_, _, p)| p.class == BridgeClass::NotBridgeable)
        .take(label_top)
        .map(|(x, y, p)| LabelRequest {
            text: truncate(&p.label, 20),
            anchor: (sx.map(*x), sy.map(*y)),
        })
        .collect();
    draw_labels(a, &reqs, &obst, plot.pad(-1.0), r)
}

/// Circles covering a line of text starting at `x` with its middle at `y`, so that label
/// repel treats the text as occupied.
fn text_obstacles(obst: &mut Vec<(f64, f64, f64)>, s: &str, x: f64, y: f64) {
    let w = text_width(s, TICK_PX, false);
    let step = TICK_PX * 0.6;
    let mut dx = step / 2.0;
    while dx < w {
        obst.push((x + dx, y, step));
        dx += step;
    }
}

fn distinct<'a, I: Iterator<Item = &'a str>>(it: I) -> Vec<String> {
    let mut g: Vec<String> = Vec::new();
    for s in it {
        if !g.iter().any(|x| x == s) {
            g.push(s.to_string());
        }
    }
    g
}
