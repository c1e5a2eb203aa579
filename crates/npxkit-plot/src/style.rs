//! Shared look: palette, fonts, text measurement and the small drawing helpers every
//! figure uses. All drawing is done in absolute pixel coordinates on the root area.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

use crate::PlotError;

/// DejaVu Sans (regular), embedded so PNG output never depends on system fonts.
pub(crate) static FONT_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, for titles.
pub(crate) static FONT_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// The font family written into the SVG; the PNG rasteriser maps it to DejaVu Sans.
pub(crate) const FAMILY: &str = "sans-serif";

/// Pixel sizes of the text in the SVG.
pub(crate) const TITLE_PX: f64 = 16.0;
pub(crate) const SUBTITLE_PX: f64 = 13.0;
pub(crate) const AXIS_TITLE_PX: f64 = 13.5;
pub(crate) const TICK_PX: f64 = 12.0;
pub(crate) const LABEL_PX: f64 = 12.0;

/// The Okabe–Ito palette (Okabe & Ito 2008), safe for the common colour-vision
/// deficiencies. Order used for groups and clusters: blue, vermillion, bluish green,
/// reddish purple, orange, sky blue, yellow, black.
pub const OKABE_ITO: [(u8, u8, u8); 8] = [
    (0x00, 0x72, 0xB2),
    (0xD5, 0x5E, 0x00),
    (0x00, 0x9E, 0x73),
    (0xCC, 0x79, 0xA7),
    (0xE6, 0x9F, 0x00),
    (0x56, 0xB4, 0xE9),
    (0xF0, 0xE4, 0x42),
    (0x00, 0x00, 0x00),
];

pub(crate) const UP: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub(crate) const DOWN: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub(crate) const NS_GREY: RGBColor = RGBColor(0xB8, 0xB8, 0xB8);
pub(crate) const DARK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const MID_GREY: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub(crate) const LIGHT_GREY: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
pub(crate) const GRID: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);

/// Colour `i` of the Okabe–Ito palette, cycling.
pub(crate) fn palette(i: usize) -> RGBColor {
    let (r, g, b) = OKABE_ITO[i % OKABE_ITO.len()];
    RGBColor(r, g, b)
}

/// ColorBrewer RdBu (11 classes), from blue (negative) to red (positive).
const RDBU: [(u8, u8, u8); 11] = [
    (0x05, 0x30, 0x61),
    (0x21, 0x66, 0xAC),
    (0x43, 0x93, 0xC3),
    (0x92, 0xC5, 0xDE),
    (0xD1, 0xE5, 0xF0),
    (0xF7, 0xF7, 0xF7),
    (0xFD, 0xDB, 0xC7),
    (0xF4, 0xA5, 0x82),
    (0xD6, 0x60, 0x4D),
    (0xB2, 0x18, 0x2B),
    (0x67, 0x00, 0x1F),
];

/// Diverging colour for `t` in [-1, 1] (clamped), white at 0.
pub(crate) fn diverging(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let pos = (t + 1.0) / 2.0 * (RDBU.len() - 1) as f64;
    let i = (pos.floor() as usize).min(RDBU.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (RDBU[i], RDBU[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

static REGISTER: Once = Once::new();

/// Registers the embedded fonts with plotters (once per process).
pub(crate) fn register_fonts() {
    REGISTER.call_once(|| {
        // Both fonts are valid TrueType files shipped in the crate; a failure here would
        // be a packaging bug caught by every test.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT_REGULAR);
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, FONT_BOLD);
    });
}

fn face(bold: bool) -> Option<ab_glyph::FontRef<'static>> {
    ab_glyph::FontRef::try_from_slice(if bold { FONT_BOLD } else { FONT_REGULAR }).ok()
}

/// Width in pixels of `s` set in DejaVu Sans at `px` pixels per em.
pub(crate) fn text_width(s: &str, px: f64, bold: bool) -> f64 {
    use ab_glyph::Font;
    let Some(f) = face(bold) else {
        return s.chars().count() as f64 * px * 0.6;
    };
    let upem = f.units_per_em().unwrap_or(2048.0) as f64;
    let mut w = 0.0;
    let mut prev = None;
    for c in s.chars() {
        let g = f.glyph_id(c);
        if let Some(p) = prev {
            w += f.kern_unscaled(p, g) as f64;
        }
        w += f.h_advance_unscaled(g) as f64;
        prev = Some(g);
    }
    w * px / upem
}

/// Truncates `s` to at most `max` characters, ending with an ellipsis when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Truncates `s` so that it is at most `width` pixels wide at `px`.
pub(crate) fn fit_width(s: &str, px: f64, bold: bool, width: f64) -> String {
    if text_width(s, px, bold) <= width {
        return s.to_string();
    }
    let n = s.chars().count();
    let mut k = n;
    while k > 1 {
        k -= 1;
        let t = truncate(s, k);
        if text_width(&t, px, bold) <= width {
            return t;
        }
    }
    "…".to_string()
}

/// Formats a tick value without floating-point noise.
pub(crate) fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v.abs() < 1e-9 {
        return "0".to_string();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        return format!("{v:.1e}");
    }
    let mut s = format!("{v:.4}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Text placement: pixel size, weight, colour, anchor and rotation.
#[derive(Clone, Copy)]
pub(crate) struct Txt {
    pub px: f64,
    pub bold: bool,
    pub color: RGBColor,
    pub h: HPos,
    pub v: VPos,
    pub vertical: bool,
}

impl Txt {
    pub fn new(px: f64) -> Self {
        Txt {
            px,
            bold: false,
            color: DARK,
            h: HPos::Left,
            v: VPos::Top,
            vertical: false,
        }
    }
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub fn color(mut self, c: RGBColor) -> Self {
        self.color = c;
        self
    }
    pub fn anchor(mut self, h: HPos, v: VPos) -> Self {
        self.h = h;
        self.v = v;
        self
    }
    pub fn vertical(mut self) -> Self {
        self.vertical = true;
        self
    }
    pub fn style(&self) -> TextStyle<'static> {
        // plotters writes font-size = size / 1.24 into the SVG.
        let size = self.px * 1.24;
        let mut font: FontDesc<'static> = if self.bold {
            (FAMILY, size, FontStyle::Bold).into_font()
        } else {
            (FAMILY, size).into_font()
        };
        if self.vertical {
            font = font.transform(FontTransform::Rotate270);
        }
        TextStyle {
            font,
            color: self.color.to_backend_color(),
            pos: Pos::new(self.h, self.v),
        }
    }
}

pub(crate) fn err<E: std::fmt::Debug>(e: E) -> PlotError {
    PlotError::Draw(format!("{e:?}"))
}

pub(crate) fn p(x: f64, y: f64) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

pub(crate) fn text(a: &Area, s: &str, x: f64, y: f64, t: Txt) -> Result<(), PlotError> {
    if s.is_empty() {
        return Ok(());
    }
    a.draw(&Text::new(s.to_string(), p(x, y), t.style()))
        .map_err(err)
}

/// A polyline. One that collapses to a single pixel (a whisker or median of a box with
/// no spread) is not drawn: it would be invisible, and resvg warns about stroking a
/// zero-length path when the PNG is made.
pub(crate) fn line(
    a: &Area,
    pts: &[(f64, f64)],
    c: RGBAColor,
    width: u32,
) -> Result<(), PlotError> {
    let v: Vec<(i32, i32)> = pts.iter().map(|&(x, y)| p(x, y)).collect();
    if v.windows(2).all(|w| w[0] == w[1]) {
        return Ok(());
    }
    a.draw(&PathElement::new(
        v,
        ShapeStyle {
            color: c,
            filled: false,
            stroke_width: width,
        },
    ))
    .map_err(err)
}

pub(crate) fn dashed(
    a: &Area,
    from: (f64, f64),
    to: (f64, f64),
    c: RGBAColor,
    width: u32,
) -> Result<(), PlotError> {
    let v = vec![p(from.0, from.1), p(to.0, to.1)];
    if v[0] == v[1] {
        return Ok(()); // see `line`
    }
    a.draw(&plotters::element::DashedPathElement::new(
        v,
        6,
        4,
        ShapeStyle {
            color: c,
            filled: false,
            stroke_width: width,
        },
    ))
    .map_err(err)
}

pub(crate) fn rect(
    a: &Area,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    fill: Option<RGBAColor>,
    stroke: Option<(RGBAColor, u32)>,
) -> Result<(), PlotError> {
    let r = [p(x0, y0), p(x1, y1)];
    if let Some(c) = fill {
        a.draw(&Rectangle::new(
            r,
            ShapeStyle {
                color: c,
                filled: true,
                stroke_width: 0,
            },
        ))
        .map_err(err)?;
    }
    if let Some((c, w)) = stroke {
        a.draw(&Rectangle::new(
            r,
            ShapeStyle {
                color: c,
                filled: false,
                stroke_width: w,
            },
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Point shapes used by scatter plots.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Shape {
    Circle,
    Triangle,
    Diamond,
    Square,
}

pub(crate) fn shape_for(i: usize) -> Shape {
    [
        Shape::Circle,
        Shape::Triangle,
        Shape::Square,
        Shape::Diamond,
    ][i % 4]
}

pub(crate) fn marker(
    a: &Area,
    x: f64,
    y: f64,
    r: f64,
    shape: Shape,
    fill: RGBAColor,
    stroke: Option<RGBAColor>,
) -> Result<(), PlotError> {
    let filled = ShapeStyle {
        color: fill,
        filled: true,
        stroke_width: 0,
    };
    let outline = stroke.map(|c| ShapeStyle {
        color: c,
        filled: false,
        stroke_width: 1,
    });
    match shape {
        Shape::Circle => {
            let ri = r.round().max(1.0) as i32;
            a.draw(&Circle::new(p(x, y), ri, filled)).map_err(err)?;
            if let Some(o) = outline {
                a.draw(&Circle::new(p(x, y), ri, o)).map_err(err)?;
            }
        }
        _ => {
            let pts: Vec<(i32, i32)> = match shape {
                Shape::Triangle => {
                    let h = r * 1.25;
                    vec![
                        p(x, y - h),
                        p(x + h * 0.95, y + h * 0.7),
                        p(x - h * 0.95, y + h * 0.7),
                    ]
                }
                Shape::Diamond => {
                    let h = r * 1.3;
                    vec![p(x, y - h), p(x + h, y), p(x, y + h), p(x - h, y)]
                }
                _ => vec![
                    p(x - r, y - r),
                    p(x + r, y - r),
                    p(x + r, y + r),
                    p(x - r, y + r),
                ],
            };
            a.draw(&Polygon::new(pts.clone(), filled)).map_err(err)?;
            if let Some(o) = outline {
                let mut c = pts;
                c.push(c[0]);
                a.draw(&PathElement::new(c, o)).map_err(err)?;
            }
        }
    }
    Ok(())
}

/// A rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x0: f64,
    /// Top edge.
    pub y0: f64,
    /// Right edge.
    pub x1: f64,
    /// Bottom edge.
    pub y1: f64,
}

impl Rect {
    /// The plotting area spanned by two axis scales (y pixels grow downwards).
    pub(crate) fn inside(sx: &Scale, sy: &Scale) -> Rect {
        Rect {
            x0: sx.p0,
            y0: sy.p1,
            x1: sx.p1,
            y1: sy.p0,
        }
    }
}

impl Rect {
    /// Whether two rectangles overlap (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
    pub(crate) fn pad(&self, d: f64) -> Rect {
        Rect {
            x0: self.x0 - d,
            y0: self.y0 - d,
            x1: self.x1 + d,
            y1: self.y1 + d,
        }
    }
    pub(crate) fn contains(&self, o: &Rect) -> bool {
        o.x0 >= self.x0 && o.x1 <= self.x1 && o.y0 >= self.y0 && o.y1 <= self.y1
    }
}

/// Draws the title and subtitle at the top and returns the y where content may start.
pub(crate) fn header(a: &Area, width: f64, title: &str, subtitle: &str) -> Result<f64, PlotError> {
    let mut y = 10.0;
    if !title.is_empty() {
        let t = fit_width(title, TITLE_PX, true, width - 24.0);
        text(a, &t, 14.0, y, Txt::new(TITLE_PX).bold())?;
        y += TITLE_PX + 8.0;
    }
    if !subtitle.is_empty() {
        let t = fit_width(subtitle, SUBTITLE_PX, false, width - 24.0);
        text(a, &t, 14.0, y, Txt::new(SUBTITLE_PX).color(MID_GREY))?;
        y += SUBTITLE_PX + 8.0;
    }
    Ok(y + 2.0)
}

/// One entry of a legend.
#[derive(Clone)]
pub(crate) struct LegendItem {
    pub label: String,
    pub color: RGBColor,
    pub shape: Shape,
}

pub(crate) fn legend_width(title: &str, items: &[LegendItem]) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    let w = items
        .iter()
        .map(|i| text_width(&i.label, LABEL_PX, false))
        .fold(0.0, f64::max);
    (w + 26.0).max(text_width(title, LABEL_PX, true)) + 16.0
}

/// Draws a legend with its top-left corner at (x, y); returns the bottom y.
pub(crate) fn legend(
    a: &Area,
    x: f64,
    y: f64,
    title: &str,
    items: &[LegendItem],
) -> Result<f64, PlotError> {
    let mut y = y;
    if !title.is_empty() {
        text(a, title, x, y, Txt::new(LABEL_PX).bold())?;
        y += LABEL_PX + 7.0;
    }
    for it in items {
        marker(a, x + 6.0, y + 7.0, 4.5, it.shape, it.color.to_rgba(), None)?;
        text(a, &it.label, x + 18.0, y, Txt::new(LABEL_PX))?;
        y += LABEL_PX + 7.0;
    }
    Ok(y)
}

/// Linear map from data to pixels for one axis.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub p0: f64,
    pub p1: f64,
}

impl Scale {
    pub fn map(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return (self.p0 + self.p1) / 2.0;
        }
        self.p0 + (v - self.d0) / (self.d1 - self.d0) * (self.p1 - self.p0)
    }
}

/// Axis configuration for [`axes`].
pub(crate) struct AxisSpec<'s> {
    pub xlab: &'s str,
    pub ylab: &'s str,
    pub x: (f64, f64),
    pub y: (f64, f64),
    /// Whether to draw x tick labels (false for categorical axes drawn by the caller).
    pub x_ticks: bool,
    pub x_label_area: f64,
    pub y_label_area: f64,
}

impl<'s> AxisSpec<'s> {
    pub fn new(xlab: &'s str, ylab: &'s str, x: (f64, f64), y: (f64, f64)) -> Self {
        AxisSpec {
            xlab,
            ylab,
            x,
            y,
            x_ticks: true,
            x_label_area: 46.0,
            y_label_area: 62.0,
        }
    }
}

/// Draws a cartesian frame (light grid, ticks, axis titles) inside the pixel rectangle
/// `r` with plotters' chart builder and returns the data → pixel scales of its plotting
/// area.
pub(crate) fn axes(a: &Area, r: Rect, spec: &AxisSpec) -> Result<(Scale, Scale), PlotError> {
    let sub = a.clone().shrink(
        p(r.x0, r.y0),
        (
            (r.x1 - r.x0).max(10.0) as u32,
            (r.y1 - r.y0).max(10.0) as u32,
        ),
    );
    let (x0, x1) = if spec.x.1 > spec.x.0 {
        spec.x
    } else {
        (spec.x.0 - 1.0, spec.x.0 + 1.0)
    };
    let (y0, y1) = if spec.y.1 > spec.y.0 {
        spec.y
    } else {
        (spec.y.0 - 1.0, spec.y.0 + 1.0)
    };
    let mut chart = ChartBuilder::on(&sub)
        .margin_right(12)
        .margin_top(6)
        .x_label_area_size(spec.x_label_area.round() as i32)
        .y_label_area_size(spec.y_label_area.round() as i32)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let fmt = |v: &f64| fmt_num(*v);
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(1))
        .axis_style(MID_GREY.stroke_width(1))
        .x_labels(if spec.x_ticks { 7 } else { 0 })
        .y_labels(6)
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .label_style(Txt::new(TICK_PX).color(DARK).style())
        .axis_desc_style(Txt::new(AXIS_TITLE_PX).style())
        .x_desc(spec.xlab)
        .y_desc(spec.ylab);
    if !spec.x_ticks {
        mesh.disable_x_mesh();
    }
    mesh.draw().map_err(err)?;
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let sx = Scale {
        d0: x0,
        d1: x1,
        p0: xr.start as f64,
        p1: xr.end as f64,
    };
    let sy = Scale {
        d0: y0,
        d1: y1,
        p0: yr.end as f64,
        p1: yr.start as f64,
    };
    Ok((sx, sy))
}

/// The "no data" message in the middle of `r`.
pub(crate) fn no_data(a: &Area, r: Rect, what: &str) -> Result<(), PlotError> {
    rect(
        a,
        r.x0,
        r.y0,
        r.x1,
        r.y1,
        None,
        Some((LIGHT_GREY.to_rgba(), 1)),
    )?;
    text(
        a,
        what,
        (r.x0 + r.x1) / 2.0,
        (r.y0 + r.y1) / 2.0,
        Txt::new(SUBTITLE_PX)
            .color(MID_GREY)
            .anchor(HPos::Center, VPos::Center),
    )
}

/// Finite range of values, padded by `pad` (fraction) on both sides; `None` when empty.
pub(crate) fn padded_range<I: IntoIterator<Item = f64>>(vals: I, pad: f64) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in vals {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if lo > hi {
        return None;
    }
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    Some((lo - pad * span, hi + pad * span))
}
