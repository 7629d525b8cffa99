//! Shared primitives of a design: colours, font styles, alignment and
//! decoded images. Templates describe pages with them and layout resolves
//! them, so both use this module and neither imports the other's types.

use serde::Deserialize;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Rgb {
    pub const BLACK: Rgb = Rgb { r: 0, g: 0, b: 0 };
    pub const WHITE: Rgb = Rgb {
        r: 255,
        g: 255,
        b: 255,
    };

    /// Parses `#rrggbb`.
    pub fn parse_hex(s: &str) -> Option<Rgb> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb {
            r: byte(0)?,
            g: byte(2)?,
            b: byte(4)?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Left,
    #[default]
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum VAlign {
    Top,
    #[default]
    Middle,
    Bottom,
}

/// The largest image file a template may name.
pub const MAX_IMAGE_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The most pixels an image may decode to: 50 MP, a full A3 page at 400 dpi.
pub const MAX_IMAGE_PIXELS: u64 = 50_000_000;

/// Decoded pixels of an image, shared by every page that shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    /// A content hash, so a renderer can embed each image once.
    pub id: String,
    pub width: u32,
    pub height: u32,
    /// 8-bit samples, row by row: RGBA if `has_alpha`, else RGB (a
    /// full-page background is a quarter smaller, and needs no conversion).
    pub pixels: Vec<u8>,
    /// False if every pixel is opaque, so no alpha mask is needed.
    pub has_alpha: bool,
}

impl Raster {
    /// Decodes PNG or JPEG bytes.
    pub fn decode(bytes: &[u8]) -> Result<Raster, String> {
        let open = || {
            image::ImageReader::new(std::io::Cursor::new(bytes))
                .with_guessed_format()
                .map_err(|e| e.to_string())
        };
        // The header is read first, so a small file that declares a huge
        // image is refused before any pixel memory is taken.
        let (w, h) = open()?.into_dimensions().map_err(|e| e.to_string())?;
        let mut reader = open()?;
        if u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
            return Err(format!(
                "the image is {w}×{h} pixels; the limit is {} megapixels",
                MAX_IMAGE_PIXELS / 1_000_000
            ));
        }
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(MAX_IMAGE_PIXELS * 8);
        reader.limits(limits);
        let img = reader.decode().map_err(|e| e.to_string())?;
        // Named by the file's bytes: hashing them is far cheaper than
        // hashing the decoded pixels, and names the same image as well.
        let id = content_id(b"file", bytes);
        if img.color().has_alpha() {
            Raster::from_rgba(img.to_rgba8(), id)
        } else {
            // An opaque 8-bit RGB image is moved, not copied.
            Raster::from_rgb(img.into_rgb8(), id)
        }
    }

    /// The same image at no more pixels than `max_w`×`max_h` needs, or
    /// itself if it is not more than twice as large: a 12-megapixel photo
    /// in a 24 mm logo box would otherwise be embedded whole in every PDF.
    pub fn at_most(
        self: &std::sync::Arc<Raster>,
        max_w: u32,
        max_h: u32,
    ) -> std::sync::Arc<Raster> {
        let scale = (f64::from(max_w) / f64::from(self.width))
            .max(f64::from(max_h) / f64::from(self.height));
        if scale >= 0.5 {
            return self.clone();
        }
        let w = ((f64::from(self.width) * scale).ceil() as u32).max(1);
        let h = ((f64::from(self.height) * scale).ceil() as u32).max(1);
        let filter = image::imageops::FilterType::Triangle;
        let small = if self.has_alpha {
            image::RgbaImage::from_raw(self.width, self.height, self.pixels.clone())
                .map(|full| image::imageops::resize(&full, w, h, filter))
                .map(|small| {
                    let id = content_id(b"rgba", &small);
                    Raster::from_rgba(small, id)
                })
        } else {
            image::RgbImage::from_raw(self.width, self.height, self.pixels.clone())
                .map(|full| image::imageops::resize(&full, w, h, filter))
                .map(|small| {
                    let id = content_id(b"rgb", &small);
                    Raster::from_rgb(small, id)
                })
        };
        match small {
            Some(Ok(r)) => std::sync::Arc::new(r),
            _ => self.clone(),
        }
    }

    /// RGBA pixels; kept as RGB if every pixel is opaque.
    fn from_rgba(rgba: image::RgbaImage, id: String) -> Result<Raster, String> {
        if rgba.pixels().all(|p| p[3] == 255) {
            let rgb = image::DynamicImage::ImageRgba8(rgba).into_rgb8();
            return Raster::from_rgb(rgb, id);
        }
        let (width, height) = rgba.dimensions();
        Raster::new(id, width, height, rgba.into_raw(), true)
    }

    fn from_rgb(rgb: image::RgbImage, id: String) -> Result<Raster, String> {
        let (width, height) = rgb.dimensions();
        Raster::new(id, width, height, rgb.into_raw(), false)
    }

    fn new(
        id: String,
        width: u32,
        height: u32,
        pixels: Vec<u8>,
        has_alpha: bool,
    ) -> Result<Raster, String> {
        if width == 0 || height == 0 {
            return Err("the image is empty".into());
        }
        Ok(Raster {
            id,
            width,
            height,
            pixels,
            has_alpha,
        })
    }
}

/// A short content hash naming an image, so each is embedded once.
fn content_id(kind: &[u8], bytes: &[u8]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(kind);
    h.update(bytes);
    let id: String = h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("IM{id}")
}
