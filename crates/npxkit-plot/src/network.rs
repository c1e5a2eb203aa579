//! Network of terms (e.g. enriched gene sets joined by member overlap).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::repel::{place_labels_centred, LabelRequest};
use crate::style::Rect;
use crate::style::*;
use crate::{render, Figure, PlotError};

/// A node.
#[derive(Clone, Debug, PartialEq)]
pub struct NetNode {
    /// Node name (term).
    pub label: String,
    /// Layout x (any unit); when any node lacks x or y, a force-directed layout is used.
    pub x: Option<f64>,
    /// Layout y (any unit, up is up).
    pub y: Option<f64>,
    /// Cluster index into [`NetworkData::cluster_labels`]; `None` → grey, unclustered.
    pub cluster: Option<usize>,
    /// P value; node area grows with −log10 P.
    pub p_value: f64,
}

/// An edge between two nodes (indices into [`NetworkData::nodes`]).
#[derive(Clone, Debug, PartialEq)]
pub struct NetEdge {
    /// First node.
    pub source: usize,
    /// Second node.
    pub target: usize,
    /// Weight (e.g. overlap coefficient); line width grows with it.
    pub weight: f64,
}

/// The network to draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkData {
    /// Nodes.
    pub nodes: Vec<NetNode>,
    /// Edges; those naming missing nodes are skipped.
    pub edges: Vec<NetEdge>,
    /// Label of each cluster (index = cluster id).
    pub cluster_labels: Vec<String>,
}

/// Options of [`network`].
#[derive(Clone, Debug)]
pub struct NetworkOptions {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: String,
    /// Iterations of the fallback force-directed layout.
    pub layout_iterations: usize,
    /// At most this many clusters are listed in the legend.
    pub max_legend: usize,
}

impl Default for NetworkOptions {
    fn default() -> Self {
        NetworkOptions {
            width: crate::DEFAULT_WIDTH,
            height: crate::DEFAULT_HEIGHT,
            title: String::new(),
            subtitle: String::new(),
            layout_iterations: 300,
            max_legend: 12,
        }
    }
}

/// A deterministic Fruchterman–Reingold layout: nodes start on a golden-angle spiral and
/// move for `iterations` steps with a linearly cooling temperature; edges attract in
/// proportion to their weight. Returns (x, y) in [0, 1]².
pub fn force_layout(n: usize, edges: &[NetEdge], iterations: usize) -> Vec<(f64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let r = ((i as f64 + 0.5) / n as f64).sqrt();
            let t = i as f64 * 2.399_963_229_728_653;
            (r * t.cos(), r * t.sin())
        })
        .collect();
    let k = (1.0 / n as f64).sqrt();
    let wmax = edges
        .iter()
        .map(|e| e.weight)
        .filter(|w| w.is_finite())
        .fold(0.0, f64::max);
    for it in 0..iterations {
        let temp = 0.1 * (1.0 - it as f64 / iterations as f64) + 0.002;
        let mut disp = vec![(0.0, 0.0); n];
        for i in 0..n {
            for j in (i + 1)..n {
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d2 = (dx * dx + dy * dy).max(1e-9);
                let f = k * k / d2;
                disp[i].0 += dx * f;
                disp[i].1 += dy * f;
                disp[j].0 -= dx * f;
                disp[j].1 -= dy * f;
            }
        }
        for e in edges {
            if e.source >= n || e.target >= n || e.source == e.target {
                continue;
            }
            let w = if wmax > 0.0 && e.weight.is_finite() {
                0.3 + 0.7 * e.weight / wmax
            } else {
                1.0
            };
            let (i, j) = (e.source, e.target);
            let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
            let d = (dx * dx + dy * dy).sqrt().max(1e-9);
            let f = w * d / k;
            disp[i].0 -= dx * f;
            disp[i].1 -= dy * f;
            disp[j].0 += dx * f;
            disp[j].1 += dy * f;
        }
        for i in 0..n {
            // gentle gravity keeps components together
            disp[i].0 -= pos[i].0 * 2.0 * k;
            disp[i].1 -= pos[i].1 * 2.0 * k;
            let d = (disp[i].0 * disp[i].0 + disp[i].1 * disp[i].1).sqrt();
            if d > 0.0 {
                let s = d.min(temp) / d;
                pos[i].0 += disp[i].0 * s;
                pos[i].1 += disp[i].1 * s;
            }
        }
    }
    normalise(&pos)
}

fn normalise(pos: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in pos {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let sx = if x1 > x0 { x1 - x0 } else { 1.0 };
    let sy = if y1 > y0 { y1 - y0 } else { 1.0 };
    pos.iter()
        .map(|&(x, y)| {
            (
                if x1 > x0 { (x - x0) / sx } else { 0.5 },
                if y1 > y0 { (y - y0) / sy } else { 0.5 },
            )
        })
        .collect()
}

/// Network figure: nodes coloured by cluster (Okabe–Ito, cycling; grey when
/// unclustered), node size by −log10 P, edge width by weight, each cluster's label at its
/// centroid on a white box, and a legend of clusters and node sizes. Uses the caller's
/// x/y when every node has them, else [`force_layout`].
pub fn network(data: &NetworkData, opts: &NetworkOptions) -> Result<Figure, PlotError> {
    let n = data.nodes.len();
    let given = n > 0
        && data
            .nodes
            .iter()
            .all(|v| v.x.is_some_and(f64::is_finite) && v.y.is_some_and(f64::is_finite));
    let unit = if given {
        // flip y: up is up in layout coordinates
        normalise(
            &data
                .nodes
                .iter()
                .map(|v| (v.x.unwrap_or(0.0), -v.y.unwrap_or(0.0)))
                .collect::<Vec<_>>(),
        )
    } else {
        force_layout(n, &data.edges, opts.layout_iterations)
    };
    let lp = |p: f64| {
        if p.is_finite() && p > 0.0 {
            -p.log10()
        } else if p == 0.0 {
            300.0
        } else {
            0.0
        }
    };
    let maxlp = data
        .nodes
        .iter()
        .map(|v| lp(v.p_value))
        .fold(0.0, f64::max)
        .max(1e-9);
    let radius = |p: f64| 3.0 + 7.0 * (lp(p) / maxlp).sqrt();
    let ncl = data.cluster_labels.len().max(
        data.nodes
            .iter()
            .filter_map(|v| v.cluster)
            .map(|c| c + 1)
            .max()
            .unwrap_or(0),
    );
    let cl_color = |c: Option<usize>| c.map(palette).unwrap_or(NS_GREY);
    let cl_name = |c: usize| {
        data.cluster_labels
            .get(c)
            .cloned()
            .unwrap_or_else(|| format!("cluster {}", c + 1))
    };
    let mut items: Vec<LegendItem> = (0..ncl.min(opts.max_legend))
        .map(|c| LegendItem {
            label: truncate(&cl_name(c), 26),
            color: palette(c),
            shape: Shape::Circle,
        })
        .collect();
    if ncl > opts.max_legend {
        items.push(LegendItem {
            label: format!("+{} more", ncl - opts.max_legend),
            color: WHITE,
            shape: Shape::Circle,
        });
    }
    if data.nodes.iter().any(|v| v.cluster.is_none()) {
        items.push(LegendItem {
            label: "unclustered".into(),
            color: NS_GREY,
            shape: Shape::Circle,
        });
    }
    let (w, h) = (opts.width, opts.height);
    render(w, h, |a| {
        let top = header(a, w as f64, &opts.title, &opts.subtitle)?;
        let lw = legend_width("clusters", &items).max(110.0);
        let area = Rect {
            x0: 14.0,
            y0: top + 4.0,
            x1: w as f64 - lw - 10.0,
            y1: h as f64 - 14.0,
        };
        if n == 0 {
            no_data(a, area, "no data")?;
            return Ok(Vec::new());
        }
        let m = 14.0;
        let px: Vec<(f64, f64)> = unit
            .iter()
            .map(|&(x, y)| {
                (
                    area.x0 + m + x * (area.x1 - area.x0 - 2.0 * m),
                    area.y0 + m + y * (area.y1 - area.y0 - 2.0 * m),
                )
            })
            .collect();
        let wmax = data
            .edges
            .iter()
            .map(|e| e.weight)
            .filter(|w| w.is_finite())
            .fold(0.0, f64::max);
        for e in &data.edges {
            if e.source >= n || e.target >= n {
                continue;
            }
            let width = if wmax > 0.0 && e.weight.is_finite() {
                1 + (3.0 * e.weight / wmax).round() as u32
            } else {
                1
            };
            line(a, &[px[e.source], px[e.target]], MID_GREY.mix(0.35), width)?;
        }
        // nodes, largest first so small ones stay visible
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| {
            radius(data.nodes[j].p_value)
                .total_cmp(&radius(data.nodes[i].p_value))
                .then(i.cmp(&j))
        });
        for &i in &order {
            let v = &data.nodes[i];
            marker(
                a,
                px[i].0,
                px[i].1,
                radius(v.p_value),
                Shape::Circle,
                cl_color(v.cluster).mix(0.9),
                Some(WHITE.to_rgba()),
            )?;
        }
        // cluster labels at centroids
        let mut reqs = Vec::new();
        let mut req_cl = Vec::new();
        for c in 0..ncl {
            let mem: Vec<usize> = (0..n)
                .filter(|&i| data.nodes[i].cluster == Some(c))
                .collect();
            if mem.is_empty() {
                continue;
            }
            let cx = mem.iter().map(|&i| px[i].0).sum::<f64>() / mem.len() as f64;
            let cy = mem.iter().map(|&i| px[i].1).sum::<f64>() / mem.len() as f64;
            reqs.push(LabelRequest {
                text: truncate(&cl_name(c), 26),
                anchor: (cx, cy),
            });
            req_cl.push(c);
        }
        let nodes_px: Vec<(f64, f64, f64)> = (0..n)
            .map(|i| (px[i].0, px[i].1, radius(data.nodes[i].p_value)))
            .collect();
        let boxes = place_labels_centred(&reqs, &nodes_px, area, LABEL_PX);
        let mut placed = Vec::new();
        for ((r, b), &c) in reqs.iter().zip(&boxes).zip(&req_cl) {
            let Some(b) = b else { continue };
            rect(
                a,
                b.x0,
                b.y0,
                b.x1,
                b.y1,
                Some(WHITE.mix(0.88)),
                Some((palette(c).to_rgba(), 1)),
            )?;
            text(
                a,
                &r.text,
                b.x0 + 2.0,
                (b.y0 + b.y1) / 2.0,
                Txt::new(LABEL_PX).bold().anchor(HPos::Left, VPos::Center),
            )?;
            placed.push(crate::PlacedLabel {
                text: r.text.clone(),
                rect: *b,
            });
        }
        // legend
        let lx = area.x1 + 12.0;
        let mut y = legend(a, lx, top + 4.0, "clusters", &items)?;
        y += 10.0;
        text(a, "−log10 P", lx, y, Txt::new(LABEL_PX).bold())?;
        y += LABEL_PX + 10.0;
        for f in [0.1, 0.5, 1.0] {
            let lpv = maxlp * f;
            let r = 3.0 + 7.0 * f.sqrt();
            marker(
                a,
                lx + 10.0,
                y + r,
                r,
                Shape::Circle,
                MID_GREY.mix(0.7),
                None,
            )?;
            text(
                a,
                &fmt_num((lpv * 10.0).round() / 10.0),
                lx + 26.0,
                y + r,
                Txt::new(TICK_PX).anchor(HPos::Left, VPos::Center),
            )?;
            y += 2.0 * r + 8.0;
        }
        Ok(placed)
    })
}
