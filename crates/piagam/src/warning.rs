//! What a run tells the organizer without stopping: each kind of warning
//! is a variant with its facts, so a front end can say it in its own
//! language. `Display` gives the English the command line prints.

use std::fmt;
use std::path::PathBuf;

/// Something the organizer should know; it stops nothing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Warning {
    /// The roster's headers are below a title block; the rows above them
    /// are not read.
    TitleRows { roster: PathBuf, header_row: usize },
    /// A column that only counts rows (No, #) is not read: serials come
    /// from the numbering.
    CounterColumn { roster: PathBuf, column: String },
    /// A CSV that is not UTF-8 was read as Windows-1252.
    NotUtf8 { roster: PathBuf },
    /// A document the register holds as revoked is left out of the run.
    Revoked {
        kind: String,
        row: usize,
        serial: String,
        on: Option<String>,
        reason: Option<String>,
    },
    /// Something a template prints comes closer to the paper's edge than
    /// an office printer prints.
    NearEdge { template: PathBuf, mm: f32 },
    /// A print onto blank stock lands where it should only when printed at
    /// 100%, not "fit to page".
    PrintAtActualSize,
    /// The run's smallest QR code prints with modules under the size a
    /// phone reads reliably from a photo.
    SmallQr {
        row: usize,
        kind: String,
        module_mm: f32,
        version: i16,
        /// The signed fields that make the seal long, longest first, with
        /// their lengths in characters.
        longest: Vec<(String, usize)>,
    },
}

/// What office printers leave blank at the paper's edge.
pub const PRINTABLE_MARGIN_MM: f32 = 5.0;

/// Below this module size a phone may fail to read a QR code from a photo.
pub const QR_MODULE_WARN_MM: f32 = 0.5;

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::TitleRows { roster, header_row } => write!(
                f,
                "{}: the headers are in row {header_row}; the row(s) above it are taken as a title",
                roster.display()
            ),
            Warning::CounterColumn { roster, column } => write!(
                f,
                "{}: column '{column}' looks like a row counter and is ignored; serials come from [numbering] (a column named Nomor sets them)",
                roster.display()
            ),
            Warning::NotUtf8 { roster } => write!(
                f,
                "{}: not UTF-8; read as Windows-1252 (in Excel, save as \"CSV UTF-8\" to avoid this)",
                roster.display()
            ),
            Warning::Revoked {
                kind,
                row,
                serial,
                on,
                reason,
            } => write!(
                f,
                "the {kind} of row {row} was revoked on {} ({}) as {serial}; it is not issued again",
                on.as_deref().unwrap_or("?"),
                reason.as_deref().unwrap_or("")
            ),
            Warning::NearEdge { template, mm } => write!(
                f,
                "{}: something is printed {mm:.1} mm from the paper's edge; office printers leave {PRINTABLE_MARGIN_MM} mm blank, so it may be cut off (keep {PRINTABLE_MARGIN_MM} mm clear, or give the print shop a file with bleed)",
                template.display()
            ),
            Warning::PrintAtActualSize => f.write_str(
                "the print files are for pre-printed stock: print them at 100% (\"actual size\"), never \"fit to page\", or the names miss their places",
            ),
            Warning::SmallQr {
                row,
                kind,
                module_mm,
                version,
                longest,
            } => write!(
                f,
                "the QR code of row {row} ({kind}) prints with {module_mm:.2} mm modules (version {version}); below {QR_MODULE_WARN_MM} mm a phone may fail to read it from a photo: make the QR element larger, or shorten what the seal carries ({})",
                fields_and_lengths(longest)
            ),
        }
    }
}

/// `recipient: 80 characters, event: 60 characters`.
pub fn fields_and_lengths(fields: &[(String, usize)]) -> String {
    fields
        .iter()
        .map(|(name, n)| format!("{name}: {n} characters"))
        .collect::<Vec<_>>()
        .join(", ")
}
