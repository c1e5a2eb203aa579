//! Deterministic label repel: each label tries candidate positions on growing rings
//! around its point (right, left, above, below, the diagonals, then in between) and takes
//! the first one inside the plot that overlaps no label placed before it and no data
//! point; if every candidate covers some point, the one covering the fewest. Labels are
//! placed in the caller's priority order; a label with no free position is left out
//! rather than drawn over another. Far placements get a leader line.

use crate::style::{text_width, Rect};

/// Padding between the text and its box, in pixels.
const PAD: f64 = 2.0;

/// Distances (beyond the point's radius) tried, in pixels.
const RINGS: [f64; 12] = [
    2.0, 6.0, 11.0, 17.0, 24.0, 32.0, 42.0, 54.0, 68.0, 84.0, 104.0, 128.0,
];

/// Directions tried at each distance, as (dx, dy) with max(|dx|, |dy|) = 1 (y down).
const DIRS: [(f64, f64); 16] = [
    (1.0, 0.0),
    (-1.0, 0.0),
    (0.0, -1.0),
    (0.0, 1.0),
    (1.0, -1.0),
    (-1.0, -1.0),
    (1.0, 1.0),
    (-1.0, 1.0),
    (1.0, -0.5),
    (-1.0, -0.5),
    (1.0, 0.5),
    (-1.0, 0.5),
    (0.5, -1.0),
    (-0.5, -1.0),
    (0.5, 1.0),
    (-0.5, 1.0),
];

/// A label to place: its text and the pixel position of the point it names.
#[derive(Clone, Debug)]
pub struct LabelRequest {
    /// The text.
    pub text: String,
    /// The point being labelled (pixels).
    pub anchor: (f64, f64),
}

/// Size of a label's box for `text` at `px` pixels per em.
pub fn label_size(text: &str, px: f64) -> (f64, f64) {
    size_of(text, px, false)
}

fn size_of(text: &str, px: f64, bold: bool) -> (f64, f64) {
    (text_width(text, px, bold) + 2.0 * PAD, px * 1.15 + PAD)
}

/// Places `labels` (in priority order) inside `bounds`, avoiding each other and the
/// data points `points` (x, y, radius in pixels). Returns, for each label, its box or
/// `None` when it could not be placed without overlapping another label.
pub fn place_labels(
    labels: &[LabelRequest],
    points: &[(f64, f64, f64)],
    bounds: Rect,
    px: f64,
    point_radius: f64,
) -> Vec<Option<Rect>> {
    place(labels, points, bounds, px, point_radius, false, false)
}

/// As [`place_labels`], but each label first tries a box centred on its anchor, and boxes
/// are measured for bold text (for cluster names at centroids).
pub fn place_labels_centred(
    labels: &[LabelRequest],
    points: &[(f64, f64, f64)],
    bounds: Rect,
    px: f64,
) -> Vec<Option<Rect>> {
    place(labels, points, bounds, px, 0.0, true, true)
}

fn place(
    labels: &[LabelRequest],
    points: &[(f64, f64, f64)],
    bounds: Rect,
    px: f64,
    point_radius: f64,
    centre: bool,
    bold: bool,
) -> Vec<Option<Rect>> {
    let mut placed: Vec<Rect> = Vec::new();
    let mut out = Vec::with_capacity(labels.len());
    let pts: Vec<Rect> = points
        .iter()
        .map(|&(x, y, r)| Rect {
            x0: x - r,
            y0: y - r,
            x1: x + r,
            y1: y + r,
        })
        .collect();
    for l in labels {
        let (w, h) = size_of(&l.text, px, bold);
        let (ax, ay) = l.anchor;
        let mut best: Option<(usize, Rect)> = None;
        if centre {
            let r = Rect {
                x0: ax - w / 2.0,
                y0: ay - h / 2.0,
                x1: ax + w / 2.0,
                y1: ay + h / 2.0,
            };
            if bounds.contains(&r)
                && !placed.iter().any(|o| o.overlaps(&r.pad(1.0)))
                && !pts.iter().any(|p| p.overlaps(&r))
            {
                best = Some((0, r));
            }
        }
        'search: for &ring in if best.is_some() {
            &RINGS[..0]
        } else {
            &RINGS[..]
        } {
            let d = point_radius + ring;
            for &(dx, dy) in &DIRS {
                let cx = ax + dx * (d + w / 2.0);
                let cy = ay + dy * (d + h / 2.0);
                let r = Rect {
                    x0: cx - w / 2.0,
                    y0: cy - h / 2.0,
                    x1: cx + w / 2.0,
                    y1: cy + h / 2.0,
                };
                if !bounds.contains(&r) {
                    continue;
                }
                let rp = r.pad(1.0);
                if placed.iter().any(|o| o.overlaps(&rp)) {
                    continue;
                }
                let hits = pts.iter().filter(|p| p.overlaps(&r)).count();
                if hits == 0 {
                    best = Some((0, r));
                    break 'search;
                }
                if best.as_ref().is_none_or(|b| hits < b.0) {
                    best = Some((hits, r));
                }
            }
        }
        match best {
            Some((_, r)) => {
                placed.push(r);
                out.push(Some(r));
            }
            None => out.push(None),
        }
    }
    out
}

/// The point of `r` nearest to `(x, y)` (for leader lines).
pub fn nearest_on_rect(r: &Rect, x: f64, y: f64) -> (f64, f64) {
    (x.clamp(r.x0, r.x1), y.clamp(r.y0, r.y1))
}

/// Padding inside a label box before the text, in pixels.
pub(crate) fn pad() -> f64 {
    PAD
}

/// Places and draws labels with leader lines; returns what was drawn.
pub(crate) fn draw_labels(
    a: &crate::style::Area,
    labels: &[LabelRequest],
    points: &[(f64, f64, f64)],
    bounds: Rect,
    point_radius: f64,
) -> Result<Vec<crate::PlacedLabel>, crate::PlotError> {
    use crate::style::{line, text, Txt, DARK, LABEL_PX};
    use plotters::prelude::Color;
    let boxes = place_labels(labels, points, bounds, LABEL_PX, point_radius);
    let mut out = Vec::new();
    for (l, b) in labels.iter().zip(&boxes) {
        let Some(r) = b else { continue };
        let (ax, ay) = l.anchor;
        let (nx, ny) = nearest_on_rect(r, ax, ay);
        let dist = ((nx - ax).powi(2) + (ny - ay).powi(2)).sqrt();
        if dist > point_radius + 7.0 {
            // start the leader at the edge of the point
            let (ux, uy) = ((nx - ax) / dist, (ny - ay) / dist);
            line(
                a,
                &[
                    (
                        ax + ux * (point_radius + 1.0),
                        ay + uy * (point_radius + 1.0),
                    ),
                    (nx, ny),
                ],
                crate::style::MID_GREY.mix(0.8),
                1,
            )?;
        }
        // a faint white backing keeps the text readable over points and lines
        crate::style::rect(
            a,
            r.x0,
            r.y0,
            r.x1,
            r.y1,
            Some(plotters::prelude::WHITE.mix(0.7)),
            None,
        )?;
        text(
            a,
            &l.text,
            r.x0 + pad(),
            r.y0 + pad() / 2.0,
            Txt::new(LABEL_PX).color(DARK),
        )?;
        out.push(crate::PlacedLabel {
            text: l.text.clone(),
            rect: *r,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crowded_labels_do_not_overlap() {
        let bounds = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 400.0,
            y1: 300.0,
        };
        let labels: Vec<LabelRequest> = (0..30)
            .map(|i| LabelRequest {
                text: format!("PROT{i}"),
                anchor: (200.0 + (i % 5) as f64 * 3.0, 150.0 + (i / 5) as f64 * 3.0),
            })
            .collect();
        let pts: Vec<(f64, f64, f64)> = labels
            .iter()
            .map(|l| (l.anchor.0, l.anchor.1, 3.0))
            .collect();
        let boxes = place_labels(&labels, &pts, bounds, 12.0, 3.0);
        let got: Vec<Rect> = boxes.iter().flatten().copied().collect();
        assert!(got.len() >= 20, "placed only {}", got.len());
        for (i, a) in got.iter().enumerate() {
            assert!(bounds.contains(a));
            for b in &got[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
        // deterministic
        assert_eq!(boxes, place_labels(&labels, &pts, bounds, 12.0, 3.0));
    }
}
