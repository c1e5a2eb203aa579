//! SVG → PNG with resvg and the embedded font.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use crate::style::{FONT_BOLD, FONT_REGULAR};
use crate::PlotError;

fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT_REGULAR.to_vec());
        db.load_font_data(FONT_BOLD.to_vec());
        // Whatever family the SVG names, DejaVu Sans draws it.
        db.set_sans_serif_family("DejaVu Sans");
        db.set_serif_family("DejaVu Sans");
        db.set_monospace_family("DejaVu Sans");
        db.set_cursive_family("DejaVu Sans");
        db.set_fantasy_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

pub(crate) fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, PlotError> {
    let opt = usvg::Options {
        font_family: "DejaVu Sans".to_string(),
        fontdb: fontdb(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| PlotError::Svg(e.to_string()))?;
    let size = tree.size();
    let w = (size.width() * scale).round();
    let h = (size.height() * scale).round();
    if !(scale.is_finite() && (0.1..=10.0).contains(&scale)) || w < 1.0 || h < 1.0 {
        return Err(PlotError::Size(w.max(0.0) as u32, h.max(0.0) as u32));
    }
    let mut pixmap =
        tiny_skia::Pixmap::new(w as u32, h as u32).ok_or(PlotError::Size(w as u32, h as u32))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PlotError::Png(e.to_string()))
}
