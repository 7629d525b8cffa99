//! The progress bar of a long run: on a terminal only, never in a log.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use piagam::generate::Progress;

/// A bar with count, rate and time left, drawn to standard error when it
/// is a terminal and `--quiet` is not given; otherwise nothing.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        // Until the first document is written, the roster is being checked
        // and laid out: a spinner says so.
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
            bar.set_style(style);
        }
        bar.set_message("checking, signing and laying out every row");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Bar(Some(bar))
    }
}

/// Count, rate as whole documents a second, and time left.
fn bar_style() -> Option<ProgressStyle> {
    // The template is fixed and valid; a failure would only lose the style.
    let style =
        ProgressStyle::with_template("{bar:32} {pos}/{len} documents  {rate}  {eta} left").ok()?;
    Some(style.with_key(
        "rate",
        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}/s", state.per_sec());
        },
    ))
}

impl Progress for Bar {
    fn start(&self, documents: usize) {
        if let Some(bar) = &self.0 {
            bar.disable_steady_tick();
            if let Some(style) = bar_style() {
                bar.set_style(style);
            }
            bar.set_length(documents as u64);
            bar.set_position(0);
            // Rate and time left count from here, not from the start.
            bar.reset_elapsed();
            bar.reset_eta();
        }
    }

    fn advance(&self, documents: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(documents as u64);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
