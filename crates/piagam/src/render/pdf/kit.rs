//! The run's shared PDF objects: each font subset once for every glyph the
//! run prints, each image encoded and compressed once. Every file of the
//! run embeds the same bytes.
//!
//! Each font is subset here ([`super::subset`]); printpdf then does the
//! rest of the font work (widths, the ToUnicode map, the descriptor), on
//! one page that shows every glyph of the run. Images are
//! written here, deflated on every core. The objects it makes are then copied out at the
//! lopdf level, numbered 1.. and serialised once. The code printpdf gave
//! each glyph is read back from that page's content, so whatever
//! renumbering it does (subsetting, CFF charsets) is followed exactly.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use lopdf::{Object, ObjectId};
use printpdf::{
    Codepoint, FontId, Mm, Op, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage,
    PdfSaveOptions, Pt, TextItem,
};

use super::content::{int, Resources};
use super::RenderError;
use crate::layout::fonts::{FontBook, FontKey};
use crate::layout::page::{GlyphRun, Item, Page, Raster, Rgb};
use crate::pdf_page::EmbeddedPage;
use crate::qr::QrMatrix;

/// Every glyph (with the text it stands for) and image a run prints.
#[derive(Debug, Default, Clone)]
pub struct Usage {
    glyphs: BTreeMap<FontKey, BTreeMap<u16, String>>,
    images: BTreeMap<String, Arc<Raster>>,
    /// Pages of other PDFs (backgrounds), by id.
    pdf_pages: BTreeMap<String, Arc<EmbeddedPage>>,
}

impl Usage {
    pub fn add_page(&mut self, page: &Page) {
        for item in page.items() {
            match item {
                Item::Text(run) => {
                    let glyphs = self.glyphs.entry(run.font).or_default();
                    for g in &run.glyphs {
                        remember(glyphs, g.gid, &g.text);
                    }
                }
                Item::Image { image, .. } => {
                    self.images
                        .entry(image.id.clone())
                        .or_insert_with(|| image.clone());
                }
                Item::PdfPage { page, .. } => {
                    self.pdf_pages
                        .entry(page.id())
                        .or_insert_with(|| page.clone());
                }
                _ => {}
            }
        }
    }

    pub fn merge(&mut self, other: Usage) {
        for (font, glyphs) in other.glyphs {
            let mine = self.glyphs.entry(font).or_default();
            for (gid, text) in glyphs {
                remember(mine, gid, &text);
            }
        }
        for (id, image) in other.images {
            self.images.entry(id).or_insert(image);
        }
        for (id, page) in other.pdf_pages {
            self.pdf_pages.entry(id).or_insert(page);
        }
    }
}

/// A glyph can stand for different text in different places (alone, or as
/// the first glyph of a cluster); one text is kept, chosen by content
/// alone (the shortest non-empty, then the smallest), so the choice does
/// not depend on the order pages were seen in.
fn remember(glyphs: &mut BTreeMap<u16, String>, gid: u16, text: &str) {
    let better = |old: &String| {
        !text.is_empty()
            && (old.is_empty()
                || (text.chars().count(), text) < (old.chars().count(), old.as_str()))
    };
    match glyphs.get_mut(&gid) {
        Some(old) if better(old) => *old = text.to_owned(),
        Some(_) => {}
        None => {
            glyphs.insert(gid, text.to_owned());
        }
    }
}

struct KitFont {
    name: String,
    number: u32,
    codes: HashMap<u16, u16>,
    /// SHA-256 of the font file: what a page's design digest names it by.
    digest: [u8; 32],
}

/// The shared objects of a run, serialised.
pub struct Kit {
    /// Object bodies; number n is at index n - 1.
    objects: Vec<Vec<u8>>,
    digests: Vec<[u8; 32]>,
    /// The objects each one refers to, directly or not (itself included).
    closures: Vec<Vec<u32>>,
    fonts: BTreeMap<FontKey, KitFont>,
    images: BTreeMap<String, (String, u32)>,
    /// Each background page's form: its resource name and number.
    pdf_pages: BTreeMap<String, (String, u32)>,
    deflate_level: u32,
}

/// Deflate levels. Page content is deflated for every page; the shared
/// objects once per run, so they get the better level. Measured: see
/// the README's benchmark section.
pub const CONTENT_DEFLATE_LEVEL: u32 = 1;
pub const SHARED_DEFLATE_LEVEL: u32 = 6;
/// A QR form (15 KB of rectangles), measured on 1,000 pages: level 1 gives
/// 8.8 KB a page, level 3 6.7 KB for 0.1 ms more per page, 6 and 9 save
/// 0.3 and 0.4 KB more at 0.2 and 0.5 ms.
pub const QR_DEFLATE_LEVEL: u32 = 3;

/// Six capital letters from the font and the glyphs kept (hashed once a
/// run, as the kit is built once).
fn subset_tag<'a>(font: &[u8], glyphs: impl Iterator<Item = &'a u16>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(font);
    for g in glyphs {
        h.update(g.to_be_bytes());
    }
    h.finalize()[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

/// The font's own PostScript name (name ID 6), as readers show it: only
/// the printable ASCII a PDF name allows unescaped, at most 63 bytes.
fn embedded_name(font: &[u8]) -> Option<String> {
    let face = ttf_parser::Face::parse(font, 0).ok()?;
    let name = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())?;
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
        .take(63)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

impl Kit {
    /// Subsets the fonts and encodes the images `usage` names. A font
    /// printpdf cannot subset, or that makes it panic, is an error naming it.
    pub fn build(book: &FontBook, usage: &Usage) -> Result<Kit, RenderError> {
        crate::guard::guarded(|| Kit::build_unguarded(book, usage)).unwrap_or_else(|| {
            Err(RenderError::Write(
                "a font could not be embedded (the file may be damaged)".into(),
            ))
        })
    }

    fn build_unguarded(book: &FontBook, usage: &Usage) -> Result<Kit, RenderError> {
        let mut doc = PdfDocument::new("piagam kit");
        let mut ops = Vec::new();
        let mut order: Vec<(FontKey, String, Vec<u16>)> = Vec::new();
        for (key, glyphs) in &usage.glyphs {
            let font = book.font(*key);
            let cut = super::subset::subset(font.bytes(), glyphs.keys().copied())
                .map_err(|_| RenderError::Font(font.postscript_name.clone()))?;
            let mut warnings = Vec::new();
            let mut parsed = ParsedFont::from_bytes(&cut.bytes, 0, &mut warnings)
                .ok_or_else(|| RenderError::Font(font.postscript_name.clone()))?;
            // The subset tag (six capitals, ISO 32000-1 §9.6.4) is also the
            // resource name; both come from the glyphs, not the order. The
            // font's name carries it, as a subset's must.
            let name = subset_tag(font.bytes(), glyphs.keys());
            let postscript = embedded_name(font.bytes()).unwrap_or(font.postscript_name.clone());
            parsed.font_name = Some(format!("{name}+{postscript}"));
            doc.resources
                .fonts
                .map
                .insert(FontId(name.clone()), PdfFont::new(parsed));
            ops.push(Op::StartTextSection);
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(FontId(name.clone())),
                size: Pt(10.0),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(
                    glyphs
                        .iter()
                        .map(|(gid, text)| Codepoint {
                            gid: cut.renumbered.get(gid).copied().unwrap_or(0),
                            offset: 0.0,
                            cid: (!text.is_empty()).then(|| text.clone()),
                        })
                        .collect(),
                )],
            });
            ops.push(Op::EndTextSection);
            order.push((*key, name, glyphs.keys().copied().collect()));
        }
        doc.pages = vec![PdfPage::new(Mm(10.0), Mm(10.0), ops)];
        let mut warnings = Vec::new();
        let opts = PdfSaveOptions {
            optimize: false,
            // The fonts are subsets already.
            subset_fonts: false,
            secure: true,
            image_optimization: None,
        };
        let lo = doc.to_lopdf_document(&opts, &mut warnings);
        if let Some(w) = warnings
            .iter()
            .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
        {
            return Err(RenderError::Write(w.msg.clone()));
        }
        let broken = |what: &str| RenderError::Write(format!("printpdf's output lacks {what}"));
        let page_id = *lo.get_pages().get(&1).ok_or_else(|| broken("the page"))?;
        let resources = page_resources(&lo, page_id).ok_or_else(|| broken("resources"))?;

        // The codes printpdf wrote, in the order the glyphs were shown.
        let content = lo
            .get_and_decode_page_content(page_id)
            .map_err(|e| RenderError::Write(e.to_string()))?;
        let mut shown: BTreeMap<String, Vec<u16>> = BTreeMap::new();
        let mut current = String::new();
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    if let Some(Object::Name(n)) = op.operands.first() {
                        current = String::from_utf8_lossy(n).into_owned();
                    }
                }
                "Tj" | "TJ" => {
                    let codes = shown.entry(current.clone()).or_default();
                    collect_codes(&op.operands, codes);
                }
                _ => {}
            }
        }

        let mut copier = Copier::new(&lo);
        let mut pdf_pages = BTreeMap::new();
        for (i, (id, page)) in usage.pdf_pages.iter().enumerate() {
            let name = format!("Bg{}", i + 1);
            pdf_pages.insert(id.clone(), (name, pdf_page_form(&mut copier, page)?));
        }
        let mut fonts = BTreeMap::new();
        for (key, name, gids) in order {
            let codes = shown.get(&name).cloned().unwrap_or_default();
            if codes.len() != gids.len() {
                return Err(RenderError::Font(book.font(key).postscript_name.clone()));
            }
            let value = resources
                .get("Font")
                .and_then(|d| d.get(name.as_bytes()).ok())
                .ok_or_else(|| RenderError::Font(book.font(key).postscript_name.clone()))?;
            let number = copier.intern(value, SHARED_DEFLATE_LEVEL);
            fonts.insert(
                key,
                KitFont {
                    name,
                    number,
                    codes: gids.into_iter().zip(codes).collect(),
                    digest: {
                        use sha2::Digest;
                        sha2::Sha256::digest(book.font(key).bytes()).into()
                    },
                },
            );
        }
        // Images are written here rather than by printpdf, which compresses
        // them on one core: a full-page background took 0.1 s.
        let mut images = BTreeMap::new();
        for (i, (id, raster)) in usage.images.iter().enumerate() {
            let name = format!("Im{}", i + 1);
            images.insert(id.clone(), (name, image_objects(&mut copier, raster)));
        }
        let Copied { objects, closures } = copier.finish()?;
        let digests = objects
            .iter()
            .map(|o| <sha2::Sha256 as sha2::Digest>::digest(o).into())
            .collect();
        Ok(Kit {
            digests,
            objects,
            closures,
            fonts,
            images,
            pdf_pages,
            deflate_level: CONTENT_DEFLATE_LEVEL,
        })
    }

    /// Renders a page once, for every file that will hold it.
    /// The digest a page's design names a font by (its file's SHA-256).
    pub(super) fn font_digest(&self, key: FontKey) -> [u8; 32] {
        self.fonts.get(&key).map_or([0; 32], |f| f.digest)
    }

    pub(super) fn object_count(&self) -> u32 {
        self.objects.len() as u32
    }

    /// An object's body and its SHA-256.
    pub(super) fn object(&self, number: u32) -> (&[u8], &[u8; 32]) {
        let i = number as usize - 1;
        (&self.objects[i], &self.digests[i])
    }

    pub(super) fn deflate_level(&self) -> u32 {
        self.deflate_level
    }
}

/// The page's resource dictionaries by kind (Font, XObject).
fn page_resources(
    lo: &lopdf::Document,
    page: ObjectId,
) -> Option<BTreeMap<String, lopdf::Dictionary>> {
    let page = lo.get_dictionary(page).ok()?;
    let res = page.get(b"Resources").ok()?;
    let res = lo.dereference(res).ok()?.1.as_dict().ok()?;
    let mut out = BTreeMap::new();
    for (kind, value) in res.iter() {
        if let Ok((_, Object::Dictionary(d))) = lo.dereference(value) {
            out.insert(String::from_utf8_lossy(kind).into_owned(), d.clone());
        }
    }
    Some(out)
}

/// Two-byte codes from Tj/TJ string operands.
fn collect_codes(operands: &[Object], codes: &mut Vec<u16>) {
    for operand in operands {
        match operand {
            Object::String(bytes, _) => codes.extend(
                bytes
                    .chunks_exact(2)
                    .map(|pair| u16::from_be_bytes([pair[0], pair[1]])),
            ),
            Object::Array(items) => collect_codes(items, codes),
            _ => {}
        }
    }
}

enum Queued {
    /// An object of a source document (or a direct value made into one),
    /// the source it refers into, and the deflate level for its stream.
    Copy(usize, Object, u32),
    /// An object already serialised, and the objects it refers to.
    Raw(Vec<u8>, Vec<u32>),
}

struct Copied {
    objects: Vec<Vec<u8>>,
    closures: Vec<Vec<u32>>,
}

/// Objects numbered in one source document.
type Numbers = HashMap<(usize, ObjectId), u32>;

/// Copies objects out of source documents (printpdf's, and each PDF
/// background), numbering them 1.. in the order first met.
struct Copier<'a> {
    sources: Vec<&'a lopdf::Document>,
    /// The source `intern` and `walk` read from.
    source: usize,
    numbers: Numbers,
    queue: Vec<Queued>,
}

impl<'a> Copier<'a> {
    fn new(lo: &'a lopdf::Document) -> Copier<'a> {
        Copier {
            sources: vec![lo],
            source: 0,
            numbers: HashMap::new(),
            queue: Vec::new(),
        }
    }

    /// Reads from `doc` from now on (and from printpdf's document again
    /// after [`Copier::back_to_first`]).
    fn read_from(&mut self, doc: &'a lopdf::Document) {
        self.sources.push(doc);
        self.source = self.sources.len() - 1;
    }

    fn back_to_first(&mut self) {
        self.source = 0;
    }

    /// The number of the object `value` is or refers to.
    fn intern(&mut self, value: &Object, level: u32) -> u32 {
        let source = self.source;
        match value {
            Object::Reference(id) => {
                if let Some(n) = self.numbers.get(&(source, *id)) {
                    return *n;
                }
                let object = self.sources[source]
                    .get_object(*id)
                    .cloned()
                    .unwrap_or(Object::Null);
                self.queue.push(Queued::Copy(source, object.clone(), level));
                let n = self.queue.len() as u32;
                self.numbers.insert((source, *id), n);
                self.walk(&object, level);
                n
            }
            direct => {
                self.queue.push(Queued::Copy(source, direct.clone(), level));
                let n = self.queue.len() as u32;
                self.walk(direct, level);
                n
            }
        }
    }

    /// Adds an object serialised elsewhere; returns its number.
    fn push_raw(&mut self, body: Vec<u8>, refers_to: Vec<u32>) -> u32 {
        self.queue.push(Queued::Raw(body, refers_to));
        self.queue.len() as u32
    }

    fn walk(&mut self, object: &Object, level: u32) {
        match object {
            Object::Reference(_) => {
                self.intern(object, level);
            }
            Object::Array(items) => items.iter().for_each(|o| self.walk(o, level)),
            Object::Dictionary(d) => d.iter().for_each(|(_, o)| self.walk(o, level)),
            Object::Stream(s) => s.dict.iter().for_each(|(_, o)| self.walk(o, level)),
            _ => {}
        }
    }

    /// The objects serialised, and the closure of each.
    fn finish(self) -> Result<Copied, RenderError> {
        let mut objects = Vec::with_capacity(self.queue.len());
        let mut direct: Vec<Vec<u32>> = Vec::with_capacity(self.queue.len());
        for queued in self.queue {
            match queued {
                Queued::Copy(source, object, level) => {
                    let mut out = Vec::new();
                    let mut refs = Vec::new();
                    let numbers = (source, &self.numbers);
                    serialise(&mut out, &object, numbers, level, &mut refs)?;
                    objects.push(out);
                    direct.push(refs);
                }
                Queued::Raw(body, refs) => {
                    objects.push(body);
                    direct.push(refs);
                }
            }
        }
        // Closures by a walk from each object.
        let closures = (1..=direct.len() as u32)
            .map(|start| {
                let mut seen = vec![start];
                let mut i = 0;
                while i < seen.len() {
                    for r in &direct[seen[i] as usize - 1] {
                        if !seen.contains(r) {
                            seen.push(*r);
                        }
                    }
                    i += 1;
                }
                seen
            })
            .collect();
        Ok(Copied { objects, closures })
    }
}

fn serialise(
    out: &mut Vec<u8>,
    object: &Object,
    numbers: (usize, &Numbers),
    level: u32,
    refs: &mut Vec<u32>,
) -> Result<(), RenderError> {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => {
            let s = format!("{r:.4}");
            out.extend_from_slice(s.trim_end_matches('0').trim_end_matches('.').as_bytes());
        }
        Object::Name(n) => name(out, n),
        Object::String(bytes, lopdf::StringFormat::Hexadecimal) => {
            out.push(b'<');
            for b in bytes {
                out.extend_from_slice(format!("{b:02X}").as_bytes());
            }
            out.push(b'>');
        }
        Object::String(bytes, _) => out.extend_from_slice(&super::pdf_string(bytes)),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                serialise(out, item, numbers, level, refs)?;
            }
            out.push(b']');
        }
        Object::Dictionary(d) => dictionary(out, d, numbers, level, refs)?,
        Object::Stream(s) => {
            let mut dict = s.dict.clone();
            let data = if dict.has(b"Filter") {
                s.content.clone()
            } else {
                dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
                super::deflate::deflate(&s.content, level)
            };
            dict.set("Length", Object::Integer(data.len() as i64));
            dictionary(out, &dict, numbers, level, refs)?;
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&data);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference(id) => {
            let n = *numbers
                .1
                .get(&(numbers.0, *id))
                .ok_or_else(|| RenderError::Write(format!("object {id:?} was not copied")))?;
            refs.push(n);
            int(out, u64::from(n));
            out.extend_from_slice(b" 0 R");
        }
    }
    Ok(())
}

fn dictionary(
    out: &mut Vec<u8>,
    d: &lopdf::Dictionary,
    numbers: (usize, &Numbers),
    level: u32,
    refs: &mut Vec<u32>,
) -> Result<(), RenderError> {
    out.extend_from_slice(b"<<");
    for (key, value) in d.iter() {
        name(out, key);
        out.push(b' ');
        serialise(out, value, numbers, level, refs)?;
    }
    out.extend_from_slice(b">>");
    Ok(())
}

/// A name, with every byte outside the regular characters as #xx.
fn name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        if b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

/// An image XObject (and its soft mask, for transparency), deflated on
/// every core; returns the image's number.
fn image_objects(copier: &mut Copier, r: &Raster) -> u32 {
    // Opaque images are deflated from the raster as it is, without a copy.
    let (split, mask): (Option<Vec<u8>>, Option<Vec<u8>>) = if r.has_alpha {
        let (rgb, alpha) = r
            .pixels
            .chunks_exact(4)
            .map(|p| ([p[0], p[1], p[2]], p[3]))
            .unzip::<_, _, Vec<[u8; 3]>, Vec<u8>>();
        (Some(rgb.concat()), Some(alpha))
    } else {
        (None, None)
    };
    let color = split.as_deref().unwrap_or(&r.pixels);
    let stream = |space: &str, extra: &str, samples: &[u8]| {
        let packed = super::deflate::deflate_parallel(samples, SHARED_DEFLATE_LEVEL);
        let mut body = format!(
            "<</Type/XObject/Subtype/Image/Width {}/Height {}/ColorSpace/{space}/BitsPerComponent 8{extra}/Filter/FlateDecode/Length {}>>\nstream\n",
            r.width,
            r.height,
            packed.len()
        )
        .into_bytes();
        body.extend_from_slice(&packed);
        body.extend_from_slice(b"\nendstream");
        body
    };
    match mask {
        Some(alpha) => {
            let mask = copier.push_raw(stream("DeviceGray", "", &alpha), Vec::new());
            copier.push_raw(
                stream("DeviceRGB", &format!("/SMask {mask} 0 R"), color),
                vec![mask],
            )
        }
        None => copier.push_raw(stream("DeviceRGB", "", color), Vec::new()),
    }
}

/// A page of another PDF as a Form XObject, with everything its resources
/// refer to copied; returns the form's number.
fn pdf_page_form<'a>(copier: &mut Copier<'a>, page: &'a EmbeddedPage) -> Result<u32, RenderError> {
    let parts = page
        .form()
        .map_err(|e| RenderError::Write(format!("the background: {e}")))?;
    let real = |v: f32| Object::Real(v);
    let mut dict = lopdf::Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    dict.set("BBox", Object::Array(parts.bbox.map(real).to_vec()));
    dict.set("Matrix", Object::Array(parts.matrix.map(real).to_vec()));
    dict.set(
        "Resources",
        parts
            .resources
            .unwrap_or_else(|| Object::Dictionary(lopdf::Dictionary::new())),
    );
    if let Some(group) = parts.group {
        dict.set("Group", group);
    }
    let form = Object::Stream(lopdf::Stream::new(dict, parts.content));
    copier.read_from(parts.doc);
    let number = copier.intern(&form, SHARED_DEFLATE_LEVEL);
    copier.back_to_first();
    Ok(number)
}

/// A QR code's form, before deflating.
pub(super) struct PendingForm {
    pub(super) name: String,
    /// The dictionary's entries.
    pub(super) dict: Vec<u8>,
    pub(super) body: Vec<u8>,
}

/// What one page refers to: the kit's fonts and images, and its own QR
/// forms.
pub(super) struct PageResources<'k> {
    kit: &'k Kit,
    fonts: BTreeMap<String, u32>,
    images: BTreeMap<String, u32>,
    forms: Vec<PendingForm>,
}

impl<'k> PageResources<'k> {
    pub(super) fn new(kit: &'k Kit) -> PageResources<'k> {
        PageResources {
            kit,
            fonts: BTreeMap::new(),
            images: BTreeMap::new(),
            forms: Vec::new(),
        }
    }

    /// Every shared object the page needs.
    pub(super) fn shared_objects(&self) -> impl Iterator<Item = u32> + '_ {
        self.fonts
            .values()
            .chain(self.images.values())
            .flat_map(|n| self.kit.closures[*n as usize - 1].iter().copied())
    }

    pub(super) fn fonts(&self) -> Vec<(String, u32)> {
        self.fonts.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    pub(super) fn images(&self) -> Vec<(String, u32)> {
        self.images.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    /// Each QR form: its name, and its dictionary entries and content.
    pub(super) fn take_forms(&mut self) -> Vec<PendingForm> {
        std::mem::take(&mut self.forms)
    }
}

impl Resources for PageResources<'_> {
    fn font(&mut self, run: &GlyphRun) -> Option<(String, Vec<u16>)> {
        let font = self.kit.fonts.get(&run.font)?;
        self.fonts.insert(font.name.clone(), font.number);
        let codes = run
            .glyphs
            .iter()
            .map(|g| font.codes.get(&g.gid).copied().unwrap_or(0))
            .collect();
        Some((font.name.clone(), codes))
    }

    fn image(&mut self, id: &str) -> Option<String> {
        let (name, number) = self.kit.images.get(id)?;
        self.images.insert(name.clone(), *number);
        Some(name.clone())
    }

    fn pdf_page(&mut self, page: &EmbeddedPage) -> Option<String> {
        // A form is an XObject like an image, named in the same dictionary.
        let (name, number) = self.kit.pdf_pages.get(&page.id())?;
        self.images.insert(name.clone(), *number);
        Some(name.clone())
    }

    fn qr(&mut self, matrix: &QrMatrix, color: Rgb) -> String {
        let name = format!("QR{}", self.forms.len() + 1);
        let n = matrix.width();
        let mut dict = b"/Type/XObject/Subtype/Form/BBox[0 0 ".to_vec();
        int(&mut dict, n as u64);
        dict.push(b' ');
        int(&mut dict, n as u64);
        dict.extend_from_slice(b"]/Resources<<>>");
        self.forms.push(PendingForm {
            name: name.clone(),
            dict,
            body: super::content::qr_form(matrix, color),
        });
        name
    }
}
