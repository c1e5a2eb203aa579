//! Paired plots: one protein or score per panel, values by timepoint as boxes with every
//! subject's values joined across timepoints.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::stats::boxplot_stats;
use crate::style::Rect;
use crate::style::*;
use crate::{render, Figure, PlotError};

/// One measurement: a subject's value at a group (timepoint).
#[derive(Clone, Debug, PartialEq)]
pub struct PairedPoint {
    /// Subject (patient) identifier; values of the same subject are joined by a line.
    pub subject: String,
    /// Group (timepoint) of the measurement; must be one of [`PairedSeries::groups`].
    pub group: String,
    /// The value (NPX or score); non-finite values are skipped.
    pub value: f64,
}

/// The data of one panel.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PairedSeries {
    /// Protein or score name (the panel title).
    pub name: String,
    /// Text under the title, e.g. "paired limma P = 0.0012, FDR = 0.03" (from the caller).
    pub note: String,
    /// Groups in plotting order (two or more timepoints; one works too).
    pub groups: Vec<String>,
    /// The measurements; those of groups not listed are ignored.
    pub points: Vec<PairedPoint>,
}

/// Options of [`paired`].
#[derive(Clone, Debug)]
pub struct PairedOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// y-axis title.
    pub ylab: String,
    /// x-axis title.
    pub xlab: String,
}

impl Default for PairedOptions {
    fn default() -> Self {
        PairedOptions {
            width: 480,
            height: crate::DEFAULT_HEIGHT,
            ylab: "NPX (log2)".to_string(),
            xlab: String::new(),
        }
    }
}

/// Options of [`paired_grid`].
#[derive(Clone, Debug)]
pub struct GridOptions {
    /// Width in pixels; 0 → 300 px per column.
    pub width: u32,
    /// Height in pixels; 0 → 290 px per row plus the title.
    pub height: u32,
    /// Number of columns; 0 → up to 4, as square as possible.
    pub ncol: usize,
    /// Figure title (may be empty).
    pub title: String,
    /// Figure subtitle (may be empty).
    pub subtitle: String,
    /// y-axis title of every panel.
    pub ylab: String,
}

impl Default for GridOptions {
    fn default() -> Self {
        GridOptions {
            width: 0,
            height: 0,
            ncol: 0,
            title: String::new(),
            subtitle: String::new(),
            ylab: "NPX (log2)".to_string(),
        }
    }
}

/// A paired plot of one protein or immune score: for each group a box (median, hinges,
/// whiskers at 1.5 × the hinge spread as R's `boxplot`), every value as a point at its
/// group (no jitter), and a line joining each subject's values across the groups.
pub fn paired(series: &PairedSeries, opts: &PairedOptions) -> Result<Figure, PlotError> {
    let (w, h) = (opts.width, opts.height);
    render(w, h, |a| {
        let top = header(a, w as f64, &series.name, &series.note)?;
        let r = Rect {
            x0: 4.0,
            y0: top,
            x1: w as f64 - 4.0,
            y1: h as f64 - 4.0,
        };
        panel(a, r, series, &opts.ylab, &opts.xlab)?;
        Ok(Vec::new())
    })
}

/// Several paired panels in one figure (e.g. CD274 and the top hits, or several cell
/// types), each with its own y axis, its name and note as panel title.
pub fn paired_grid(panels: &[PairedSeries], opts: &GridOptions) -> Result<Figure, PlotError> {
    let k = panels.len().max(1);
    let ncol = if opts.ncol > 0 {
        opts.ncol.min(k)
    } else {
        ((k as f64).sqrt().ceil() as usize).clamp(1, 4)
    };
    let nrow = k.div_ceil(ncol);
    let head = (if opts.title.is_empty() {
        0.0
    } else {
        TITLE_PX + 8.0
    }) + (if opts.subtitle.is_empty() {
        0.0
    } else {
        SUBTITLE_PX + 8.0
    }) + 12.0;
    let w = if opts.width > 0 {
        opts.width
    } else {
        300 * ncol as u32
    };
    let h = if opts.height > 0 {
        opts.height
    } else {
        290 * nrow as u32 + head as u32
    };
    render(w, h, |a| {
        let top = header(a, w as f64, &opts.title, &opts.subtitle)?;
        if panels.is_empty() {
            no_data(
                a,
                Rect {
                    x0: 10.0,
                    y0: top,
                    x1: w as f64 - 10.0,
                    y1: h as f64 - 10.0,
                },
                "no data",
            )?;
            return Ok(Vec::new());
        }
        let pw = (w as f64 - 8.0) / ncol as f64;
        let ph = (h as f64 - top - 4.0) / nrow as f64;
        for (i, s) in panels.iter().enumerate() {
            let (row, col) = (i / ncol, i % ncol);
            let x0 = 4.0 + col as f64 * pw;
            let y0 = top + row as f64 * ph;
            let name = fit_width(&s.name, AXIS_TITLE_PX, true, pw - 16.0);
            text(
                a,
                &name,
                x0 + pw / 2.0,
                y0,
                Txt::new(AXIS_TITLE_PX)
                    .bold()
                    .anchor(HPos::Center, VPos::Top),
            )?;
            let mut y = y0 + AXIS_TITLE_PX + 5.0;
            if !s.note.is_empty() {
                let note = fit_width(&s.note, TICK_PX, false, pw - 16.0);
                text(
                    a,
                    &note,
                    x0 + pw / 2.0,
                    y,
                    Txt::new(TICK_PX)
                        .color(MID_GREY)
                        .anchor(HPos::Center, VPos::Top),
                )?;
                y += TICK_PX + 4.0;
            }
            let ylab = if col == 0 { opts.ylab.as_str() } else { "" };
            panel(
                a,
                Rect {
                    x0,
                    y0: y,
                    x1: x0 + pw,
                    y1: y0 + ph - 4.0,
                },
                s,
                ylab,
                "",
            )?;
        }
        Ok(Vec::new())
    })
}

fn panel(a: &Area, r: Rect, s: &PairedSeries, ylab: &str, xlab: &str) -> Result<(), PlotError> {
    let ng = s.groups.len();
    let gi = |g: &str| s.groups.iter().position(|x| x == g);
    let vals: Vec<(usize, &PairedPoint)> = s
        .points
        .iter()
        .filter(|p| p.value.is_finite())
        .filter_map(|p| gi(&p.group).map(|i| (i, p)))
        .collect();
    let yr = padded_range(vals.iter().map(|(_, p)| p.value), 0.06).unwrap_or((0.0, 1.0));
    let mut spec = AxisSpec::new(xlab, ylab, (-0.5, ng.max(1) as f64 - 0.5), yr);
    spec.x_ticks = false;
    spec.x_label_area = if xlab.is_empty() { 26.0 } else { 46.0 };
    if ylab.is_empty() {
        spec.y_label_area = 44.0;
    }
    let (sx, sy) = axes(a, r, &spec)?;
    let plot = Rect::inside(&sx, &sy);
    let slot = (sx.p1 - sx.p0) / ng.max(1) as f64;
    for (i, g) in s.groups.iter().enumerate() {
        let label = fit_width(g, TICK_PX, false, slot - 4.0);
        text(
            a,
            &label,
            sx.map(i as f64),
            plot.y1 + 6.0,
            Txt::new(TICK_PX).anchor(HPos::Center, VPos::Top),
        )?;
    }
    if vals.is_empty() {
        return no_data(a, plot, "no data");
    }
    let bw = (slot * 0.45).min(70.0) / 2.0;
    // boxes
    for i in 0..ng {
        let v: Vec<f64> = vals
            .iter()
            .filter(|(k, _)| *k == i)
            .map(|(_, p)| p.value)
            .collect();
        let Some(b) = boxplot_stats(&v, 1.5) else {
            continue;
        };
        let c = palette(i);
        let x = sx.map(i as f64);
        let [lo, q1, med, q3, hi] = b.stats.map(|v| sy.map(v));
        line(a, &[(x, q1), (x, lo)], c.to_rgba(), 1)?;
        line(a, &[(x, q3), (x, hi)], c.to_rgba(), 1)?;
        line(a, &[(x - bw / 2.0, lo), (x + bw / 2.0, lo)], c.to_rgba(), 1)?;
        line(a, &[(x - bw / 2.0, hi), (x + bw / 2.0, hi)], c.to_rgba(), 1)?;
        rect(
            a,
            x - bw,
            q3,
            x + bw,
            q1,
            Some(c.mix(0.12)),
            Some((c.to_rgba(), 1)),
        )?;
        line(a, &[(x - bw, med), (x + bw, med)], c.to_rgba(), 3)?;
    }
    // subject lines, in order of first appearance
    let mut subjects: Vec<&str> = Vec::new();
    for (_, p) in &vals {
        if !subjects.contains(&p.subject.as_str()) {
            subjects.push(&p.subject);
        }
    }
    for subj in &subjects {
        let mut path: Vec<(f64, f64)> = Vec::new();
        for i in 0..ng {
            if let Some((_, p)) = vals.iter().find(|(k, p)| *k == i && p.subject == *subj) {
                path.push((sx.map(i as f64), sy.map(p.value)));
            }
        }
        if path.len() >= 2 {
            line(a, &path, MID_GREY.mix(0.45), 1)?;
        }
    }
    for (i, p) in &vals {
        marker(
            a,
            sx.map(*i as f64),
            sy.map(p.value),
            3.0,
            Shape::Circle,
            palette(*i).mix(0.9),
            Some(WHITE.to_rgba()),
        )?;
    }
    Ok(())
}
