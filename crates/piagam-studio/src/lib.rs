//! The studio: the organizer's local web app over the piagam core. It
//! serves a page of plain JS and CSS, embedded here, on 127.0.0.1 only,
//! and answers its requests with the same files the command line reads
//! and writes: piagam.toml, the key files, the roster, the templates, the
//! register. The private key never reaches the browser.
//!
//! Every request to `/api/` carries a one-time token, printed with the
//! address when the studio starts, and names this host and port: another
//! web site open in the same browser can neither read nor change anything.

mod auth;
mod design;
mod event;
mod images;
mod issue;
mod layout;
mod page;
mod register;
mod roster;
mod server;
mod verify;

pub use event::{EventForm, FieldError, KeyStatus};
pub use server::{run, Options, StudioError};
