//! piagam: print-ready PDF charters and certificates with a signed QR seal.
//!
//! Data flows one way: roster and template and key go into `compose`, which
//! yields backend-free pages that `render::pdf` turns into files. The `seal`
//! module signs and verifies and knows nothing of layout.

pub mod config;
pub mod demo;
pub mod fsio;
pub mod generate;
pub mod guard;
pub mod inputs;
pub mod issued;
pub mod keystore;
pub mod layout;
pub mod locale;
pub mod lock;
pub mod numbering;
pub mod outdir;
pub mod preview;
pub mod print_field;
pub mod project;
pub mod qr;
pub mod register;
pub mod render;
pub mod report_text;
pub mod revoke;
pub mod roster;
pub mod site;
pub mod spreadsheet;
pub mod style;
pub mod template;

/// The seal format, its dates included, is its own light crate.
pub use piagam_seal as seal;
pub use piagam_seal::date;
