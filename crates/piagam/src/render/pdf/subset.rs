//! Font subsets: only the glyphs a run prints, renumbered from 1 in the
//! order of their original numbers (0 stays .notdef).
//!
//! allsorts does the work; printpdf depends on it already. printpdf's own
//! subsetting needs its `text_layout` feature, which brings a layout engine
//! that took a third of a clean build and that piagam never used.

use std::collections::BTreeMap;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile};

/// A font cut down to some glyphs.
pub(super) struct Subset {
    /// The subset's font program (TrueType or CFF, as the source was).
    pub(super) bytes: Vec<u8>,
    /// Each kept glyph's number in the source and in the subset.
    pub(super) renumbered: BTreeMap<u16, u16>,
}

/// The subset of face 0 of `font` holding `glyphs`. allsorts numbers the
/// kept glyphs by their place in the list it is given (composite glyphs'
/// parts are appended after them), so the list fixes the new numbers.
pub(super) fn subset(font: &[u8], glyphs: impl Iterator<Item = u16>) -> Result<Subset, String> {
    let kept: Vec<u16> = std::iter::once(0)
        .chain(glyphs.filter(|g| *g != 0))
        .collect::<std::collections::BTreeSet<u16>>()
        .into_iter()
        .collect();
    let data = ReadScope::new(font)
        .read::<FontData<'_>>()
        .map_err(|e| e.to_string())?;
    let provider = data.table_provider(0).map_err(|e| e.to_string())?;
    let bytes =
        allsorts::subset::subset(&provider, &kept, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| e.to_string())?;
    let renumbered = kept
        .iter()
        .enumerate()
        .map(|(new, old)| (*old, new as u16))
        .collect();
    Ok(Subset { bytes, renumbered })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_keeps_notdef_first_and_numbers_glyphs_in_order() {
        let book = crate::layout::fonts::FontBook::with_bundled();
        let (_, font) = book.fonts().next().unwrap();
        let bytes = font.bytes();
        let cut = subset(bytes, [40u16, 12, 40, 300].into_iter()).unwrap();
        assert_eq!(
            cut.renumbered.into_iter().collect::<Vec<_>>(),
            vec![(0, 0), (12, 1), (40, 2), (300, 3)]
        );
        assert!(
            cut.bytes.len() < bytes.len() / 4,
            "{} bytes",
            cut.bytes.len()
        );
    }

    #[test]
    fn a_file_that_is_not_a_font_is_an_error() {
        assert!(subset(b"not a font", [1u16].into_iter()).is_err());
    }
}
