//! Layout: fonts, text fitting, and composing pages from templates.

pub mod compose;
pub mod fonts;
pub mod page;
pub mod text;

pub use compose::{compose, ComposeError, Layers};
pub use page::Page;
