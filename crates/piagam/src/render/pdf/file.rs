//! Writing a PDF file object by object, straight to its destination.
//!
//! Pages are written as they come, so a print file of 10,000 pages never
//! sits in memory. The run's shared objects (fonts, images) keep the
//! numbers the kit gave them in every file; a file lists those it does not
//! use as free. The document ID is a hash of everything before the
//! trailer, so identical input gives identical bytes.

use std::io::Write;

use sha2::{Digest, Sha256};

use super::content::int;
use super::deflate::deflate;
use super::kit::{Kit, PageResources};
use super::{pdf_string, DocInfo, RenderError};
use crate::layout::page::{Item, Page};

/// Counts and hashes what passes through to the destination.
struct Tally<W: Write> {
    out: W,
    written: u64,
    hash: Sha256,
}

impl<W: Write> Tally<W> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), RenderError> {
        self.out.write_all(bytes).map_err(io)?;
        self.hash.update(bytes);
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Writes a shared object's bytes but hashes only their digest, made
    /// once a run: a background image is not hashed again for every file.
    fn put_digested(&mut self, bytes: &[u8], digest: &[u8; 32]) -> Result<(), RenderError> {
        self.out.write_all(bytes).map_err(io)?;
        self.hash.update(digest);
        self.written += bytes.len() as u64;
        Ok(())
    }
}

fn io(e: std::io::Error) -> RenderError {
    RenderError::Write(e.to_string())
}

/// One PDF file being written.
pub struct PdfFile<'k, W: Write> {
    kit: &'k Kit,
    out: Tally<W>,
    /// Byte offset of each object, by number (index 0 unused).
    offsets: Vec<Option<u64>>,
    pages: Vec<u32>,
    /// Each page's design digest, for the file's permanent ID.
    designs: Vec<[u8; 32]>,
    shared_used: Vec<bool>,
    /// Reserved numbers: the page tree, the catalog and the info dictionary.
    tree: u32,
}

impl<'k, W: Write> PdfFile<'k, W> {
    pub fn start(kit: &'k Kit, out: W) -> Result<PdfFile<'k, W>, RenderError> {
        let shared = kit.object_count();
        let mut file = PdfFile {
            kit,
            out: Tally {
                out,
                written: 0,
                hash: Sha256::new(),
            },
            offsets: vec![None; shared as usize + 1],
            pages: Vec::new(),
            designs: Vec::new(),
            shared_used: vec![false; shared as usize + 1],
            tree: 0,
        };
        // The binary comment tells transfer programs the file is not text.
        file.out.put(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")?;
        file.tree = file.reserve();
        file.reserve();
        file.reserve();
        Ok(file)
    }

    fn reserve(&mut self) -> u32 {
        self.offsets.push(None);
        (self.offsets.len() - 1) as u32
    }

    fn begin(&mut self, number: u32) -> Result<(), RenderError> {
        self.offsets[number as usize] = Some(self.out.written);
        let mut head = Vec::with_capacity(16);
        int(&mut head, u64::from(number));
        head.extend_from_slice(b" 0 obj\n");
        self.out.put(&head)
    }

    fn object(&mut self, number: u32, body: &[u8]) -> Result<(), RenderError> {
        self.begin(number)?;
        self.out.put(body)?;
        self.out.put(b"\nendobj\n")
    }

    /// A stream object whose data is already deflated.
    fn packed_stream(
        &mut self,
        number: u32,
        dict: &[u8],
        packed: &[u8],
    ) -> Result<(), RenderError> {
        let mut head = Vec::with_capacity(dict.len() + 48);
        head.extend_from_slice(b"<<");
        head.extend_from_slice(dict);
        head.extend_from_slice(b"/Filter/FlateDecode/Length ");
        int(&mut head, packed.len() as u64);
        head.extend_from_slice(b">>\nstream\n");
        self.begin(number)?;
        self.out.put(&head)?;
        self.out.put(packed)?;
        self.out.put(b"\nendstream\nendobj\n")
    }

    /// Writes one page, rendered once for every file that holds it.
    pub fn add_page(&mut self, page: &RenderedPage) -> Result<(), RenderError> {
        self.designs.push(page.design);
        for n in &page.shared {
            self.shared_used[*n as usize] = true;
        }
        let page_number = self.reserve();
        let content_number = self.reserve();
        let forms: Vec<u32> = page.forms.iter().map(|_| self.reserve()).collect();
        let annots: Vec<u32> = page.links.iter().map(|_| self.reserve()).collect();
        let mut dict = Vec::with_capacity(256);
        dict.extend_from_slice(b"<</Type/Page/Parent ");
        reference(&mut dict, self.tree);
        dict.extend_from_slice(b"/MediaBox[0 0 ");
        dict.extend_from_slice(&page.size);
        dict.push(b']');
        dict.extend_from_slice(&page.boxes);
        dict.extend_from_slice(b"/Contents ");
        reference(&mut dict, content_number);
        dict.extend_from_slice(b"/Resources<<");
        if !page.fonts.is_empty() {
            dict.extend_from_slice(b"/Font<<");
            for (name, number) in &page.fonts {
                dict.push(b'/');
                dict.extend_from_slice(name.as_bytes());
                dict.push(b' ');
                reference(&mut dict, *number);
            }
            dict.extend_from_slice(b">>");
        }
        if !page.images.is_empty() || !forms.is_empty() {
            dict.extend_from_slice(b"/XObject<<");
            let named = page
                .images
                .iter()
                .map(|(name, n)| (name.as_str(), *n))
                .chain(
                    page.forms
                        .iter()
                        .map(|f| f.name.as_str())
                        .zip(forms.iter().copied()),
                );
            for (name, number) in named {
                dict.push(b'/');
                dict.extend_from_slice(name.as_bytes());
                dict.push(b' ');
                reference(&mut dict, number);
            }
            dict.extend_from_slice(b">>");
        }
        dict.extend_from_slice(b">>");
        if !annots.is_empty() {
            dict.extend_from_slice(b"/Annots[");
            for n in &annots {
                reference(&mut dict, *n);
            }
            dict.push(b']');
        }
        dict.extend_from_slice(b">>");
        self.object(page_number, &dict)?;
        self.packed_stream(content_number, b"", &page.content)?;
        for (number, form) in forms.into_iter().zip(&page.forms) {
            self.packed_stream(number, &form.dict, &form.content)?;
        }
        for (number, link) in annots.into_iter().zip(&page.links) {
            self.object(number, link)?;
        }
        self.pages.push(page_number);
        Ok(())
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Writes the shared objects the pages used, the page tree, the
    /// catalog, the info dictionary and the cross-reference table; returns
    /// the destination and the file's length.
    pub fn finish(self, info: &DocInfo) -> Result<(W, u64), RenderError> {
        self.finish_with_id(info).map(|(out, len, _)| (out, len))
    }

    /// Finishes the file and also returns the second part of its ID, a
    /// hash of every byte before the trailer: two files with the same one
    /// are the same bytes. The first part (see [`design_id`]) says what
    /// the pages look like, and stays the same when only the run around
    /// them changes (which glyphs its fonts' subsets hold).
    pub fn finish_with_id(mut self, info: &DocInfo) -> Result<(W, u64, String), RenderError> {
        for number in 1..self.shared_used.len() {
            if self.shared_used[number] {
                let (body, digest) = self.kit.object(number as u32);
                self.begin(number as u32)?;
                self.out.put_digested(body, digest)?;
                self.out.put(b"\nendobj\n")?;
            }
        }
        let (tree, catalog, info_number) = (self.tree, self.tree + 1, self.tree + 2);
        let mut kids = Vec::with_capacity(self.pages.len() * 10 + 64);
        kids.extend_from_slice(b"<</Type/Pages/Kids[");
        for n in &self.pages {
            reference(&mut kids, *n);
        }
        kids.extend_from_slice(b"]/Count ");
        int(&mut kids, self.pages.len() as u64);
        kids.extend_from_slice(b">>");
        self.object(tree, &kids)?;
        let mut cat = b"<</Type/Catalog/Pages ".to_vec();
        reference(&mut cat, tree);
        if info.pdfa {
            let (metadata, intent, profile) = (self.reserve(), self.reserve(), self.reserve());
            let xmp = xmp(info);
            let mut head = b"<</Type/Metadata/Subtype/XML/Length ".to_vec();
            int(&mut head, xmp.len() as u64);
            head.extend_from_slice(b">>\nstream\n");
            // Uncompressed, as PDF/A readers expect to find it.
            self.begin(metadata)?;
            self.out.put(&head)?;
            self.out.put(&xmp)?;
            self.out.put(b"\nendstream\nendobj\n")?;
            let mut oi = b"<</Type/OutputIntent/S/GTS_PDFA1/OutputConditionIdentifier(sRGB IEC61966-2.1)/Info(sRGB IEC61966-2.1)/DestOutputProfile ".to_vec();
            reference(&mut oi, profile);
            oi.extend_from_slice(b">>");
            self.object(intent, &oi)?;
            let icc = super::icc::srgb_profile();
            self.packed_stream(profile, b"/N 3", &deflate(&icc, 6))?;
            cat.extend_from_slice(b"/Metadata ");
            reference(&mut cat, metadata);
            cat.extend_from_slice(b"/OutputIntents[");
            reference(&mut cat, intent);
            cat.push(b']');
        }
        if let Some(lang) = info.lang {
            cat.extend_from_slice(b"/Lang");
            cat.extend_from_slice(&pdf_text(lang.code()));
        }
        cat.extend_from_slice(b">>");
        self.object(catalog, &cat)?;
        self.object(info_number, &info_dict(info))?;

        let xref_at = self.out.written;
        let count = self.offsets.len();
        let mut xref = Vec::with_capacity(count * 20 + 32);
        xref.extend_from_slice(b"xref\n0 ");
        int(&mut xref, count as u64);
        xref.push(b'\n');
        // Free entries form a chain from object 0, as the format asks.
        let free: Vec<usize> = (1..count).filter(|n| self.offsets[*n].is_none()).collect();
        let mut next_free = free.iter().copied().chain(std::iter::once(0));
        let entry = |xref: &mut Vec<u8>, offset: u64, generation: u32, kind: u8| {
            xref.extend_from_slice(format!("{offset:010} {generation:05} ").as_bytes());
            xref.push(kind);
            xref.extend_from_slice(b" \n");
        };
        entry(&mut xref, next_free.next().unwrap_or(0) as u64, 65535, b'f');
        for n in 1..count {
            match self.offsets[n] {
                Some(offset) => entry(&mut xref, offset, 0, b'n'),
                None => entry(&mut xref, next_free.next().unwrap_or(0) as u64, 1, b'f'),
            }
        }
        self.out.put(&xref)?;
        let digest = self.out.hash.clone().finalize();
        let id: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        let permanent = design_id(self.designs.iter(), info);
        let mut trailer = b"trailer\n<</Size ".to_vec();
        int(&mut trailer, count as u64);
        trailer.extend_from_slice(b"/Root ");
        reference(&mut trailer, catalog);
        trailer.extend_from_slice(b"/Info ");
        reference(&mut trailer, info_number);
        trailer.extend_from_slice(
            format!("/ID[<{permanent}><{id}>]>>\nstartxref\n{xref_at}\n%%EOF\n").as_bytes(),
        );
        self.out.put(&trailer)?;
        self.out.out.flush().map_err(io)?;
        Ok((self.out.out, self.out.written, id))
    }
}

/// A page made ready for any number of files: its content and QR forms
/// deflated, its resources named, its links written out.
pub struct RenderedPage {
    /// What the page looks like (`Page::digest`), whatever the run.
    pub(super) design: [u8; 32],
    pub(super) size: Vec<u8>,
    /// The TrimBox and BleedBox of a print sheet, as dictionary entries.
    pub(super) boxes: Vec<u8>,
    pub(super) content: Vec<u8>,
    pub(super) forms: Vec<Form>,
    pub(super) fonts: Vec<(String, u32)>,
    pub(super) images: Vec<(String, u32)>,
    /// Every shared object the page needs, directly or not.
    pub(super) shared: Vec<u32>,
    /// Link annotation dictionaries.
    pub(super) links: Vec<Vec<u8>>,
}

pub(super) struct Form {
    pub(super) name: String,
    pub(super) dict: Vec<u8>,
    pub(super) content: Vec<u8>,
}

impl RenderedPage {
    pub fn new(kit: &Kit, page: &Page) -> RenderedPage {
        RenderedPage::on_sheet(kit, page, &super::Sheet::default())
    }

    /// The page placed on a print sheet: moved, stretched, with bleed and
    /// crop marks as the sheet says. A plain sheet gives the page itself.
    pub fn on_sheet(kit: &Kit, page: &Page, sheet: &super::Sheet) -> RenderedPage {
        let design = page.digest(|key| kit.font_digest(key));
        let mut res = PageResources::new(kit);
        let (width, height) = (page.width_mm(), page.height_mm());
        let drawn = super::content::page_content(page, &mut res);
        let content = if sheet.is_plain() {
            deflate(&drawn, kit.deflate_level())
        } else {
            let mut placed = super::sheet::placement(sheet, height);
            placed.extend_from_slice(&drawn);
            placed.extend_from_slice(b"Q\n");
            placed.extend_from_slice(&super::sheet::crop_marks(sheet, width, height));
            deflate(&placed, kit.deflate_level())
        };
        let margin = 2.0 * sheet.margin_mm();
        let mut size = points(width + margin).into_bytes();
        size.push(b' ');
        size.extend_from_slice(points(height + margin).as_bytes());
        // Links follow the page only where it is not moved: a print sheet
        // is for paper.
        let links = page
            .items()
            .iter()
            .filter(|_| sheet.is_plain())
            .filter_map(|item| match item {
                Item::Link { x, y, w, h, uri } => Some(link(page, *x, *y, *w, *h, uri)),
                _ => None,
            })
            .collect();
        let mut shared: Vec<u32> = res.shared_objects().collect();
        shared.sort_unstable();
        shared.dedup();
        let forms = res
            .take_forms()
            .into_iter()
            .map(|form| Form {
                name: form.name,
                dict: form.dict,
                content: deflate(&form.body, super::kit::QR_DEFLATE_LEVEL),
            })
            .collect();
        RenderedPage {
            design,
            size,
            boxes: super::sheet::boxes(sheet, width, height),
            content,
            forms,
            fonts: res.fonts(),
            images: res.images(),
            shared,
            links,
        }
    }
}

/// A borderless link over the area (the QR code), opening `uri`.
fn link(page: &Page, x: f32, y: f32, w: f32, h: f32, uri: &str) -> Vec<u8> {
    let mut a = Vec::with_capacity(uri.len() + 128);
    // Printable (/F 4), as PDF/A asks of every annotation; a link draws
    // nothing either way.
    a.extend_from_slice(b"<</Type/Annot/Subtype/Link/F 4/Rect[");
    let bottom = page.height_mm() - y - h;
    for v in [x, bottom, x + w, bottom + h] {
        a.extend_from_slice(points(v).as_bytes());
        a.push(b' ');
    }
    a.extend_from_slice(b"]/Border[0 0 0]/A<</S/URI/URI");
    a.extend_from_slice(&pdf_string(uri.as_bytes()));
    a.extend_from_slice(b">>>>");
    a
}

fn reference(out: &mut Vec<u8>, number: u32) {
    int(out, u64::from(number));
    out.extend_from_slice(b" 0 R ");
}

/// Millimetres as points, to 1/100.
fn points(mm: f32) -> String {
    let centi = (f64::from(mm) * 72.0 / 25.4 * 100.0).round() / 100.0;
    let s = format!("{centi:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A PDF text string: ASCII as a literal, anything else as UTF-16BE.
fn pdf_text(s: &str) -> Vec<u8> {
    if s.is_ascii() {
        pdf_string(s.as_bytes())
    } else {
        let mut out = b"<FEFF".to_vec();
        for unit in s.encode_utf16() {
            out.extend_from_slice(format!("{unit:04X}").as_bytes());
        }
        out.push(b'>');
        out
    }
}

/// Title, author, subject, producer and dates; empty values left out. The
/// date is the signed document date, never the clock.
/// The XMP packet of a PDF/A-2b file: what the information dictionary
/// says, in the same words and at the same dates.
fn xmp(info: &DocInfo) -> Vec<u8> {
    fn escape(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '&' => "&amp;".to_owned(),
                '<' => "&lt;".to_owned(),
                '>' => "&gt;".to_owned(),
                '"' => "&quot;".to_owned(),
                c if c.is_control() => " ".to_owned(),
                c => c.to_string(),
            })
            .collect()
    }
    let mut x = String::from(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n<dc:format>application/pdf</dc:format>\n",
    );
    let alt = |x: &mut String, key: &str, value: &str| {
        if !value.trim().is_empty() {
            x.push_str(&format!(
                "<{key}><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></{key}>\n",
                escape(value)
            ));
        }
    };
    alt(&mut x, "dc:title", info.title);
    if !info.author.trim().is_empty() {
        x.push_str(&format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
            escape(info.author)
        ));
    }
    alt(&mut x, "dc:description", info.subject);
    x.push_str("<xmp:CreatorTool>piagam</xmp:CreatorTool>\n");
    if let Some(date) = info.date {
        let stamp = format!(
            "{:04}-{:02}-{:02}T00:00:00Z",
            date.year(),
            date.month(),
            date.day()
        );
        x.push_str(&format!(
            "<xmp:CreateDate>{stamp}</xmp:CreateDate>\n<xmp:ModifyDate>{stamp}</xmp:ModifyDate>\n"
        ));
    }
    x.push_str(concat!(
        "<pdf:Producer>piagam ",
        env!("CARGO_PKG_VERSION"),
        "</pdf:Producer>\n"
    ));
    x.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>");
    x.into_bytes()
}

fn info_dict(info: &DocInfo) -> Vec<u8> {
    let mut d = b"<<".to_vec();
    for (key, value) in [
        ("Title", info.title),
        ("Author", info.author),
        ("Subject", info.subject),
        ("Creator", "piagam"),
        ("Producer", concat!("piagam ", env!("CARGO_PKG_VERSION"))),
    ] {
        if !value.trim().is_empty() {
            d.push(b'/');
            d.extend_from_slice(key.as_bytes());
            d.extend_from_slice(&pdf_text(value));
        }
    }
    if let Some(date) = info.date {
        let stamp = format!(
            "D:{:04}{:02}{:02}000000Z",
            date.year(),
            date.month(),
            date.day()
        );
        for key in ["CreationDate", "ModDate"] {
            d.push(b'/');
            d.extend_from_slice(key.as_bytes());
            d.extend_from_slice(&pdf_text(&stamp));
        }
    }
    d.extend_from_slice(b">>");
    d
}

/// The first part of a file's ID: a hash of its pages' designs and its
/// document information, so the same document drawn the same way has the
/// same one in every run.
pub fn design_id<'a>(designs: impl Iterator<Item = &'a [u8; 32]>, info: &DocInfo) -> String {
    let mut h = Sha256::new();
    h.update(b"piagam-design-1");
    if info.pdfa {
        h.update(b"pdf/a-2b");
    }
    for d in designs {
        h.update(d);
    }
    h.update(info_dict(info));
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl RenderedPage {
    /// The design digest of this page (see `Page::digest`).
    pub fn design(&self) -> &[u8; 32] {
        &self.design
    }
}

/// The two parts of the ID in a PDF file's trailer, read from its last
/// bytes; none if the file is not one piagam could write.
pub fn ids_in_file(path: &std::path::Path) -> Option<(String, String)> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(512))).ok()?;
    let mut tail = Vec::with_capacity(512);
    file.read_to_end(&mut tail).ok()?;
    let tail = String::from_utf8_lossy(&tail);
    let at = tail.rfind("/ID[<")? + 5;
    let first = tail.get(at..at + 32)?;
    let second = tail.get(at + 32..)?.strip_prefix("><")?.get(..32)?;
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(first) && hex(second)).then(|| (first.to_owned(), second.to_owned()))
}
