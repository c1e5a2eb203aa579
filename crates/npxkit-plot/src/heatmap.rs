//! Heatmap of a matrix (e.g. immune-set scores × samples).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::cluster::{hclust, Distance, Hclust};
use crate::style::Rect;
use crate::style::*;
use crate::{render, Figure, PlotError};

/// The matrix to draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeatmapData {
    /// Row names (e.g. immune cell types).
    pub rows: Vec<String>,
    /// Column names (e.g. sample IDs).
    pub cols: Vec<String>,
    /// `values[i][j]`: row `i`, column `j`; non-finite values are drawn light grey.
    pub values: Vec<Vec<f64>>,
    /// Group of each column (e.g. timepoint); empty for no grouping.
    pub col_groups: Vec<String>,
    /// Order of the groups; empty → order of first appearance. Columns are sorted by
    /// group (stable, so the input order is kept within a group).
    pub group_order: Vec<String>,
}

/// How rows are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowOrder {
    /// As given.
    Given,
    /// By average-linkage clustering with this dissimilarity; a dendrogram is drawn.
    Cluster(Distance),
}

/// Options of [`heatmap`].
#[derive(Clone, Debug)]
pub struct HeatmapOptions {
    /// Width in pixels (grown when the column labels need more room).
    pub width: u32,
    /// Height in pixels (grown so every row label gets 15 px).
    pub height: u32,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Row order.
    pub row_order: RowOrder,
    /// Colour limit L: the scale runs from −L (blue) through 0 (white) to L (red);
    /// `None` → the largest finite |value|.
    pub limit: Option<f64>,
    /// Column labels: `None` → shown when there are at most 60 columns.
    pub show_col_labels: Option<bool>,
    /// Title of the colour key.
    pub key_title: String,
    /// Title of the column-group legend.
    pub group_title: String,
    /// Labels longer than this are cut with an ellipsis.
    pub max_label_chars: usize,
}

impl Default for HeatmapOptions {
    fn default() -> Self {
        HeatmapOptions {
            width: crate::DEFAULT_WIDTH,
            height: crate::DEFAULT_HEIGHT,
            title: String::new(),
            subtitle: String::new(),
            row_order: RowOrder::Cluster(Distance::Euclidean),
            limit: None,
            show_col_labels: None,
            key_title: "score".to_string(),
            group_title: "group".to_string(),
            max_label_chars: 28,
        }
    }
}

/// Heatmap with a diverging RdBu scale centred at 0, columns grouped (with a colour bar
/// of the groups), rows as given or clustered (average linkage, dendrogram on the left),
/// row labels on the right, column labels below when there are at most 60 columns.
pub fn heatmap(data: &HeatmapData, opts: &HeatmapOptions) -> Result<Figure, PlotError> {
    let nr = data.rows.len();
    let nc = data.cols.len();
    let val = |i: usize, j: usize| {
        data.values
            .get(i)
            .and_then(|r| r.get(j))
            .copied()
            .unwrap_or(f64::NAN)
    };
    // column order: by group
    let mut groups: Vec<String> = data.group_order.clone();
    for g in &data.col_groups {
        if !groups.contains(g) {
            groups.push(g.clone());
        }
    }
    let grouped = !data.col_groups.is_empty();
    let gidx = |j: usize| {
        data.col_groups
            .get(j)
            .and_then(|g| groups.iter().position(|x| x == g))
            .unwrap_or(usize::MAX)
    };
    let mut cols: Vec<usize> = (0..nc).collect();
    if grouped {
        cols.sort_by_key(|&j| gidx(j));
    }
    // row order
    let mut tree: Option<Hclust> = None;
    let rows: Vec<usize> = match opts.row_order {
        RowOrder::Cluster(d) if nr > 2 => {
            let m: Vec<Vec<f64>> = (0..nr)
                .map(|i| (0..nc).map(|j| val(i, j)).collect())
                .collect();
            let h = hclust(&m, d);
            let o = h.order.clone();
            tree = Some(h);
            o
        }
        _ => (0..nr).collect(),
    };
    let lim = opts
        .limit
        .filter(|l| l.is_finite() && *l > 0.0)
        .unwrap_or_else(|| {
            let m = (0..nr)
                .flat_map(|i| (0..nc).map(move |j| (i, j)))
                .map(|(i, j)| val(i, j).abs())
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            if m > 0.0 {
                m
            } else {
                1.0
            }
        });
    let show_cols = opts.show_col_labels.unwrap_or(nc <= 60) && nc > 0;
    let row_labels: Vec<String> = data
        .rows
        .iter()
        .map(|r| truncate(r, opts.max_label_chars))
        .collect();
    let col_labels: Vec<String> = data
        .cols
        .iter()
        .map(|c| truncate(c, opts.max_label_chars))
        .collect();
    let row_lw = row_labels
        .iter()
        .map(|s| text_width(s, LABEL_PX, false))
        .fold(0.0, f64::max);
    let col_lh = if show_cols {
        col_labels
            .iter()
            .map(|s| text_width(s, LABEL_PX, false))
            .fold(0.0, f64::max)
            + 10.0
    } else {
        28.0
    };
    let dend_w = if tree.is_some() { 60.0 } else { 0.0 };
    let key_w = 84.0f64.max(text_width(&opts.key_title, LABEL_PX, true) + 10.0);
    let group_items: Vec<LegendItem> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| LegendItem {
            label: truncate(g, 20),
            color: palette(i),
            shape: Shape::Square,
        })
        .collect();
    let leg_w = if grouped {
        legend_width(&opts.group_title, &group_items)
    } else {
        0.0
    };
    let right = row_lw + 10.0 + key_w.max(leg_w) + 10.0;
    let head = (if opts.title.is_empty() {
        0.0
    } else {
        TITLE_PX + 8.0
    }) + (if opts.subtitle.is_empty() {
        0.0
    } else {
        SUBTITLE_PX + 8.0
    }) + 12.0;
    let bar_h = if grouped { 16.0 } else { 0.0 };
    let need_w = 12.0 + dend_w + if show_cols { nc as f64 * 14.0 } else { 200.0 } + right;
    let need_h = head + bar_h + nr as f64 * 15.0 + col_lh + 12.0;
    let w = (opts.width as f64).max(need_w).ceil() as u32;
    let h = (opts.height as f64).max(need_h).max(head + 240.0).ceil() as u32;
    render(w, h, |a| {
        let top = header(a, w as f64, &opts.title, &opts.subtitle)?;
        let x0 = 12.0 + dend_w;
        let x1 = w as f64 - right;
        let y0 = top + bar_h;
        let y1 = h as f64 - col_lh - 8.0;
        if nr == 0 || nc == 0 {
            no_data(
                a,
                Rect {
                    x0: 12.0,
                    y0: top,
                    x1: w as f64 - 12.0,
                    y1: h as f64 - 12.0,
                },
                "no data",
            )?;
            return Ok(Vec::new());
        }
        let xs = |k: usize| (x0 + (x1 - x0) * k as f64 / nc as f64).round();
        let ys = |k: usize| (y0 + (y1 - y0) * k as f64 / nr as f64).round();
        // With more columns than pixels (cohorts of thousands of samples) a column whose
        // rounded width is 0 is not drawn: each pixel shows the sample that covers it,
        // and the SVG holds one cell per pixel instead of one per sample.
        let visible = |k: usize| xs(k + 1) > xs(k);
        // group bar
        if grouped {
            for (k, &j) in cols.iter().enumerate() {
                if !visible(k) {
                    continue;
                }
                let g = gidx(j);
                let c = if g == usize::MAX {
                    LIGHT_GREY
                } else {
                    palette(g)
                };
                rect(
                    a,
                    xs(k),
                    top + 2.0,
                    xs(k + 1),
                    top + bar_h - 3.0,
                    Some(c.to_rgba()),
                    None,
                )?;
            }
        }
        // cells
        for (ri, &i) in rows.iter().enumerate() {
            for (k, &j) in cols.iter().enumerate() {
                if !visible(k) {
                    continue;
                }
                let v = val(i, j);
                let c = if v.is_finite() {
                    diverging(v / lim)
                } else {
                    LIGHT_GREY
                };
                rect(
                    a,
                    xs(k),
                    ys(ri),
                    xs(k + 1),
                    ys(ri + 1),
                    Some(c.to_rgba()),
                    None,
                )?;
            }
        }
        // group separators
        if grouped {
            for k in 1..nc {
                if gidx(cols[k]) != gidx(cols[k - 1]) {
                    line(a, &[(xs(k), top + 2.0), (xs(k), y1)], WHITE.to_rgba(), 2)?;
                }
            }
        }
        rect(a, x0, y0, x1, y1, None, Some((MID_GREY.to_rgba(), 1)))?;
        // row labels
        let rh = (y1 - y0) / nr as f64;
        if rh >= 10.0 {
            for (ri, &i) in rows.iter().enumerate() {
                let y = (ys(ri) + ys(ri + 1)) / 2.0;
                text(
                    a,
                    &row_labels[i],
                    x1 + 6.0,
                    y,
                    Txt::new(LABEL_PX).anchor(HPos::Left, VPos::Center),
                )?;
            }
        }
        // column labels
        let cw = (x1 - x0) / nc as f64;
        if show_cols && cw >= 9.0 {
            for (k, &j) in cols.iter().enumerate() {
                let x = (xs(k) + xs(k + 1)) / 2.0;
                text(
                    a,
                    &col_labels[j],
                    x,
                    y1 + 6.0,
                    Txt::new(LABEL_PX)
                        .anchor(HPos::Right, VPos::Center)
                        .vertical(),
                )?;
            }
        } else {
            text(
                a,
                &format!("{nc} samples"),
                (x0 + x1) / 2.0,
                y1 + 8.0,
                Txt::new(LABEL_PX)
                    .color(MID_GREY)
                    .anchor(HPos::Center, VPos::Top),
            )?;
        }
        // dendrogram
        if let Some(t) = &tree {
            let mut pos = vec![0.0; nr];
            for (ri, &i) in rows.iter().enumerate() {
                pos[i] = (ys(ri) + ys(ri + 1)) / 2.0;
            }
            let hmax = t
                .height
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max)
                .max(1e-12);
            let dx1 = x0 - 3.0;
            let hx = |hh: f64| dx1 - (hh / hmax) * (dend_w - 8.0);
            let mut node: Vec<(f64, f64)> = Vec::with_capacity(t.merge.len());
            for (m, pair) in t.merge.iter().enumerate() {
                let pt = |e: isize, node: &Vec<(f64, f64)>| {
                    if e < 0 {
                        (dx1, pos[(-e - 1) as usize])
                    } else {
                        node[e as usize - 1]
                    }
                };
                let (a1, b1) = (pt(pair[0], &node), pt(pair[1], &node));
                let x = hx(t.height[m]);
                line(
                    a,
                    &[(a1.0, a1.1), (x, a1.1), (x, b1.1), (b1.0, b1.1)],
                    DARK.mix(0.8),
                    1,
                )?;
                node.push((x, (a1.1 + b1.1) / 2.0));
            }
        }
        // colour key
        let kx = x1 + row_lw + 20.0;
        let mut ky = top;
        text(
            a,
            &fit_width(&opts.key_title, LABEL_PX, true, key_w.max(leg_w)),
            kx,
            ky,
            Txt::new(LABEL_PX).bold(),
        )?;
        ky += LABEL_PX + 8.0;
        let kh = ((y1 - ky) * 0.45).clamp(60.0, 160.0);
        let steps = 48;
        for s in 0..steps {
            let t0 = 1.0 - 2.0 * s as f64 / steps as f64;
            let t1 = 1.0 - 2.0 * (s + 1) as f64 / steps as f64;
            let c = diverging((t0 + t1) / 2.0);
            rect(
                a,
                kx,
                ky + kh * s as f64 / steps as f64,
                kx + 14.0,
                ky + kh * (s + 1) as f64 / steps as f64,
                Some(c.to_rgba()),
                None,
            )?;
        }
        rect(
            a,
            kx,
            ky,
            kx + 14.0,
            ky + kh,
            None,
            Some((MID_GREY.to_rgba(), 1)),
        )?;
        for t in [1.0, 0.5, 0.0, -0.5, -1.0] {
            let y = ky + kh * (1.0 - t) / 2.0;
            line(a, &[(kx + 14.0, y), (kx + 18.0, y)], MID_GREY.to_rgba(), 1)?;
            text(
                a,
                &fmt_sig(t * lim),
                kx + 21.0,
                y,
                Txt::new(TICK_PX).anchor(HPos::Left, VPos::Center),
            )?;
        }
        if grouped {
            legend(a, kx, ky + kh + 18.0, &opts.group_title, &group_items)?;
        }
        Ok(Vec::new())
    })
}

/// Two significant digits for the colour key.
fn fmt_sig(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let d = (2 - v.abs().log10().floor() as i32 - 1).clamp(0, 6) as usize;
    fmt_num(format!("{v:.d$}").parse().unwrap_or(v))
}
