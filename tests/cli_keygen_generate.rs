//! keygen and generate through the binary, with their documented flags.

mod common;

use common::*;

#[test]
fn keygen_writes_a_private_pem_and_a_public_jwks_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kunci");
    let out = run_piagam(&[
        "keygen",
        "--issuer",
        "Dinas Kominfo Contoh",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The private key never goes to stdout or stderr.
    let pem = std::fs::read_to_string(dir.join("issuer.key.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let body = pem.lines().nth(1).unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains(body));
    assert!(out.stdout.is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("issuer.key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let jwks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("issuer.jwks.json")).unwrap())
            .unwrap();
    assert_eq!(jwks["issuer"], "Dinas Kominfo Contoh");
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["kid"].as_str().unwrap().len(), 16);
    assert!(key.get("d").is_none(), "the JWKS must hold no private part");

    // A second keygen into the same folder is refused and changes nothing.
    let out = run_piagam(&["keygen", "--issuer", "Lain", "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never overwrites"));
    assert_eq!(
        std::fs::read_to_string(dir.join("issuer.key.pem")).unwrap(),
        pem
    );
}

#[test]
fn generate_with_a_fresh_key_writes_verifiable_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("kunci");
    keygen(&keys, "Panitia Contoh");
    let out_dir = tmp.path().join("hasil");
    let roster = repo().join("examples/adlga-2024.csv");
    let template = repo().join("templates/piagam");
    let out = run_piagam(&[
        "generate",
        "--roster",
        roster.to_str().unwrap(),
        "--template",
        template.to_str().unwrap(),
        "--key",
        keys.join("issuer.key.pem").to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--verify-url",
        "https://contoh.example/cek",
        "--register",
        tmp.path().join("register.sqlite").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = read_manifest(&out_dir);
    assert_eq!(manifest.len(), 20);
    assert_eq!(manifest[0].serial, "001/ALDPD/VIII/2024");
    for row in &manifest {
        assert!(row.qr_text.starts_with("https://contoh.example/cek#"));
        assert!(out_dir.join(&row.file).is_file());
    }
    assert_eq!(
        std::fs::read(out_dir.join("issuer.jwks.json")).unwrap(),
        std::fs::read(keys.join("issuer.jwks.json")).unwrap()
    );
    let out = run_piagam(&[
        "verify",
        "--lang",
        "en",
        "--trust",
        keys.join("issuer.jwks.json").to_str().unwrap(),
        &manifest[8].qr_text,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report = stdout_of(&out);
    assert!(report.starts_with("VALID"), "{report}");
    assert!(report.contains("Panitia Contoh"));
    assert!(report.contains("Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro"));
}

#[test]
fn generate_refuses_a_key_others_can_read() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("kunci");
    keygen(&keys, "X");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = keys.join("issuer.key.pem");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out_dir = tmp.path().join("hasil");
        let out = run_piagam(&[
            "generate",
            "--roster",
            repo().join("examples/adlga-2024.csv").to_str().unwrap(),
            "--template",
            repo().join("templates/piagam").to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--no-register",
        ]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("chmod 600"), "{err}");
        assert!(!out_dir.exists(), "nothing is written on error");
    }
}

#[test]
fn a_bad_roster_row_stops_everything_and_names_the_row() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("kunci");
    keygen(&keys, "X");
    let roster = tmp.path().join("pemenang.csv");
    std::fs::write(
        &roster,
        "nama;prestasi\nKota A;Juara Pertama\n;Juara Kedua\nKota \u{202E}C;Harapan\n",
    )
    .unwrap();
    std::fs::copy(
        repo().join("examples/piagam.toml"),
        tmp.path().join("piagam.toml"),
    )
    .unwrap();
    let out_dir = tmp.path().join("hasil");
    let out = run_piagam(&[
        "generate",
        "--roster",
        roster.to_str().unwrap(),
        "--template",
        repo().join("templates/piagam").to_str().unwrap(),
        "--key",
        keys.join("issuer.key.pem").to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let r = roster.display();
    assert!(
        err.contains(&format!("{r}:3:nama: this required field is empty")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{r}:4:nama: contains the invisible character U+202E (right-to-left override)"
        )),
        "{err}"
    );
    assert!(!out_dir.exists());
}

#[test]
fn a_rerun_never_replaces_a_document_that_changed_since() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("kunci");
    keygen(&keys, "X");
    let out_dir = tmp.path().join("hasil");
    let roster = repo().join("examples/adlga-2024.csv");
    let template = repo().join("templates/piagam");
    let key = keys.join("issuer.key.pem");
    let register = tmp.path().join("register.sqlite");
    let args = [
        "generate",
        "--roster",
        roster.to_str().unwrap(),
        "--template",
        template.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--register",
        register.to_str().unwrap(),
    ];
    assert!(run_piagam(&args).status.success());
    // The same inputs again: nothing changes, so it succeeds.
    assert!(run_piagam(&args).status.success());
    // Someone signs a charter (here: any change to its bytes).
    let manifest = read_manifest(&out_dir);
    let signed = out_dir.join(&manifest[4].file);
    let mut bytes = std::fs::read(&signed).unwrap();
    bytes.extend_from_slice(b"\n% signed later\n");
    std::fs::write(&signed, &bytes).unwrap();
    let out = run_piagam(&args);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("never replaces a document that may have been signed"),
        "{err}"
    );
    assert!(err.contains(&manifest[4].file), "{err}");
    assert_eq!(
        std::fs::read(&signed).unwrap(),
        bytes,
        "the signed file is untouched"
    );
    // Only when told.
    let mut forced = args.to_vec();
    forced.push("--overwrite");
    assert!(run_piagam(&forced).status.success());
    assert_ne!(std::fs::read(&signed).unwrap(), bytes);
}

/// A key that could sign nothing is not made; a document dated outside
/// its key's window is refused before anything is written (its seal would
/// never verify).
#[test]
fn key_windows_are_checked_when_the_key_is_made_and_when_it_signs() {
    let tmp = tempfile::tempdir().unwrap();
    let keygen_with = |dir: &str, window: &[&str]| {
        let mut args = vec!["keygen", "--issuer", "Dinas", "--out"];
        let path = tmp.path().join(dir);
        let path = path.to_str().unwrap().to_owned();
        args.push(&path);
        args.extend_from_slice(window);
        let out = run_piagam(&args);
        (out, tmp.path().join(dir))
    };
    let (over, dir) = keygen_with("lama", &["--not-after", "2020-12-31"]);
    assert_eq!(over.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&over.stderr)
            .contains("valid only until 2020-12-31, which is already past"),
        "{}",
        String::from_utf8_lossy(&over.stderr)
    );
    assert!(!dir.exists() || !dir.join("issuer.key.pem").exists());
    let (empty, _) = keygen_with(
        "kosong",
        &["--not-before", "2031-01-01", "--not-after", "2030-01-01"],
    );
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("the first date comes after the last"));

    // A key valid from 2030: the sample roster's charters are dated 2024.
    let (made, dir) = keygen_with("baru", &["--not-before", "2030-01-01"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let out_dir = tmp.path().join("hasil");
    let out = run_piagam(&[
        "generate",
        "--roster",
        s(&repo().join("examples/adlga-2024.csv")),
        "--template",
        s(&repo().join("templates/piagam")),
        "--key",
        s(&dir.join("issuer.key.pem")),
        "--out",
        s(&out_dir),
        "--no-register",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the document is dated 2024-08-01, outside the dates the signing key may sign for (2030-01-01 to …)"),
        "{err}"
    );
    assert!(!out_dir.exists() || document_pdfs(&out_dir).is_empty());
}

/// `chmod 600` is asked only of a file that is a private key: a JWKS or a
/// text file given as the key is named for what it is.
#[test]
fn only_a_private_key_is_asked_to_be_kept_private() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(&tmp.path().join("kunci"), "Dinas Contoh");
    let jwks = key.with_file_name("issuer.jwks.json");
    let generate = |key: &std::path::Path| {
        run_piagam(&[
            "generate",
            "--roster",
            s(&repo().join("examples/adlga-2024.csv")),
            "--template",
            s(&repo().join("templates/piagam")),
            "--key",
            s(key),
            "--jwks",
            s(&jwks),
            "--out",
            s(&tmp.path().join("hasil")),
            "--no-register",
        ])
    };
    let wrong = generate(&jwks);
    assert_eq!(wrong.status.code(), Some(2));
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(!err.contains("chmod"), "{err}");
    assert!(err.contains("private key cannot be read"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let open = generate(&key);
        assert_eq!(open.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&open.stderr).contains("chmod 600"));
    }
}
