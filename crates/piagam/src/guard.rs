//! Panics in third-party code on hostile input (a damaged font in the
//! shaper, a crafted image in the QR reader, a broken PDF in the
//! rasterizer) become errors about that input, never a crash.

use std::cell::Cell;

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// True while a panic is being caught and turned into an error, so a panic
/// hook can stay quiet about it.
pub fn in_guarded_section() -> bool {
    GUARDED.with(|g| g.get())
}

/// Runs `f`, turning a panic into None.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    let outer = GUARDED.with(|g| g.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    GUARDED.with(|g| g.set(outer));
    result
}
