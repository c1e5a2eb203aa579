//! Volcano plot.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::repel::{draw_labels, LabelRequest};
use crate::style::Rect;
use crate::style::*;
use crate::{render, Figure, PlotError};

/// One protein in a volcano plot (a row of `de.tsv`).
#[derive(Clone, Debug, PartialEq)]
pub struct VolcanoPoint {
    /// Name shown when labelled (usually `Assay`).
    pub label: String,
    /// `logFC`.
    pub log_fc: f64,
    /// `P.Value`.
    pub p_value: f64,
    /// `adj.P.Val`.
    pub adj_p_value: f64,
}

/// Options of [`volcano`].
#[derive(Clone, Debug)]
pub struct VolcanoOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title; empty → "Volcano plot" (or the contrast when given).
    pub title: String,
    /// The contrast, e.g. "C2D1 - C1D1", shown in the title.
    pub contrast: String,
    /// Subtitle; empty → counts up and down at the thresholds.
    pub subtitle: String,
    /// Significance: `adj.P.Val ≤ fdr`.
    pub fdr: f64,
    /// Minimum |logFC| to be called significant; lines at ±lfc are drawn when > 0.
    pub lfc: f64,
    /// Number of most significant proteins labelled.
    pub top_n: usize,
    /// Names always labelled (e.g. "CD274"), before the top ones.
    pub highlight: Vec<String>,
    /// x-axis title.
    pub xlab: String,
    /// Labels longer than this are cut with an ellipsis.
    pub max_label_chars: usize,
}

impl Default for VolcanoOptions {
    fn default() -> Self {
        VolcanoOptions {
            width: crate::DEFAULT_WIDTH,
            height: crate::DEFAULT_HEIGHT,
            title: String::new(),
            contrast: String::new(),
            subtitle: String::new(),
            fdr: 0.05,
            lfc: 0.0,
            top_n: 10,
            highlight: Vec::new(),
            xlab: "log2 fold change".to_string(),
            max_label_chars: 20,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    Up,
    Down,
    Ns,
}

/// Volcano plot: logFC against −log10 P, significant proteins up (vermillion) and down
/// (blue), the P value matching the FDR threshold (the largest P with adj.P ≤ fdr) as a
/// dashed horizontal line, ±lfc as dashed vertical lines, and the `highlight` names plus
/// the `top_n` smallest P values labelled without overlaps. Points with a non-finite
/// logFC or P are skipped; P = 0 is drawn as a triangle at the top of the axis.
pub fn volcano(points: &[VolcanoPoint], opts: &VolcanoOptions) -> Result<Figure, PlotError> {
    let pts: Vec<&VolcanoPoint> = points
        .iter()
        .filter(|p| p.log_fc.is_finite() && p.p_value.is_finite() && p.p_value >= 0.0)
        .collect();
    let call = |p: &VolcanoPoint| {
        if p.adj_p_value <= opts.fdr && p.log_fc.abs() >= opts.lfc && p.log_fc != 0.0 {
            if p.log_fc > 0.0 {
                Call::Up
            } else {
                Call::Down
            }
        } else {
            Call::Ns
        }
    };
    let n_up = pts.iter().filter(|p| call(p) == Call::Up).count();
    let n_down = pts.iter().filter(|p| call(p) == Call::Down).count();
    let max_finite = pts
        .iter()
        .filter(|p| p.p_value > 0.0)
        .map(|p| -p.p_value.log10())
        .fold(0.0f64, f64::max);
    let has_zero = pts.iter().any(|p| p.p_value == 0.0);
    let cap = if has_zero {
        max_finite * 1.1 + 1.0
    } else {
        f64::INFINITY
    };
    let ylog = |p: f64| if p > 0.0 { -p.log10() } else { cap };
    // P at the FDR threshold: the largest P among adj.P <= fdr.
    let p_thr = pts
        .iter()
        .filter(|p| p.adj_p_value <= opts.fdr)
        .map(|p| p.p_value)
        .fold(f64::NEG_INFINITY, f64::max);

    let title = if !opts.title.is_empty() {
        opts.title.clone()
    } else if !opts.contrast.is_empty() {
        format!("Volcano plot: {}", opts.contrast)
    } else {
        "Volcano plot".to_string()
    };
    let subtitle = if !opts.subtitle.is_empty() {
        opts.subtitle.clone()
    } else {
        let mut s = format!("{n_up} up, {n_down} down at FDR ≤ {}", fmt_num(opts.fdr));
        if opts.lfc > 0.0 {
            s.push_str(&format!(" and |logFC| ≥ {}", fmt_num(opts.lfc)));
        }
        s.push_str(&format!(" ({} proteins)", pts.len()));
        s
    };
    let (w, h) = (opts.width, opts.height);
    render(w, h, |a| {
        let top = header(a, w as f64, &title, &subtitle)?;
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
        let lw = legend_width("", &items);
        let area = Rect {
            x0: 4.0,
            y0: top,
            x1: w as f64 - lw - 4.0,
            y1: h as f64 - 4.0,
        };
        let xm = pts
            .iter()
            .map(|p| p.log_fc.abs())
            .fold(0.0f64, f64::max)
            .max(opts.lfc * 1.2);
        let xm = if xm > 0.0 { xm * 1.08 } else { 1.0 };
        let ym = pts.iter().map(|p| ylog(p.p_value)).fold(0.0f64, f64::max);
        let ym = if ym > 0.0 { ym * 1.06 } else { 1.0 };
        let (sx, sy) = axes(
            a,
            area,
            &AxisSpec::new(&opts.xlab, "−log10 P", (-xm, xm), (0.0, ym)),
        )?;
        legend(a, area.x1 + 8.0, top + 10.0, "", &items)?;
        let plot = Rect::inside(&sx, &sy);
        if pts.is_empty() {
            no_data(a, plot, "no data")?;
            return Ok(Vec::new());
        }
        // threshold lines
        let thr_c = MID_GREY.mix(0.9);
        if p_thr.is_finite() && p_thr > 0.0 {
            let y = sy.map(-p_thr.log10());
            dashed(a, (plot.x0, y), (plot.x1, y), thr_c, 1)?;
            text(
                a,
                &format!("FDR {}", fmt_num(opts.fdr)),
                plot.x1 - 4.0,
                y - 3.0,
                Txt::new(TICK_PX)
                    .color(MID_GREY)
                    .anchor(HPos::Right, VPos::Bottom),
            )?;
        }
        if opts.lfc > 0.0 {
            for s in [-1.0, 1.0] {
                let x = sx.map(s * opts.lfc);
                dashed(a, (x, plot.y0), (x, plot.y1), thr_c, 1)?;
            }
        }
        // points: not significant first, then significant on top
        let r = 3.0;
        let mut obstacles = Vec::with_capacity(pts.len());
        for pass in [Call::Ns, Call::Down, Call::Up] {
            for p in pts.iter().filter(|p| call(p) == pass) {
                let (x, y) = (sx.map(p.log_fc), sy.map(ylog(p.p_value)));
                let (col, alpha) = match pass {
                    Call::Up => (UP, 0.85),
                    Call::Down => (DOWN, 0.85),
                    Call::Ns => (NS_GREY, 0.7),
                };
                let shape = if p.p_value == 0.0 {
                    Shape::Triangle
                } else {
                    Shape::Circle
                };
                marker(a, x, y, r, shape, col.mix(alpha), None)?;
                obstacles.push((x, y, r));
            }
        }
        // labels: highlights, then the top_n smallest P
        let mut chosen: Vec<usize> = Vec::new();
        let idx: Vec<usize> = (0..pts.len()).collect();
        for hname in &opts.highlight {
            for &i in &idx {
                if pts[i].label == *hname && !chosen.contains(&i) {
                    chosen.push(i);
                }
            }
        }
        let mut by_p = idx.clone();
        by_p.sort_by(|&i, &j| pts[i].p_value.total_cmp(&pts[j].p_value).then(i.cmp(&j)));
        for &i in by_p.iter().take(opts.top_n) {
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        let reqs: Vec<LabelRequest> = chosen
            .iter()
            .map(|&i| LabelRequest {
                text: truncate(&pts[i].label, opts.max_label_chars),
                anchor: (sx.map(pts[i].log_fc), sy.map(ylog(pts[i].p_value))),
            })
            .collect();
        // highlighted points get a ring
        for (k, &i) in chosen.iter().enumerate() {
            if opts.highlight.contains(&pts[i].label) {
                let (x, y) = reqs[k].anchor;
                a.draw(&Circle::new(
                    p(x, y),
                    5,
                    ShapeStyle {
                        color: DARK.to_rgba(),
                        filled: false,
                        stroke_width: 2,
                    },
                ))
                .map_err(err)?;
            }
        }
        draw_labels(a, &reqs, &obstacles, plot.pad(-1.0), r)
    })
}
