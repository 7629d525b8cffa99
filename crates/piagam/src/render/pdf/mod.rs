//! PDF output. The only module that knows printpdf (and lopdf's objects).
//!
//! A run first gathers what its pages print ([`Usage`]) and builds its
//! [`Kit`] once: the font subsets and images, made by printpdf and
//! serialised a single time. Each file is then written page by page by a
//! [`PdfFile`], straight to its destination: the page content comes from
//! the composed page, the shared objects from the kit. Output is
//! deterministic: resource names, object numbers and the document ID come
//! from content, and no clock is read.

mod content;
mod deflate;
mod file;
mod icc;
mod kit;
mod sheet;
mod subset;

pub use file::{design_id, ids_in_file, PdfFile, RenderedPage};
pub use kit::{Kit, Usage};
pub use sheet::Sheet;

use crate::layout::fonts::FontBook;
use crate::layout::page::Page;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    #[error("font {0} cannot be prepared for PDF embedding")]
    Font(String),
    #[error("the PDF writer failed: {0}")]
    Write(String),
}

/// What a PDF says about itself (its Info dictionary and /Lang). Empty
/// values are left out. The date is the signed document date, never the
/// clock, so output stays byte-identical.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocInfo<'a> {
    pub title: &'a str,
    /// The issuer.
    pub author: &'a str,
    /// The achievement.
    pub subject: &'a str,
    pub date: Option<crate::date::Date>,
    pub lang: Option<crate::locale::Language>,
    /// Written to conform to PDF/A-2b: XMP metadata matching this
    /// information, and an sRGB output intent.
    pub pdfa: bool,
}

/// Pages as one PDF in memory, with a kit of their own: for a preview or a
/// single document, where there is no run to share the work with.
pub fn write_pages(
    book: &FontBook,
    pages: &[&Page],
    info: &DocInfo,
) -> Result<Vec<u8>, RenderError> {
    let mut usage = Usage::default();
    for page in pages {
        usage.add_page(page);
    }
    let kit = Kit::build(book, &usage)?;
    let mut file = PdfFile::start(&kit, Vec::new())?;
    for page in pages {
        file.add_page(&RenderedPage::new(&kit, page))?;
    }
    Ok(file.finish(info)?.0)
}

/// A PDF literal string, with the characters that need it escaped.
fn pdf_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\n' => out.extend_from_slice(b"\\n"),
            _ => out.push(b),
        }
    }
    out.push(b')');
    out
}
