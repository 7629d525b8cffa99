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
    /// 8-bit RGBA, row by row.
    pub rgba: Vec<u8>,
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
        Raster::from_rgba(img.to_rgba8())
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
        let Some(full) = image::RgbaImage::from_raw(self.width, self.height, self.rgba.clone())
        else {
            return self.clone();
        };
        let small = image::imageops::resize(&full, w, h, image::imageops::FilterType::Triangle);
        Raster::from_rgba(small).map_or_else(|_| self.clone(), std::sync::Arc::new)
    }

    fn from_rgba(rgba: image::RgbaImage) -> Result<Raster, String> {
        use sha2::Digest;
        let (width, height) = rgba.dimensions();
        if width == 0 || height == 0 {
            return Err("the image is empty".into());
        }
        let pixels = rgba.into_raw();
        let has_alpha = pixels.chunks_exact(4).any(|p| p[3] != 255);
        let digest = sha2::Sha256::digest(&pixels);
        let id: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Raster {
            id: format!("IM{id}"),
            width,
            height,
            rgba: pixels,
            has_alpha,
        })
    }
}
