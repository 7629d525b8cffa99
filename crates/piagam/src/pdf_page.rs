//! A page of another PDF, such as the designer's background, read once and
//! checked, then drawn as a form (vector, its fonts kept) on every page of
//! a run. Only what the page shows is taken: its content and resources,
//! its transparency group; not its annotations.

use lopdf::{Dictionary, Document, Object, ObjectId};
use sha2::{Digest, Sha256};

/// The largest background PDF read.
pub const MAX_PDF_BYTES: u64 = 64 * 1024 * 1024;

/// One page of a PDF, ready to embed.
pub struct EmbeddedPage {
    /// SHA-256 of the file and the page number: what a page's design
    /// digest names the background by.
    digest: [u8; 32],
    doc: Document,
    page: ObjectId,
    /// The visible area, in the page's own units: the CropBox within the
    /// MediaBox, as [left, bottom, right, top].
    crop: [f32; 4],
    /// Clockwise quarter turns (`/Rotate` / 90).
    turns: u8,
}

impl std::fmt::Debug for EmbeddedPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedPage")
            .field("crop", &self.crop)
            .field("turns", &self.turns)
            .finish_non_exhaustive()
    }
}

impl PartialEq for EmbeddedPage {
    fn eq(&self, other: &EmbeddedPage) -> bool {
        self.digest == other.digest
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PdfPageError {
    #[error("it is not a PDF that can be read ({0})")]
    Unreadable(String),
    #[error("it can only be opened with a password; export it again without one")]
    Password,
    #[error("it has {pages} page(s); page {asked} was asked for")]
    NoSuchPage { pages: usize, asked: usize },
    #[error("its page asks more than any design would: {0}")]
    TooComplex(String),
    #[error("its page has no size (MediaBox)")]
    NoSize,
}

/// What the kit writes as the form's dictionary and content.
pub(crate) struct FormParts<'a> {
    pub doc: &'a Document,
    pub bbox: [f32; 4],
    pub matrix: [f32; 6],
    pub resources: Option<Object>,
    pub group: Option<Object>,
    pub content: Vec<u8>,
}

impl EmbeddedPage {
    /// Reads page `number` (from 1) of a PDF. A PDF locked only against
    /// changes (an owner password) opens; one that needs a password to be
    /// read does not.
    pub fn read(bytes: &[u8], number: usize) -> Result<EmbeddedPage, PdfPageError> {
        check_budget(bytes, number)?;
        let doc = crate::guard::guarded(|| Document::load_mem(bytes))
            .ok_or_else(|| PdfPageError::Unreadable("the reader failed".into()))?
            .map_err(|e| match e {
                lopdf::Error::Decryption(_)
                | lopdf::Error::InvalidPassword
                | lopdf::Error::Unimplemented(_)
                    if is_encrypted(bytes) =>
                {
                    PdfPageError::Password
                }
                other => PdfPageError::Unreadable(other.to_string()),
            })?;
        let pages = doc.get_pages();
        let page = *pages
            .get(&u32::try_from(number).unwrap_or(u32::MAX))
            .ok_or(PdfPageError::NoSuchPage {
                pages: pages.len(),
                asked: number,
            })?;
        let media = inherited(&doc, page, b"MediaBox")
            .and_then(|o| rect(&doc, &o))
            .ok_or(PdfPageError::NoSize)?;
        let crop = inherited(&doc, page, b"CropBox")
            .and_then(|o| rect(&doc, &o))
            .map_or(media, |c| intersect(c, media));
        if crop[2] - crop[0] < 1.0 || crop[3] - crop[1] < 1.0 {
            return Err(PdfPageError::NoSize);
        }
        let rotate = inherited(&doc, page, b"Rotate")
            .and_then(|o| doc.dereference(&o).ok()?.1.as_i64().ok())
            .unwrap_or(0);
        let turns = u8::try_from(rotate.rem_euclid(360) / 90).unwrap_or(0);
        let mut h = Sha256::new();
        h.update(b"piagam-pdf-page-1");
        h.update(Sha256::digest(bytes));
        h.update((number as u64).to_be_bytes());
        Ok(EmbeddedPage {
            digest: h.finalize().into(),
            doc,
            page,
            crop,
            turns,
        })
    }

    /// Names the page in a design digest.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// A short id, unique to the file and page.
    pub fn id(&self) -> String {
        self.digest[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The page's size as shown (turned by `/Rotate`), in millimetres.
    pub fn size_mm(&self) -> (f32, f32) {
        let [l, b, r, t] = self.crop;
        let (w, h) = ((r - l) * MM_PER_PT, (t - b) * MM_PER_PT);
        if self.turns % 2 == 1 {
            (h, w)
        } else {
            (w, h)
        }
    }

    /// The page as a form: its bounding box is the CropBox, and its matrix
    /// turns it as `/Rotate` says and moves the box's corner to the origin,
    /// so the form draws into (0, 0)–(width, height) in points, as shown.
    pub(crate) fn form(&self) -> Result<FormParts<'_>, PdfPageError> {
        let [l, b, r, t] = self.crop;
        let matrix = match self.turns {
            1 => [0.0, -1.0, 1.0, 0.0, -b, r],
            2 => [-1.0, 0.0, 0.0, -1.0, r, t],
            3 => [0.0, 1.0, -1.0, 0.0, t, -l],
            _ => [1.0, 0.0, 0.0, 1.0, -l, -b],
        };
        let content = self.content()?;
        let group = self
            .doc
            .get_dictionary(self.page)
            .ok()
            .and_then(|d| d.get(b"Group").ok().cloned());
        Ok(FormParts {
            doc: &self.doc,
            bbox: self.crop,
            matrix,
            resources: inherited(&self.doc, self.page, b"Resources"),
            group,
            content,
        })
    }

    /// Why this page cannot be shown to conform to PDF/A-2b, if it
    /// cannot. Only what can be vouched for passes: vector art in RGB or
    /// grey, with no resources at all (so no fonts, images, colour spaces
    /// or transparency) and no transparency group.
    pub fn pdfa_obstacle(&self) -> Option<String> {
        if let Some(resources) = inherited(&self.doc, self.page, b"Resources") {
            let dict = self
                .doc
                .dereference(&resources)
                .ok()
                .and_then(|(_, o)| o.as_dict().ok());
            match dict {
                Some(d) => {
                    if let Some((kind, _)) = d.iter().next() {
                        return Some(format!(
                            "its page uses resources (/{})",
                            String::from_utf8_lossy(kind)
                        ));
                    }
                }
                None => return Some("its page's resources cannot be read".into()),
            }
        }
        let page = self.doc.get_dictionary(self.page).ok()?;
        if page.get(b"Group").is_ok() {
            return Some("its page is a transparency group".into());
        }
        let Ok(content) = self.content() else {
            return Some("its page's content cannot be read".into());
        };
        let Ok(content) = lopdf::content::Content::decode(&content) else {
            return Some("its page's content cannot be read".into());
        };
        const VECTOR: &[&str] = &[
            "q", "Q", "cm", "w", "J", "j", "M", "d", "i", "m", "l", "c", "v", "y", "h", "re", "S",
            "s", "f", "F", "f*", "B", "B*", "b", "b*", "n", "W", "W*", "rg", "RG", "g", "G",
        ];
        content
            .operations
            .iter()
            .find(|op| !VECTOR.contains(&op.operator.as_str()))
            .map(|op| format!("its page's content uses the operator {}", op.operator))
    }

    /// The page's content streams, decoded and joined (a form has one).
    fn content(&self) -> Result<Vec<u8>, PdfPageError> {
        let mut content = Vec::new();
        for id in self.doc.get_page_contents(self.page) {
            let stream = self
                .doc
                .get_object(id)
                .and_then(Object::as_stream)
                .map_err(|e| PdfPageError::Unreadable(e.to_string()))?;
            let remaining =
                (crate::pdf_budget::MAX_CONTENT_BYTES as usize).saturating_sub(content.len());
            if stream.dict.get(b"Filter").is_ok() {
                let data = stream
                    .decompressed_content_with_limit(remaining)
                    .map_err(|e| PdfPageError::Unreadable(format!("its page's content: {e}")))?;
                content.extend_from_slice(&data);
            } else if stream.content.len() <= remaining {
                content.extend_from_slice(&stream.content);
            } else {
                return Err(PdfPageError::TooComplex(
                    "its page's content is too long".into(),
                ));
            }
            content.push(b'\n');
        }
        Ok(content)
    }
}

const MM_PER_PT: f32 = 25.4 / 72.0;

/// A page attribute, from the page or the nearest `/Pages` above it that
/// sets it (ISO 32000-1 §7.7.3.4).
fn inherited(doc: &Document, page: ObjectId, key: &[u8]) -> Option<Object> {
    let mut node: Option<&Dictionary> = doc.get_dictionary(page).ok();
    // A cycle of parents ends the walk.
    for _ in 0..64 {
        let dict = node?;
        if let Ok(value) = dict.get(key) {
            return Some(value.clone());
        }
        node = dict
            .get(b"Parent")
            .ok()
            .and_then(|p| p.as_reference().ok())
            .and_then(|id| doc.get_dictionary(id).ok());
    }
    None
}

/// A rectangle, normalised to [left, bottom, right, top].
fn rect(doc: &Document, value: &Object) -> Option<[f32; 4]> {
    let items = doc.dereference(value).ok()?.1.as_array().ok()?;
    if items.len() != 4 {
        return None;
    }
    let mut n = [0f32; 4];
    for (slot, item) in n.iter_mut().zip(items) {
        let item = doc.dereference(item).ok()?.1;
        *slot = item
            .as_float()
            .ok()
            .or_else(|| Some(item.as_i64().ok()? as f32))?;
        if !slot.is_finite() {
            return None;
        }
    }
    Some([
        n[0].min(n[2]),
        n[1].min(n[3]),
        n[0].max(n[2]),
        n[1].max(n[3]),
    ])
}

fn intersect(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
    [
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ]
}

fn is_encrypted(bytes: &[u8]) -> bool {
    bytes.windows(8).any(|w| w == b"/Encrypt")
}

/// The page is walked with the caps `verify` uses before anything of it is
/// kept: a hostile background is refused as a hostile scan is.
fn check_budget(bytes: &[u8], number: usize) -> Result<(), PdfPageError> {
    use hayro::hayro_syntax::{LoadPdfError, Pdf};
    let data = std::sync::Arc::new(bytes.to_vec());
    let pdf = match crate::guard::guarded(|| Pdf::new(data.clone())) {
        Some(Ok(pdf)) => pdf,
        Some(Err(LoadPdfError::Decryption(_))) => return Err(PdfPageError::Password),
        Some(Err(_)) | None => return Err(PdfPageError::Unreadable("not a readable PDF".into())),
    };
    let pages = pdf.pages();
    let page =
        number
            .checked_sub(1)
            .and_then(|i| pages.get(i))
            .ok_or(PdfPageError::NoSuchPage {
                pages: pages.len(),
                asked: number,
            })?;
    match crate::guard::guarded(|| crate::pdf_budget::check(page)) {
        Some(Ok(())) => Ok(()),
        Some(Err(exceeded)) => Err(PdfPageError::TooComplex(exceeded.to_string())),
        None => Err(PdfPageError::Unreadable("the reader failed".into())),
    }
}
