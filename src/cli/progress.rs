//! The progress bar of a long run: on a terminal only, never in a log.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use piagam::generate::Progress;

/// A bar with count, rate and time left, drawn to standard error when it
/// is a terminal and `--quiet` is not given; otherwise nothing.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        // The template is fixed and valid; a failure would only lose the style.
        if let Ok(style) =
            ProgressStyle::with_template("{bar:32} {pos}/{len} documents  {per_sec}  {eta} left")
        {
            bar.set_style(style);
        }
        Bar(Some(bar))
    }
}

impl Progress for Bar {
    fn start(&self, documents: usize) {
        if let Some(bar) = &self.0 {
            bar.set_length(documents as u64);
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
