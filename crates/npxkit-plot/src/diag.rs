//! Differential-expression diagnostics: p-value histogram and MA plot.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::repel::{draw_labels, LabelRequest};
use crate::style::Rect;
use crate::style::*;
use crate::{render, Figure, PlotError};

/// Options of [`pvalue_histogram`].
#[derive(Clone, Debug)]
pub struct PHistOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title.
    pub title: String,
    /// Subtitle; empty → the number of tests.
    pub subtitle: String,
}

impl Default for PHistOptions {
    fn default() -> Self {
        PHistOptions {
            width: crate::DEFAULT_WIDTH,
            height: crate::DEFAULT_HEIGHT,
            title: "P-value distribution".into(),
            subtitle: String::new(),
        }
    }
}

/// Histogram of P values in 20 bins of width 0.05 (the last bin includes 1), with the
/// count expected per bin when every null hypothesis is true (n / 20) as a dashed line.
/// Values outside [0, 1] and non-finite ones are skipped.
pub fn pvalue_histogram(p_values: &[f64], opts: &PHistOptions) -> Result<Figure, PlotError> {
    let ps: Vec<f64> = p_values
        .iter()
        .copied()
        .filter(|p| p.is_finite() && (0.0..=1.0).contains(p))
        .collect();
    let mut counts = [0usize; 20];
    for &p in &ps {
        counts[((p / 0.05).floor() as usize).min(19)] += 1;
    }
    let n = ps.len();
    let expected = n as f64 / 20.0;
    let subtitle = if opts.subtitle.is_empty() {
        format!("{n} tests; dashed line: expected count if all nulls are true")
    } else {
        opts.subtitle.clone()
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
        let ymax = (counts.iter().copied().max().unwrap_or(0) as f64).max(expected) * 1.08;
        let (sx, sy) = axes(
            a,
            area,
            &AxisSpec::new(
                "P value",
                "number of tests",
                (0.0, 1.0),
                (0.0, ymax.max(1.0)),
            ),
        )?;
        let plot = Rect::inside(&sx, &sy);
        if n == 0 {
            no_data(a, plot, "no data")?;
            return Ok(Vec::new());
        }
        for (i, &c) in counts.iter().enumerate() {
            let (x0, x1) = (sx.map(i as f64 * 0.05), sx.map((i + 1) as f64 * 0.05));
            rect(
                a,
                x0 + 0.5,
                sy.map(c as f64),
                x1 - 0.5,
                sy.map(0.0),
                Some(DOWN.mix(0.75)),
                Some((DOWN.to_rgba(), 1)),
            )?;
        }
        let y = sy.map(expected);
        dashed(a, (plot.x0, y), (plot.x1, y), UP.to_rgba(), 2)?;
        text(
            a,
            &format!("uniform: {}", fmt_num((expected * 10.0).round() / 10.0)),
            plot.x1 - 4.0,
            y - 4.0,
            Txt::new(TICK_PX)
                .color(UP)
                .anchor(HPos::Right, VPos::Bottom),
        )?;
        Ok(Vec::new())
    })
}

/// One protein in the MA plot (a row of `de.tsv`).
#[derive(Clone, Debug, PartialEq)]
pub struct MaPoint {
    /// Name shown when labelled.
    pub label: String,
    /// `AveExpr`.
    pub ave_expr: f64,
    /// `logFC`.
    pub log_fc: f64,
    /// `adj.P.Val`.
    pub adj_p_value: f64,
}

/// Options of [`ma_plot`].
#[derive(Clone, Debug)]
pub struct MaOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title.
    pub title: String,
    /// Subtitle; empty → counts up and down.
    pub subtitle: String,
    /// Significance threshold on adj.P.Val.
    pub fdr: f64,
    /// Minimum |logFC| to be significant; dashed lines at ±lfc when > 0.
    pub lfc: f64,
    /// Number of smallest adj.P.Val proteins labelled.
    pub top_n: usize,
}

impl Default for MaOptions {
    fn default() -> Self {
        MaOptions {
            width: crate::DEFAULT_WIDTH,
            height: crate::DEFAULT_HEIGHT,
            title: "MA plot".into(),
            subtitle: String::new(),
            fdr: 0.05,
            lfc: 0.0,
            top_n: 0,
        }
    }
}

/// MA plot: average expression against logFC, significant proteins up (vermillion) and
/// down (blue), a line at 0 and dashed lines at ±lfc.
pub fn ma_plot(points: &[MaPoint], opts: &MaOptions) -> Result<Figure, PlotError> {
    let pts: Vec<&MaPoint> = points
        .iter()
        .filter(|p| p.ave_expr.is_finite() && p.log_fc.is_finite())
        .collect();
    let sig =
        |p: &MaPoint| p.adj_p_value <= opts.fdr && p.log_fc.abs() >= opts.lfc && p.log_fc != 0.0;
    let n_up = pts.iter().filter(|p| sig(p) && p.log_fc > 0.0).count();
    let n_down = pts.iter().filter(|p| sig(p) && p.log_fc < 0.0).count();
    let subtitle = if opts.subtitle.is_empty() {
        format!(
            "{n_up} up, {n_down} down at FDR ≤ {} ({} proteins)",
            fmt_num(opts.fdr),
            pts.len()
        )
    } else {
        opts.subtitle.clone()
    };
    let items = vec![
        LegendItem {
            label: format!("Up ({n_up})"),
            color: UP,
            shape: Shape::Circle,
        },
        LegendItem {
            label: format!("Down ({n_down})"),
            color: DOWN,
            shape: Shape::Circle,
        },
        LegendItem {
            label: "Not significant".into(),
            color: NS_GREY,
            shape: Shape::Circle,
        },
    ];
    let (w, h) = (opts.width, opts.height);
    render(w, h, |a| {
        let top = header(a, w as f64, &opts.title, &subtitle)?;
        let lw = legend_width("", &items);
        let area = Rect {
            x0: 4.0,
            y0: top,
            x1: w as f64 - lw - 4.0,
            y1: h as f64 - 4.0,
        };
        let xr = padded_range(pts.iter().map(|p| p.ave_expr), 0.04).unwrap_or((0.0, 1.0));
        let ym = pts
            .iter()
            .map(|p| p.log_fc.abs())
            .fold(opts.lfc * 1.2, f64::max);
        let ym = if ym > 0.0 { ym * 1.08 } else { 1.0 };
        let (sx, sy) = axes(
            a,
            area,
            &AxisSpec::new(
                "average expression (NPX)",
                "log2 fold change",
                xr,
                (-ym, ym),
            ),
        )?;
        legend(a, area.x1 + 8.0, top + 10.0, "", &items)?;
        let plot = Rect::inside(&sx, &sy);
        if pts.is_empty() {
            no_data(a, plot, "no data")?;
            return Ok(Vec::new());
        }
        line(
            a,
            &[(plot.x0, sy.map(0.0)), (plot.x1, sy.map(0.0))],
            MID_GREY.to_rgba(),
            1,
        )?;
        if opts.lfc > 0.0 {
            for s in [-1.0, 1.0] {
                let y = sy.map(s * opts.lfc);
                dashed(a, (plot.x0, y), (plot.x1, y), MID_GREY.mix(0.9), 1)?;
            }
        }
        let r = 3.0;
        let mut obst = Vec::new();
        for pass in 0..2 {
            for q in pts.iter().filter(|q| sig(q) == (pass == 1)) {
                let (x, y) = (sx.map(q.ave_expr), sy.map(q.log_fc));
                let c = if pass == 0 {
                    NS_GREY.mix(0.7)
                } else if q.log_fc > 0.0 {
                    UP.mix(0.85)
                } else {
                    DOWN.mix(0.85)
                };
                marker(a, x, y, r, Shape::Circle, c, None)?;
                obst.push((x, y, r));
            }
        }
        let mut idx: Vec<usize> = (0..pts.len())
            .filter(|&i| pts[i].adj_p_value.is_finite())
            .collect();
        idx.sort_by(|&i, &j| {
            pts[i]
                .adj_p_value
                .total_cmp(&pts[j].adj_p_value)
                .then(i.cmp(&j))
        });
        let reqs: Vec<LabelRequest> = idx
            .iter()
            .take(opts.top_n)
            .map(|&i| LabelRequest {
                text: truncate(&pts[i].label, 20),
                anchor: (sx.map(pts[i].ave_expr), sy.map(pts[i].log_fc)),
            })
            .collect();
        draw_labels(a, &reqs, &obst, plot.pad(-1.0), r)
    })
}
