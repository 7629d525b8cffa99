//! The studio page's modules under Node: its label table and helpers.

use std::process::Command;

#[test]
fn the_page_modules_pass_under_node() {
    let out = Command::new("node")
        .args(["--test", "src/page/test/"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| {
            panic!("node is not installed ({e}): apt-get install nodejs, or run bash .ci/run")
        });
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("# fail 0"), "{text}");
    assert!(!text.contains("# pass 0"), "no test ran: {text}");
}
