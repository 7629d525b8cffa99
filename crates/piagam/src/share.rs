//! Pictures of a document's page, drawn by piagam's own PDF renderer from
//! the PDF itself, so what is shared is the page issued: the studio's
//! preview, and the share image a run writes beside each document for a
//! phone's messaging apps.

/// A share image's width: sharp on a phone, small enough for WhatsApp
/// to send without recompressing it into mush.
pub const SHARE_WIDTH_PX: u32 = 1600;

/// The first page of `pdf` as a PNG at `dpi`.
pub fn page_png(pdf: Vec<u8>, dpi: f32) -> Option<Vec<u8>> {
    let doc = hayro::hayro_syntax::Pdf::new(pdf).ok()?;
    let page = crate::inputs::render_page_rgba(doc.pages().first()?, dpi)?;
    encode(&page)
}

/// The first page of `pdf` as a PNG `width_px` wide, opaque (a share
/// image has no transparency for an app to fill with black).
pub fn share_png(pdf: Vec<u8>, width_px: u32) -> Option<Vec<u8>> {
    let doc = hayro::hayro_syntax::Pdf::new(pdf).ok()?;
    let page = doc.pages().first()?;
    let (w_pt, _) = page.render_dimensions();
    if !(w_pt.is_finite() && w_pt > 0.0) {
        return None;
    }
    let dpi = width_px as f32 * 72.0 / w_pt;
    let rgba = crate::inputs::render_page_rgba(page, dpi)?;
    let rgb = image::DynamicImage::ImageRgba8(rgba).to_rgb8();
    let mut encoded = std::io::Cursor::new(Vec::new());
    rgb.write_to(&mut encoded, image::ImageFormat::Png).ok()?;
    Some(encoded.into_inner())
}

fn encode(page: &image::RgbaImage) -> Option<Vec<u8>> {
    let mut encoded = std::io::Cursor::new(Vec::new());
    page.write_to(&mut encoded, image::ImageFormat::Png).ok()?;
    Some(encoded.into_inner())
}
