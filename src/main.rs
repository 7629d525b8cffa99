//! The `piagam` command: a thin face over the library.

mod cli;

fn main() {
    // A panic is a defect in piagam, never the user's fault: say so in one
    // line. Panics that the library catches and turns into errors (a
    // damaged font in the shaper) stay quiet.
    std::panic::set_hook(Box::new(|info| {
        if !piagam::in_guarded_section() {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "piagam: internal error: {info}; please report this"
            );
        }
    }));
    // A write past a file-size limit fails with an error to report, instead
    // of killing the process halfway through a batch.
    #[cfg(unix)]
    // SAFETY: ignoring SIGXFSZ changes no memory; it only turns the signal
    // into an EFBIG error from write.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    // Tests that kill a run while it moves files into place slow it down.
    if let Some(ms) = std::env::var("PIAGAM_TEST_MOVE_PAUSE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        piagam::pause_between_moves_for_tests(std::time::Duration::from_millis(ms));
    }
    std::process::exit(cli::run());
}
