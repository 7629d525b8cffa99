//! What a PDF page may ask of the renderer before it is rendered.
//!
//! A few hundred bytes of PDF can declare an image of 2e9×2e9 pixels, one
//! path of 300,000 segments, or forms that draw forms twenty deep: each
//! took gigabytes or minutes to render. So each page is walked first,
//! cheaply, and one that asks more than any charter, scan or photo would
//! is refused by name. The walk itself stops at the first cap reached.

use hayro::hayro_syntax::content::UntypedIter;
use hayro::hayro_syntax::object::{Dict, Name, Object, Stream};
use hayro::hayro_syntax::page::{Page, Resources};

/// Operators a page may run, counting those of every form it draws, each
/// time it draws it. A charter has a few thousand.
pub const MAX_OPERATORS: u64 = 1_000_000;
/// Path segments on a page. A charter's QR code has about 2,000.
pub const MAX_PATH_SEGMENTS: u64 = 100_000;
/// Forms and images drawn on a page, each time drawn.
pub const MAX_DRAWS: u64 = 20_000;
/// How deep forms may draw forms.
pub const MAX_FORM_DEPTH: u32 = 12;
/// A content stream's size once inflated: a charter's is a few hundred KB;
/// a megabyte of deflate can claim a gigabyte.
pub const MAX_CONTENT_BYTES: u64 = 64 * 1024 * 1024;
/// Pixels of one image: the renderer decodes each to at least a byte a
/// pixel, whatever its bits. A 50 MP photo, with room.
pub const MAX_IMAGE_PIXELS: u64 = 64_000_000;
/// Pixels of all images a page draws, each time drawn.
pub const MAX_PAGE_IMAGE_PIXELS: u64 = 128_000_000;

/// The cap a page would exceed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded(pub String);

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Default)]
struct Tally {
    operators: u64,
    segments: u64,
    draws: u64,
    image_pixels: u64,
}

/// Walks `page` (its content, the forms and images it draws, and its
/// annotations' appearances) and says which cap it would exceed, if any.
pub fn check(page: &Page<'_>) -> Result<(), Exceeded> {
    // Measured before anything decodes them whole.
    let contents = page.raw();
    if let Some(stream) = contents.get::<Stream<'_>>(b"Contents".as_ref()) {
        inflates_within(&stream)?;
    } else if let Some(array) =
        contents.get::<hayro::hayro_syntax::object::Array<'_>>(b"Contents".as_ref())
    {
        for stream in array.iter::<Stream<'_>>() {
            inflates_within(&stream)?;
        }
    }
    let mut tally = Tally::default();
    walk(page.operations(), page.resources(), 0, &mut tally)?;
    for annot in page
        .raw()
        .get::<hayro::hayro_syntax::object::Array<'_>>(b"Annots".as_ref())
        .into_iter()
        .flat_map(|a| a.iter::<Dict<'_>>().collect::<Vec<_>>())
    {
        let appearance = annot
            .get::<Dict<'_>>(b"AP".as_ref())
            .and_then(|ap| ap.get::<Stream<'_>>(b"N".as_ref()));
        if let Some(form) = appearance {
            form_walk(&form, page.resources(), 1, &mut tally)?;
        }
    }
    Ok(())
}

fn walk(
    mut ops: UntypedIter<'_>,
    resources: &Resources<'_>,
    depth: u32,
    tally: &mut Tally,
) -> Result<(), Exceeded> {
    while let Some(op) = ops.next() {
        tally.operators += 1;
        if tally.operators > MAX_OPERATORS {
            return Err(Exceeded(format!(
                "it runs more than {MAX_OPERATORS} drawing operators"
            )));
        }
        match &**op.operator {
            b"m" | b"l" | b"c" | b"v" | b"y" | b"re" | b"h" => {
                tally.segments += 1;
                if tally.segments > MAX_PATH_SEGMENTS {
                    return Err(Exceeded(format!(
                        "it draws more than {MAX_PATH_SEGMENTS} path segments"
                    )));
                }
            }
            b"Do" => {
                let Some(Object::Name(name)) = op.operands().next() else {
                    continue;
                };
                draw(name, resources, depth, tally)?;
            }
            b"BI" => {
                // An inline image: its dictionary rides on the stack.
                if let Some(Object::Stream(image)) = op.operands().last() {
                    self::image(image.dict(), true, tally)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn draw(
    name: &Name<'_>,
    resources: &Resources<'_>,
    depth: u32,
    tally: &mut Tally,
) -> Result<(), Exceeded> {
    tally.draws += 1;
    if tally.draws > MAX_DRAWS {
        return Err(Exceeded(format!(
            "it draws forms and images more than {MAX_DRAWS} times"
        )));
    }
    let Some(stream) = resources.get_x_object(name) else {
        return Ok(());
    };
    let dict = stream.dict();
    match dict.get::<Name<'_>>(b"Subtype".as_ref()).as_deref() {
        Some(b"Image") => image(dict, false, tally),
        Some(b"Form") => form_walk(&stream, resources, depth + 1, tally),
        _ => Ok(()),
    }
}

fn form_walk(
    form: &Stream<'_>,
    parent: &Resources<'_>,
    depth: u32,
    tally: &mut Tally,
) -> Result<(), Exceeded> {
    if depth > MAX_FORM_DEPTH {
        return Err(Exceeded(format!(
            "its forms draw forms more than {MAX_FORM_DEPTH} deep"
        )));
    }
    inflates_within(form)?;
    let Ok(content) = form.decoded() else {
        return Ok(());
    };
    let own = form
        .dict()
        .get::<Dict<'_>>(b"Resources".as_ref())
        .map(Resources::new);
    let resources = own.as_ref().unwrap_or(parent);
    walk(UntypedIter::new(&content), resources, depth, tally)
}

/// Checks an image's size from its dictionary, before any pixel is
/// decoded; its soft mask too.
fn image(dict: &Dict<'_>, inline: bool, tally: &mut Tally) -> Result<(), Exceeded> {
    let key = |long: &'static [u8], short: &'static [u8]| -> &'static [u8] {
        if inline && !dict.contains_key(long) {
            short
        } else {
            long
        }
    };
    let number = |k: &[u8]| dict.get::<f64>(k).filter(|v| v.is_finite() && *v >= 0.0);
    let width = number(key(b"Width", b"W")).unwrap_or(0.0) as u64;
    let height = number(key(b"Height", b"H")).unwrap_or(0.0) as u64;
    let pixels = width.saturating_mul(height);
    if pixels > MAX_IMAGE_PIXELS {
        return Err(Exceeded(format!(
            "it holds an image of {width}×{height} pixels, more than {} megapixels",
            MAX_IMAGE_PIXELS / 1_000_000
        )));
    }
    tally.image_pixels = tally.image_pixels.saturating_add(pixels);
    if tally.image_pixels > MAX_PAGE_IMAGE_PIXELS {
        return Err(Exceeded(format!(
            "its images come to more than {} megapixels",
            MAX_PAGE_IMAGE_PIXELS / 1_000_000
        )));
    }
    if let Some(smask) = dict.get::<Stream<'_>>(b"SMask".as_ref()) {
        image(smask.dict(), false, tally)?;
    }
    Ok(())
}

/// Refuses a deflated content stream that inflates past
/// [`MAX_CONTENT_BYTES`], counting as it inflates, before the renderer
/// decodes it whole. (Other filters do not compress a thousandfold.)
fn inflates_within(stream: &Stream<'_>) -> Result<(), Exceeded> {
    use hayro::hayro_syntax::Filter;
    use std::io::Read;
    if stream.filters().as_slice() != [Filter::FlateDecode] {
        return Ok(());
    }
    let raw = stream.raw_data();
    let mut inflated = flate2::read::ZlibDecoder::new(raw.as_ref()).take(MAX_CONTENT_BYTES + 1);
    let size = std::io::copy(&mut inflated, &mut std::io::sink()).unwrap_or(0);
    if size > MAX_CONTENT_BYTES {
        return Err(Exceeded(format!(
            "a content stream inflates to more than {} MB",
            MAX_CONTENT_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}
