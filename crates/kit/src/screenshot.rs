//! Rendering a widget to a PNG with the renderer its window already uses, so
//! the picture is what the user would have seen, without a screen grabber.

use gtk::prelude::*;
use std::path::Path;

pub fn save_png(
    widget: &impl IsA<gtk::Widget>,
    path: &Path,
) -> Result<(), String> {
    let widget = widget.as_ref();
    let (width, height) = (widget.width(), widget.height());
    if width == 0 || height == 0 {
        return Err("the window has no size yet: it was never shown".into());
    }
    let paintable = gtk::WidgetPaintable::new(Some(widget));
    let snapshot = gtk::Snapshot::new();
    paintable.snapshot(&snapshot, f64::from(width), f64::from(height));
    let node = snapshot.to_node().ok_or("the window drew nothing")?;
    let renderer = widget
        .native()
        .and_then(|native| native.renderer())
        .ok_or("the window has no renderer: it is not realized")?;
    let texture = renderer.render_texture(node, None);
    texture
        .save_to_png(path)
        .map_err(|e| format!("could not write {}: {e}", path.display()))
}
