//! QC figures: PCA scatter, per-sample median/IQR, missingness by assay.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::repel::{draw_labels, LabelRequest};
use crate::style::Rect;
use crate::style::*;
use crate::{render, Figure, PlotError};

fn group_list<'a, I: Iterator<Item = &'a str>>(it: I) -> Vec<String> {
    let mut g: Vec<String> = Vec::new();
    for s in it {
        if !g.iter().any(|x| x == s) {
            g.push(s.to_string());
        }
    }
    g
}

/// One sample in the PCA plot.
#[derive(Clone, Debug, PartialEq)]
pub struct PcaPoint {
    /// Sample ID (labelled when an outlier).
    pub sample: String,
    /// Score on PC1.
    pub pc1: f64,
    /// Score on PC2.
    pub pc2: f64,
    /// Group for the colour (e.g. timepoint); empty → one group.
    pub group: String,
    /// Whether the sample is flagged as an outlier (drawn as a black-edged diamond and
    /// labelled).
    pub outlier: bool,
}

/// PCA scores computed by the caller.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PcaData {
    /// The samples.
    pub points: Vec<PcaPoint>,
    /// Percent of variance explained by PC1.
    pub var_pc1: f64,
    /// Percent of variance explained by PC2.
    pub var_pc2: f64,
}

/// Options of [`pca`].
#[derive(Clone, Debug)]
pub struct PcaOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Legend title for the groups.
    pub group_title: String,
}

impl Default for PcaOptions {
    fn default() -> Self {
        PcaOptions {
            width: crate::DEFAULT_WIDTH,
            height: crate::DEFAULT_HEIGHT,
            title: "PCA of samples".into(),
            subtitle: String::new(),
            group_title: "group".into(),
        }
    }
}

/// PCA scatter: PC1 against PC2 (percent variance in the axis titles), coloured and
/// shaped by group, outliers as diamonds with a black edge and labelled.
pub fn pca(data: &PcaData, opts: &PcaOptions) -> Result<Figure, PlotError> {
    let pts: Vec<&PcaPoint> = data
        .points
        .iter()
        .filter(|p| p.pc1.is_finite() && p.pc2.is_finite())
        .collect();
    let groups = group_list(pts.iter().map(|p| p.group.as_str()));
    let gi = |g: &str| groups.iter().position(|x| x == g).unwrap_or(0);
    let mut items: Vec<LegendItem> =
        if groups.len() > 1 || groups.first().is_some_and(|g| !g.is_empty()) {
            groups
                .iter()
                .enumerate()
                .map(|(i, g)| LegendItem {
                    label: truncate(g, 20),
                    color: palette(i),
                    shape: shape_for(i),
                })
                .collect()
        } else {
            Vec::new()
        };
    let n_out = pts.iter().filter(|p| p.outlier).count();
    if n_out > 0 {
        items.push(LegendItem {
            label: format!("outlier ({n_out})"),
            color: DARK,
            shape: Shape::Diamond,
        });
    }
    let fmt_pc = |k: u32, v: f64| {
        if v.is_finite() {
            format!("PC{k} ({v:.1}%)")
        } else {
            format!("PC{k}")
        }
    };
    let (xlab, ylab) = (fmt_pc(1, data.var_pc1), fmt_pc(2, data.var_pc2));
    let (w, h) = (opts.width, opts.height);
    render(w, h, |a| {
        let top = header(a, w as f64, &opts.title, &opts.subtitle)?;
        let lw = legend_width(&opts.group_title, &items);
        let area = Rect {
            x0: 4.0,
            y0: top,
            x1: w as f64 - lw - 4.0,
            y1: h as f64 - 4.0,
        };
        let xr = padded_range(pts.iter().map(|p| p.pc1), 0.06).unwrap_or((-1.0, 1.0));
        let yr = padded_range(pts.iter().map(|p| p.pc2), 0.06).unwrap_or((-1.0, 1.0));
        let (sx, sy) = axes(a, area, &AxisSpec::new(&xlab, &ylab, xr, yr))?;
        if !items.is_empty() {
            legend(a, area.x1 + 8.0, top + 6.0, &opts.group_title, &items)?;
        }
        let plot = Rect::inside(&sx, &sy);
        if pts.is_empty() {
            no_data(a, plot, "no data")?;
            return Ok(Vec::new());
        }
        let r = 4.0;
        let mut obst = Vec::new();
        for p in &pts {
            let (x, y) = (sx.map(p.pc1), sy.map(p.pc2));
            let g = gi(&p.group);
            if p.outlier {
                marker(
                    a,
                    x,
                    y,
                    r + 1.0,
                    Shape::Diamond,
                    palette(g).mix(0.9),
                    Some(BLACK.to_rgba()),
                )?;
            } else {
                marker(a, x, y, r, shape_for(g), palette(g).mix(0.8), None)?;
            }
            obst.push((x, y, r));
        }
        let reqs: Vec<LabelRequest> = pts
            .iter()
            .filter(|p| p.outlier)
            .map(|p| LabelRequest {
                text: truncate(&p.sample, 24),
                anchor: (sx.map(p.pc1), sy.map(p.pc2)),
            })
            .collect();
        draw_labels(a, &reqs, &obst, plot.pad(-1.0), r + 1.0)
    })
}

/// Per-sample summary of the NPX distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleDist {
    /// Sample ID.
    pub sample: String,
    /// Median NPX.
    pub median: f64,
    /// First quartile.
    pub q1: f64,
    /// Third quartile.
    pub q3: f64,
    /// Group for the colour; empty → one group.
    pub group: String,
    /// Flagged by QC (drawn in vermillion and labelled).
    pub flagged: bool,
}

/// Data of [`sample_distribution`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SampleDistData {
    /// Samples in plotting order.
    pub samples: Vec<SampleDist>,
    /// Outlier thresholds on the median (e.g. mean ± 3 SD), drawn as dashed lines.
    pub thresholds: Vec<f64>,
}

/// Options of [`sample_distribution`].
#[derive(Clone, Debug)]
pub struct SampleDistOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// y-axis title.
    pub ylab: String,
}

impl Default for SampleDistOptions {
    fn default() -> Self {
        SampleDistOptions {
            width: crate::DEFAULT_WIDTH,
            height: crate::DEFAULT_HEIGHT,
            title: "Sample medians and IQR".into(),
            subtitle: String::new(),
            ylab: "NPX".into(),
        }
    }
}

/// Per-sample medians (points) with interquartile bars, samples along x (named when at
/// most 60), thresholds as dashed lines, flagged samples in vermillion and labelled.
pub fn sample_distribution(
    data: &SampleDistData,
    opts: &SampleDistOptions,
) -> Result<Figure, PlotError> {
    let s: Vec<&SampleDist> = data
        .samples
        .iter()
        .filter(|d| d.median.is_finite())
        .collect();
    let n = s.len();
    let groups = group_list(s.iter().map(|d| d.group.as_str()));
    let gi = |g: &str| groups.iter().position(|x| x == g).unwrap_or(0);
    let mut items: Vec<LegendItem> =
        if groups.len() > 1 || groups.first().is_some_and(|g| !g.is_empty()) {
            groups
                .iter()
                .enumerate()
                .map(|(i, g)| LegendItem {
                    label: truncate(g, 20),
                    color: palette(i + 2),
                    shape: Shape::Circle,
                })
                .collect()
        } else {
            Vec::new()
        };
    let n_flag = s.iter().filter(|d| d.flagged).count();
    if n_flag > 0 {
        items.push(LegendItem {
            label: format!("flagged ({n_flag})"),
            color: UP,
            shape: Shape::Diamond,
        });
    }
    let show = n <= 60;
    let labels: Vec<String> = s.iter().map(|d| truncate(&d.sample, 16)).collect();
    let lab_h = if show {
        labels
            .iter()
            .map(|l| text_width(l, TICK_PX, false))
            .fold(0.0, f64::max)
            + 14.0
    } else {
        30.0
    };
    let (w, h) = (opts.width, opts.height);
    render(w, h, |a| {
        let top = header(a, w as f64, &opts.title, &opts.subtitle)?;
        let lw = legend_width("", &items);
        let area = Rect {
            x0: 4.0,
            y0: top,
            x1: w as f64 - lw - 4.0,
            y1: h as f64 - 4.0,
        };
        let vals = s
            .iter()
            .flat_map(|d| [d.median, d.q1, d.q3])
            .chain(data.thresholds.iter().copied());
        let yr = padded_range(vals, 0.06).unwrap_or((0.0, 1.0));
        let mut spec = AxisSpec::new("", &opts.ylab, (-0.5, n.max(1) as f64 - 0.5), yr);
        spec.x_ticks = false;
        spec.x_label_area = lab_h;
        let (sx, sy) = axes(a, area, &spec)?;
        if !items.is_empty() {
            legend(a, area.x1 + 8.0, top + 6.0, "", &items)?;
        }
        let plot = Rect::inside(&sx, &sy);
        if n == 0 {
            no_data(a, plot, "no data")?;
            return Ok(Vec::new());
        }
        for &t in &data.thresholds {
            if t.is_finite() {
                let y = sy.map(t);
                dashed(a, (plot.x0, y), (plot.x1, y), UP.mix(0.8), 1)?;
            }
        }
        let r = if n > 150 { 2.0 } else { 3.5 };
        let mut obst = Vec::new();
        for (i, d) in s.iter().enumerate() {
            let x = sx.map(i as f64);
            let c = if d.flagged {
                UP
            } else {
                palette(gi(&d.group) + 2)
            };
            if d.q1.is_finite() && d.q3.is_finite() {
                line(
                    a,
                    &[(x, sy.map(d.q1)), (x, sy.map(d.q3))],
                    c.mix(0.6),
                    if n > 150 { 1 } else { 2 },
                )?;
            }
            let shape = if d.flagged {
                Shape::Diamond
            } else {
                Shape::Circle
            };
            marker(a, x, sy.map(d.median), r, shape, c.to_rgba(), None)?;
            obst.push((x, sy.map(d.median), r));
            if show {
                text(
                    a,
                    &labels[i],
                    x,
                    plot.y1 + 6.0,
                    Txt::new(TICK_PX)
                        .anchor(HPos::Right, VPos::Center)
                        .vertical(),
                )?;
            }
        }
        if !show {
            text(
                a,
                &format!("{n} samples"),
                (plot.x0 + plot.x1) / 2.0,
                plot.y1 + 8.0,
                Txt::new(TICK_PX)
                    .color(MID_GREY)
                    .anchor(HPos::Center, VPos::Top),
            )?;
        }
        let reqs: Vec<LabelRequest> = s
            .iter()
            .enumerate()
            .filter(|(_, d)| d.flagged)
            .map(|(i, d)| LabelRequest {
                text: truncate(&d.sample, 24),
                anchor: (sx.map(i as f64), sy.map(d.median)),
            })
            .collect();
        draw_labels(a, &reqs, &obst, plot.pad(-1.0), r)
    })
}

/// Data of [`missingness`]: the fraction of samples missing (or below LOD) per assay.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MissingnessData {
    /// (assay name, fraction in [0, 1]) pairs; non-finite fractions are skipped.
    pub assays: Vec<(String, f64)>,
    /// Threshold fraction (e.g. 0.25 → assays above it are flagged), drawn as a line.
    pub threshold: Option<f64>,
}

/// Options of [`missingness`].
#[derive(Clone, Debug)]
pub struct MissingnessOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title.
    pub title: String,
    /// What is counted, for the axis title, e.g. "below LOD" or "missing".
    pub what: String,
    /// Number of worst assays labelled.
    pub label_top: usize,
}

impl Default for MissingnessOptions {
    fn default() -> Self {
        MissingnessOptions {
            width: crate::DEFAULT_WIDTH,
            height: crate::DEFAULT_HEIGHT,
            title: "Samples below LOD by assay".into(),
            what: "below LOD".into(),
            label_top: 8,
        }
    }
}

/// Assays sorted from the highest fraction down, as bars (an area for more than 400
/// assays), with the threshold as a dashed line; assays above it in vermillion, the
/// worst ones labelled; the subtitle counts them.
pub fn missingness(data: &MissingnessData, opts: &MissingnessOptions) -> Result<Figure, PlotError> {
    let mut v: Vec<(String, f64)> = data
        .assays
        .iter()
        .filter(|(_, f)| f.is_finite())
        .cloned()
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    let n = v.len();
    let thr = data.threshold.filter(|t| t.is_finite());
    let above = thr.map(|t| v.iter().filter(|(_, f)| *f > t).count());
    let subtitle = match (above, thr) {
        (Some(k), Some(t)) => format!("{k} of {n} assays above {:.0}% {}", t * 100.0, opts.what),
        _ => format!("{n} assays"),
    };
    let (w, h) = (opts.width, opts.height);
    render(w, h, |a| {
        let top = header(a, w as f64, &opts.title, &subtitle)?;
        let area = Rect {
            x0: 4.0,
            y0: top,
            x1: w as f64 - 12.0,
            y1: h as f64 - 4.0,
        };
        let ymax = (v
            .first()
            .map(|x| x.1)
            .unwrap_or(0.0)
            .max(thr.unwrap_or(0.0))
            * 100.0
            * 1.08)
            .clamp(5.0, 105.0);
        let ylab = format!("% samples {}", opts.what);
        let mut spec = AxisSpec::new("assays, sorted", &ylab, (0.0, n.max(1) as f64), (0.0, ymax));
        spec.x_ticks = n > 0;
        let (sx, sy) = axes(a, area, &spec)?;
        let plot = Rect::inside(&sx, &sy);
        if n == 0 {
            no_data(a, plot, "no data")?;
            return Ok(Vec::new());
        }
        let colour = |f: f64| if thr.is_some_and(|t| f > t) { UP } else { DOWN };
        if n <= 400 {
            for (i, (_, f)) in v.iter().enumerate() {
                let (x0, x1) = (sx.map(i as f64), sx.map(i as f64 + 1.0));
                let gap = if x1 - x0 > 4.0 { 1.0 } else { 0.0 };
                rect(
                    a,
                    x0 + gap / 2.0,
                    sy.map(f * 100.0),
                    x1 - gap / 2.0,
                    sy.map(0.0),
                    Some(colour(*f).mix(0.85)),
                    None,
                )?;
            }
        } else {
            for part in [true, false] {
                let idx: Vec<usize> = (0..n)
                    .filter(|&i| thr.is_some_and(|t| v[i].1 > t) == part)
                    .collect();
                if idx.is_empty() {
                    continue;
                }
                let mut poly = vec![p(sx.map(idx[0] as f64), sy.map(0.0))];
                for &i in &idx {
                    poly.push(p(sx.map(i as f64), sy.map(v[i].1 * 100.0)));
                    poly.push(p(sx.map(i as f64 + 1.0), sy.map(v[i].1 * 100.0)));
                }
                poly.push(p(
                    sx.map(*idx.last().unwrap_or(&0) as f64 + 1.0),
                    sy.map(0.0),
                ));
                let c = if part { UP } else { DOWN };
                a.draw(&Polygon::new(poly, c.mix(0.85).filled()))
                    .map_err(err)?;
            }
        }
        if let Some(t) = thr {
            let y = sy.map(t * 100.0);
            dashed(a, (plot.x0, y), (plot.x1, y), DARK.mix(0.8), 1)?;
            text(
                a,
                &format!("{:.0}%", t * 100.0),
                plot.x1 - 4.0,
                y - 3.0,
                Txt::new(TICK_PX)
                    .color(DARK)
                    .anchor(HPos::Right, VPos::Bottom),
            )?;
        }
        let reqs: Vec<LabelRequest> = v
            .iter()
            .enumerate()
            .take(opts.label_top)
            .filter(|(_, (_, f))| *f > 0.0)
            .map(|(i, (name, f))| LabelRequest {
                text: truncate(name, 20),
                anchor: (sx.map(i as f64 + 0.5), sy.map(f * 100.0)),
            })
            .collect();
        let obst: Vec<(f64, f64, f64)> =
            reqs.iter().map(|r| (r.anchor.0, r.anchor.1, 1.0)).collect();
        draw_labels(a, &reqs, &obst, plot.pad(-1.0), 1.0)
    })
}
