//! piagam: print-ready PDF charters and certificates with a signed QR seal.
//!
//! A front end starts from [`project::Project`]: open an event, check it,
//! preview a page, generate it. Data flows one way inside: roster and
//! template and key go into `layout::compose`, which yields backend-free
//! pages that `render::pdf` turns into files; those modules are private.
//! The seal is its own crate, re-exported as [`seal`]. See
//! docs/ARCHITECTURE.md.

pub mod calibrate;
pub mod config;
pub mod demo;
mod fsio;
pub mod generate;
mod guard;
pub mod inputs;
pub mod issued;
pub mod keystore;
mod layout;
pub mod locale;
pub mod lock;
mod numbering;
mod outdir;
mod pdf_budget;
mod pdf_page;
pub mod preview;
mod print_field;
pub mod project;
mod qr;
pub mod register;
mod render;
pub mod report_text;
pub mod revoke;
pub mod roster;
pub mod share;
pub mod site;
mod spreadsheet;
mod style;
pub mod template;
mod warning;

// What front ends use of the private modules.
pub use fsio::{read_capped, read_text_capped, write_atomic, WriteCause, WriteError};
pub use guard::in_guarded_section;
pub use outdir::{pause_between_moves_for_tests, OutDirError};
pub use print_field::PrintField;
pub use qr::encode_seal_text;
pub use warning::Warning;

/// The seal format, its dates included, is its own light crate.
pub use piagam_seal as seal;
pub use piagam_seal::date;
