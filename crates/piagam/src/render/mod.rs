//! Renderers of composed pages.

pub mod pdf;
