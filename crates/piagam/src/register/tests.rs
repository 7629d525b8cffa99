use super::*;

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn wanted(slot: &str, recipient: &str, pattern: &str, on: &str) -> Wanted {
    Wanted {
        identity: identity(
            slot,
            None,
            [recipient, "Juara Pertama", "Kota", "Anugerah"],
            date(on).year(),
        ),
        slot: slot.into(),
        roster: "pemenang.csv".into(),
        row: 2,
        recipient: recipient.into(),
        pattern: crate::numbering::SerialPattern::for_kind(pattern, slot).unwrap(),
        period: String::new(),
        date: date(on),
        kind: slot.into(),
        nomor: None,
        fallback_seq: 1,
        start: 1,
    }
}

/// Claims that differ per serial and per recipient, as real ones do.
fn claims_for(w: &Wanted, serial: &str) -> crate::seal::Claims {
    crate::seal::Claims {
        serial: serial.to_owned(),
        kind: w.kind.clone(),
        recipient: w.identity.to_string(),
        achievement: "Juara".into(),
        event: "Anugerah".into(),
        date: w.date,
        place: None,
        extra: Default::default(),
        valid_until: None,
        labels: Default::default(),
        shown: Default::default(),
    }
}

fn claims_of(wanted: &[Wanted]) -> impl Fn(usize, &str) -> Vec<u8> + '_ {
    move |i, serial| claims_for(&wanted[i], serial).to_bytes()
}

fn record(w: &Wanted, a: &Assigned) -> Record {
    Record {
        serial: a.serial.clone(),
        seq: a.counter.as_ref().map(|_| a.seq),
        pattern: a.counter.as_ref().map(|c| c.0.clone()),
        period: a.counter.as_ref().map(|c| c.1.clone()),
        identity: w.identity.clone(),
        kind: w.kind.clone(),
        recipient: "x".into(),
        kid: "00".into(),
        claims_json: "{}".into(),
        claims_cbor: claims_for(w, &a.serial).to_bytes(),
        seal_sha256: "00".into(),
        roster: w.roster.clone(),
        roster_row: w.row,
        supersedes: a.supersedes.clone(),
    }
}

/// Numbers `wanted` from the register and issues them, as a run does.
fn issue_all(register: &mut Register, wanted: &[Wanted]) -> Vec<Assigned> {
    issue_with(register, wanted, Corrections::Ask)
}

fn issue_with(
    register: &mut Register,
    wanted: &[Wanted],
    corrections: Corrections,
) -> Vec<Assigned> {
    let book = register.book().unwrap();
    let assignment = book.assign(wanted, claims_of(wanted), corrections);
    assert!(
        assignment.proposals.is_empty(),
        "{:?}",
        assignment.proposals
    );
    let assigned: Vec<Assigned> = assignment
        .assigned
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let records: Vec<Record> = wanted
        .iter()
        .zip(&assigned)
        .map(|(w, a)| record(w, a))
        .collect();
    register
        .reserve(&records, &counters_after(&records))
        .unwrap();
    register.issue(&records).unwrap();
    assigned
}

fn serials(assigned: &[Assigned]) -> Vec<&str> {
    assigned.iter().map(|a| a.serial.as_str()).collect()
}

#[test]
fn patterns_draw_from_counters_kept_in_the_register() {
    let tmp = tempfile::tempdir().unwrap();
    let mut register = Register::open(&tmp.path().join(REGISTER_FILE)).unwrap();
    let pattern = "{seq:03}/ADLGA/{month_roman}/{year}";
    let first = vec![
        wanted("piagam", "Kota A", pattern, "2024-08-01"),
        wanted("piagam", "Kota B", pattern, "2024-08-01"),
    ];
    assert_eq!(
        serials(&issue_all(&mut register, &first)),
        ["001/ADLGA/VIII/2024", "002/ADLGA/VIII/2024"]
    );
    // A later run goes on from the register's counter, whatever its roster.
    let later = vec![wanted("piagam", "Kota C", pattern, "2024-09-01")];
    assert_eq!(
        serials(&issue_all(&mut register, &later)),
        ["003/ADLGA/IX/2024"]
    );
}

#[test]
fn documents_sharing_a_pattern_share_its_counter_in_print_order() {
    let tmp = tempfile::tempdir().unwrap();
    let mut register = Register::open(&tmp.path().join(REGISTER_FILE)).unwrap();
    let shared = "{seq:03}/ADLGA/{year}";
    let own = "{seq:03}/{kind}/{year}";
    let run = vec![
        wanted("piagam", "Kota A", shared, "2024-08-01"),
        wanted("piagam", "Kota B", shared, "2024-08-01"),
        wanted("sertifikat", "Kota A", shared, "2024-08-01"),
        wanted("sertifikat", "Kota B", shared, "2024-08-01"),
        wanted("plakat", "Kota A", own, "2024-08-01"),
    ];
    assert_eq!(
        serials(&issue_all(&mut register, &run)),
        [
            "001/ADLGA/2024",
            "002/ADLGA/2024",
            "003/ADLGA/2024",
            "004/ADLGA/2024",
            "001/plakat/2024"
        ]
    );
}

#[test]
fn a_yearly_counter_starts_again_each_year_and_numbers_are_never_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut register = Register::open(&tmp.path().join(REGISTER_FILE)).unwrap();
    let pattern = "{seq:03}/ADLGA/{year}";
    let yearly = |name: &str, on: &str| Wanted {
        period: on[..4].to_owned(),
        ..wanted("piagam", name, pattern, on)
    };
    let run = vec![
        yearly("Kota A", "2024-12-30"),
        yearly("Kota B", "2025-01-02"),
        yearly("Kota C", "2024-12-31"),
        yearly("Kota D", "2025-01-03"),
    ];
    assert_eq!(
        serials(&issue_all(&mut register, &run)),
        [
            "001/ADLGA/2024",
            "001/ADLGA/2025",
            "002/ADLGA/2024",
            "002/ADLGA/2025"
        ]
    );
    // Revoked, its number stays spent.
    register
        .revoke(&["002/ADLGA/2025".into()], "ganda", date("2025-02-01"))
        .unwrap();
    let next = vec![yearly("Kota E", "2025-02-02")];
    assert_eq!(
        serials(&issue_all(&mut register, &next)),
        ["003/ADLGA/2025"]
    );
    // A serial given by hand (`nomor`) is skipped by the counter too.
    let mut by_hand = yearly("Kota F", "2025-02-02");
    by_hand.nomor = Some("004/ADLGA/2025".into());
    issue_all(&mut register, &[by_hand]);
    let after = vec![yearly("Kota G", "2025-02-03")];
    assert_eq!(
        serials(&issue_all(&mut register, &after)),
        ["005/ADLGA/2025"]
    );
}

#[test]
fn a_rerun_keeps_serials_and_a_changed_record_supersedes_its_old_document() {
    let tmp = tempfile::tempdir().unwrap();
    let mut register = Register::open(&tmp.path().join(REGISTER_FILE)).unwrap();
    let pattern = "{seq:03}/X";
    let run = vec![
        wanted("piagam", "Kota Semarng", pattern, "2024-08-01"),
        wanted("piagam", "Kota Bandung", pattern, "2024-08-01"),
    ];
    issue_all(&mut register, &run);
    // Sorted the other way: the same serials, nothing new.
    let sorted: Vec<Wanted> = run.iter().rev().cloned().collect();
    let again = issue_all(&mut register, &sorted);
    assert_eq!(serials(&again), ["002/X", "001/X"]);
    assert!(again.iter().all(|a| a.kept));
    assert_eq!(register.entries().unwrap().len(), 2);
    // The name's spelling corrected: a new document replaces the old.
    let fixed = vec![
        wanted("piagam", "Kota Semarang", pattern, "2024-08-01"),
        wanted("piagam", "Kota Bandung", pattern, "2024-08-01"),
    ];
    // It may be another winner: nothing is replaced until the organizer says.
    let asked = register
        .book()
        .unwrap()
        .assign(&fixed, claims_of(&fixed), Corrections::Ask);
    assert_eq!(
        asked.proposals,
        [Proposal {
            old_serial: "001/X".into(),
            old_recipient: "x".into(),
            new_recipient: "Kota Semarang".into(),
            kind: "piagam".into(),
            roster: "pemenang.csv".into(),
            row: 2,
        }]
    );
    let corrected = issue_with(&mut register, &fixed, Corrections::Accept);
    assert_eq!(corrected[0].serial, "003/X");
    assert_eq!(corrected[0].supersedes, ["001/X"]);
    assert!(corrected[1].kept);
    let old = register
        .entries()
        .unwrap()
        .into_iter()
        .find(|e| e.serial == "001/X")
        .unwrap();
    assert_eq!(old.status, Status::Superseded);
    assert_eq!(old.superseded_by.as_deref(), Some("003/X"));
    let withdrawn = register.withdrawn().unwrap();
    assert_eq!(withdrawn.len(), 1);
    assert_eq!(withdrawn[0].reason, "superseded by 003/X");
    // A different winner in its place is not a correction of it.
    let other = vec![wanted("piagam", "Kabupaten Toba", pattern, "2024-08-01")];
    let new = issue_all(&mut register, &other);
    assert!(new[0].supersedes.is_empty());
}

#[test]
fn clashes_and_revoked_records_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let mut register = Register::open(&tmp.path().join(REGISTER_FILE)).unwrap();
    let pattern = "{seq:03}/X";
    issue_all(
        &mut register,
        &[wanted("piagam", "Kota A", pattern, "2024-08-01")],
    );
    register
        .revoke(&["001/X".into()], "salah", date("2024-09-01"))
        .unwrap();
    let mut taken = wanted("piagam", "Kota B", pattern, "2024-08-01");
    taken.nomor = Some("001/X".into());
    let run = vec![
        wanted("piagam", "Kota A", pattern, "2024-08-01"),
        taken,
        wanted("piagam", "Kota C", pattern, "2024-08-01"),
        wanted("piagam", "Kota C", pattern, "2024-08-01"),
    ];
    let book = register.book().unwrap();
    let assigned = book
        .assign(&run, claims_of(&run), Corrections::Ask)
        .assigned;
    let err = |i: usize| assigned[i].clone().unwrap_err();
    assert!(
        err(0).contains("was revoked on 2024-09-01 (salah) as 001/X"),
        "{}",
        err(0)
    );
    assert!(
        err(1).contains("serial 001/X is already given"),
        "{}",
        err(1)
    );
    assert!(assigned[2].is_ok());
    assert!(
        err(3).contains("row 2 describes the same piagam"),
        "{}",
        err(3)
    );
}

#[test]
fn identities_ignore_case_and_spacing_and_an_id_column_wins() {
    assert_eq!(
        identity("piagam", None, ["Kota  Semarang ", "Juara", "", "E"], 2024),
        identity("piagam", None, ["kota semarang", "JUARA", "", "E"], 2024)
    );
    assert_ne!(
        identity("piagam", None, ["Kota Semarang", "Juara", "", "E"], 2024),
        identity(
            "sertifikat",
            None,
            ["Kota Semarang", "Juara", "", "E"],
            2024
        )
    );
    assert_eq!(
        identity(
            "piagam",
            Some("A-17"),
            ["Kota Semarang", "Juara", "", "E"],
            2024
        ),
        identity(
            "piagam",
            Some("a-17"),
            ["Kota Semarng", "Harapan", "", "E"],
            2024
        )
    );
    let id = |name: &str, year| identity("piagam", None, [name, "Juara", "Kota", "E"], year);
    let fixed = Some(Relation::NameFixed);
    assert_eq!(
        relation(&id("Kota Semarng", 2024), &id("Kota Semarang", 2024)),
        fixed
    );
    assert_eq!(
        relation(&id("Kota Bogor", 2024), &id("Kabupaten Toba", 2024)),
        None
    );
    // The audit's case: a shared "Pemerintah Kota " makes no two cities one.
    assert_eq!(
        relation(
            &id("Pemerintah Kota Semarang", 2024),
            &id("Pemerintah Kota Samarinda", 2024)
        ),
        None
    );
    assert_eq!(
        relation(&id("Kota Surabaya", 2024), &id("Kota Surakarta", 2024)),
        None
    );
    assert_eq!(relation(&id("Kota A", 2024), &id("Kota E", 2024)), None);
    // Next year's award to the same winner is another document.
    assert_ne!(id("Kota Semarang", 2024), id("Kota Semarang", 2025));
    assert_eq!(
        relation(&id("Kota Semarng", 2024), &id("Kota Semarang", 2025)),
        None
    );
    // The same winner with another rank is the same winner.
    let ranked = |rank: &str| identity("piagam", None, ["Kota Bogor", rank, "Kota", "E"], 2024);
    assert_eq!(
        relation(&ranked("Juara Kedua"), &ranked("Juara Pertama")),
        Some(Relation::SameRecipient)
    );
    // A name and a rank changed together are another document.
    assert_eq!(
        relation(
            &identity(
                "piagam",
                None,
                ["Kota Bogr", "Juara Kedua", "Kota", "E"],
                2024
            ),
            &ranked("Juara Pertama")
        ),
        None
    );
}

#[test]
fn a_changed_rank_replaces_on_its_own_and_two_candidates_replace_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut register = Register::open(&tmp.path().join(REGISTER_FILE)).unwrap();
    let pattern = "{seq:03}/X";
    let with = |recipient: &str, achievement: &str| {
        let mut w = wanted("piagam", recipient, pattern, "2024-08-01");
        w.identity = identity(
            "piagam",
            None,
            [recipient, achievement, "Kota", "Anugerah"],
            2024,
        );
        w
    };
    issue_all(
        &mut register,
        &[
            with("Kota Bogor", "Juara Kedua"),
            with("Kota Batu", "Harapan"),
        ],
    );
    // Bogor's rank fixed: the same recipient, so its old charter is replaced.
    let run = [
        with("Kota Bogor", "Juara Pertama"),
        with("Kota Batu", "Harapan"),
    ];
    let fixed = issue_all(&mut register, &run);
    assert_eq!(fixed[0].supersedes, ["001/X"]);
    assert!(fixed[1].kept);
    // Two rows that could each be a correction of Kota Batu's: no proposal,
    // nothing replaced, whatever the organizer passes.
    let run = [
        with("Kota Bogor", "Juara Pertama"),
        with("Kota Bantu", "Harapan"),
        with("Kota Batuu", "Harapan"),
    ];
    let book = register.book().unwrap();
    for corrections in [Corrections::Ask, Corrections::Accept] {
        let assignment = book.assign(&run, claims_of(&run), corrections);
        assert!(assignment.proposals.is_empty());
        assert!(assignment
            .assigned
            .iter()
            .all(|a| a.as_ref().unwrap().supersedes.is_empty()));
    }
    // Rejected, a proposed correction is a new document beside the old.
    let run = [
        with("Kota Bogor", "Juara Pertama"),
        with("Kota Batuu", "Harapan"),
    ];
    let new = issue_with(&mut register, &run, Corrections::Reject);
    assert!(new[1].supersedes.is_empty() && !new[1].kept);
    let batu = register
        .entries()
        .unwrap()
        .into_iter()
        .find(|e| e.serial == "002/X")
        .unwrap();
    assert_eq!(batu.status, Status::Issued);
}

#[test]
fn the_audit_finishes_interrupted_runs_and_reports_missing_files() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(REGISTER_FILE);
    let mut register = Register::open(&path).unwrap();
    let run = vec![
        wanted("piagam", "Kota A", "{seq}", "2024-08-01"),
        wanted("piagam", "Kota B", "{seq}", "2024-08-01"),
    ];
    let book = register.book().unwrap();
    let assigned = book
        .assign(&run, claims_of(&run), Corrections::Ask)
        .assigned;
    let records: Vec<Record> = run
        .iter()
        .zip(assigned)
        .map(|(w, a)| record(w, &a.unwrap()))
        .collect();
    register
        .reserve(&records, &counters_after(&records))
        .unwrap();
    // Killed after the first file was in place, before it was issued.
    let file = tmp.path().join("hasil/1.pdf");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, b"%PDF-1").unwrap();
    let sha = hex(&crate::fsio::file_sha256(&file).unwrap());
    register
        .record_files(&[
            ("1".into(), register.record_path(&file), sha),
            ("2".into(), "hasil/2.pdf".into(), "00".into()),
        ])
        .unwrap();
    let findings = register.audit(true).unwrap();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(findings[0].kind, FindingKind::Repaired);
    assert_eq!(findings[0].serial.as_deref(), Some("1"));
    assert_eq!(findings[1].kind, FindingKind::Problem);
    assert!(findings[1].message.contains("run generate again"));
    let entries = register.entries().unwrap();
    assert_eq!(entries[0].status, Status::Issued);
    assert_eq!(entries[0].files[0].0, "hasil/1.pdf");
    assert_eq!(entries[1].status, Status::Reserved);
    // The file changed since it was issued.
    std::fs::write(&file, b"%PDF-2").unwrap();
    let findings = register.audit(true).unwrap();
    assert!(findings.iter().any(|f| f.message.contains("has changed")));
}

#[test]
fn the_schema_is_versioned_and_a_newer_one_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(REGISTER_FILE);
    drop(Register::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    assert_eq!(schema::version(&conn).unwrap(), SCHEMA_VERSION);
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = Register::open(&path).unwrap_err().to_string();
    assert!(err.contains("newer piagam"), "{err}");
    let err = Register::open_read_only(&path).unwrap_err().to_string();
    assert!(err.contains("newer piagam"), "{err}");
}

#[test]
fn a_second_writer_is_refused_naming_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(REGISTER_FILE);
    let first = Register::open(&path).unwrap();
    let err = Register::open(&path).unwrap_err().to_string();
    assert!(
        err.contains(&format!("(process {})", std::process::id())),
        "{err}"
    );
    // Readers are never blocked.
    assert!(Register::open_read_only(&path).unwrap().is_some());
    drop(first);
    Register::open(&path).unwrap();
}

#[test]
fn a_reservation_that_would_reuse_a_serial_for_another_document_aborts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut register = Register::open(&tmp.path().join(REGISTER_FILE)).unwrap();
    let pattern = "{seq:03}/X";
    let first = [wanted("piagam", "Kota A", pattern, "2024-08-01")];
    let assigned = issue_all(&mut register, &first);
    // Another run, numbered from the register before the first wrote to it.
    let other = wanted("piagam", "Kota B", pattern, "2024-08-01");
    let clash = record(&other, &assigned[0]);
    let err = register
        .reserve(&[clash], &counters_after(&[]))
        .unwrap_err();
    assert!(
        matches!(&err, RegisterError::SerialClash { serial, .. } if serial == "001/X"),
        "{err}"
    );
    assert_eq!(register.entries().unwrap().len(), 1, "nothing reserved");
    // The first run's own rerun is no clash.
    let again = record(&first[0], &assigned[0]);
    assert_eq!(register.reserve(&[again], &[]).unwrap(), 0);
}

#[test]
fn a_version_1_register_gains_the_messages_table_and_keeps_its_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(REGISTER_FILE);
    drop(Register::open(&path).unwrap());
    // Back to version 1, as a register made before `send` was.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE messages; INSERT INTO meta (key, value) VALUES ('kept', 'yes')")
        .unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    drop(conn);
    // Reading only does not migrate: it asks for a run that writes.
    let err = Register::open_read_only(&path).unwrap_err().to_string();
    assert!(err.contains("older"), "{err}");
    let register = Register::open(&path).unwrap();
    assert_eq!(register.meta("kept").unwrap().as_deref(), Some("yes"));
    let id = register
        .start_message(
            &["001/A".to_owned(), "001/B".to_owned()],
            "humas@kab.go.id",
            "<m@x>",
        )
        .unwrap();
    register
        .settle_message(id, super::Delivery::Refused, "550 no such mailbox")
        .unwrap();
    let id = register
        .start_message(
            &["001/A".to_owned(), "001/B".to_owned()],
            "humas@kab.go.id",
            "<m@x>",
        )
        .unwrap();
    register
        .settle_message(id, super::Delivery::Accepted, "250 ok")
        .unwrap();
    // The latest try of each message is what counts.
    let messages = register.messages().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].serials, ["001/A", "001/B"]);
    assert_eq!(messages[0].delivery, super::Delivery::Accepted);
    assert_eq!(messages[0].answer, "250 ok");
}
