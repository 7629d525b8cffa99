//! Rosters as organizers really have them. Fixtures are made here, in code.

mod common;

use std::path::{Path, PathBuf};

use common::{fuzz_iterations, Rng};

use piagam::roster::{read_roster, Record, RosterOptions};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn problems(path: &Path, options: &RosterOptions) -> Vec<String> {
    let roster = read_roster(path, options).unwrap();
    roster.problems.iter().map(|p| p.to_string()).collect()
}

const NAMES: [&str; 5] = [
    "Dr. dr. H. Muhammad Ma’ruf, S.Kom., M.T.I.",
    "Nguyễn Thị Ánh",
    "Sukarno",
    "Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Semarang",
    "José Ramírez",
];

#[test]
fn excel_semicolon_csv_with_bom_and_crlf() {
    let tmp = tempfile::tempdir().unwrap();
    // As Excel on an Indonesian-locale PC saves "CSV UTF-8": BOM, ';', CRLF,
    // quotes around cells holding ';' or line breaks, trailing empty columns.
    let mut text = String::from("\u{FEFF}No;Nama ;PRESTASI;Kategori;Tanggal;NIP;;\r\n");
    text.push_str("1;Dr. dr. H. Muhammad Ma’ruf, S.Kom., M.T.I.;Juara Pertama;Kota;2024-08-01;197001011995031001;;\r\n");
    text.push_str("2;\"Nguyễn  Thị Ánh\";Juara Kedua;Kota;1 Agustus 2024;;;\r\n");
    // "José" typed with a combining acute accent (NFD).
    text.push_str("3;  Jose\u{0301} Ramírez ;\"Juara; Ketiga\";Kota;;;;\r\n");
    text.push_str("4;Sukarno;\"Harapan \"\"Satu\"\"\";Kabupaten;;;;\r\n");
    text.push_str("5;\"Dinas Komunikasi, Informatika,\r\nStatistik dan Persandian Kota Semarang\";Harapan;Kota;;;;\r\n");
    text.push_str(";;;;;;;\r\n;;;;;;;\r\n");
    let path = write(tmp.path(), "pemenang.csv", text.as_bytes());
    let roster = read_roster(&path, &RosterOptions::default()).unwrap();
    assert_eq!(roster.problems, vec![]);
    // "No" counts rows: it is neither the serial nor a printable column.
    assert_eq!(roster.warnings.len(), 1, "{:?}", roster.warnings);
    assert_eq!(
        roster.warnings[0],
        piagam::Warning::CounterColumn {
            roster: path.clone(),
            column: "No".into()
        }
    );
    assert!(roster.warnings[0]
        .to_string()
        .contains("column 'No' looks like a row counter and is ignored"));
    let r = &roster.records;
    assert_eq!(r.len(), 5);
    assert_eq!(r[0].recipient, NAMES[0]);
    assert_eq!(r[0].serial, None);
    assert!(!r[0].extra.contains_key("No"));
    assert_eq!(
        r[0].extra.get("NIP").map(String::as_str),
        Some("197001011995031001")
    );
    assert_eq!(
        r[0].date.map(|d| d.to_string()).as_deref(),
        Some("2024-08-01")
    );
    assert_eq!(r[1].recipient, "Nguyễn Thị Ánh");
    assert_eq!(
        r[1].date.map(|d| d.to_string()).as_deref(),
        Some("2024-08-01")
    );
    assert_eq!(r[2].recipient, "José Ramírez");
    assert_eq!(
        r[2].recipient, NAMES[4],
        "decomposed input is stored as NFC"
    );
    assert_eq!(r[2].achievement, "Juara; Ketiga");
    assert_eq!(r[3].achievement, "Harapan \"Satu\"");
    assert_eq!(r[3].category.as_deref(), Some("Kabupaten"));
    assert_eq!(r[4].recipient, NAMES[3]);
    // Spreadsheet rows: the multi-line cell is still one row.
    let rows: Vec<usize> = r.iter().map(|x| x.row).collect();
    assert_eq!(rows, vec![2, 3, 4, 5, 6]);
}

#[test]
fn windows_1252_csv_is_read_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = b"nama,prestasi\r\n".to_vec();
    bytes.extend_from_slice(b"Muhammad Ma\x92ruf,Juara Pertama\r\n");
    bytes.extend_from_slice(b"Andr\xe9 \x96 Caf\xe9,Harapan\r\n");
    let path = write(tmp.path(), "ansi.csv", &bytes);
    let roster = read_roster(&path, &RosterOptions::default()).unwrap();
    assert_eq!(roster.records[0].recipient, "Muhammad Ma’ruf");
    assert_eq!(roster.records[1].recipient, "André – Café");
    assert_eq!(roster.warnings.len(), 1);
    assert_eq!(
        roster.warnings[0],
        piagam::Warning::NotUtf8 {
            roster: path.clone()
        }
    );
    assert!(roster.warnings[0].to_string().starts_with(&format!(
        "{}: not UTF-8; read as Windows-1252",
        path.display()
    )));
}

#[test]
fn xlsx_dates_text_nip_and_numeric_nip() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let tmp = tempfile::tempdir().unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Pemenang").unwrap();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for (col, h) in ["Nama", "Prestasi", "Tanggal", "NIP", "Nilai"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    // Row 2: a date cell, an 18-digit NIP typed as text, a whole number.
    sheet.write_string(1, 0, NAMES[0]).unwrap();
    sheet.write_string(1, 1, "Juara Pertama").unwrap();
    sheet
        .write_datetime_with_format(
            1,
            2,
            ExcelDateTime::from_ymd(2024, 8, 1).unwrap(),
            &date_format,
        )
        .unwrap();
    sheet.write_string(1, 3, "197001011995031001").unwrap();
    sheet.write_number(1, 4, 95.0).unwrap();
    // Row 3: the same NIP as a number: Excel has already lost its last digits.
    sheet.write_string(2, 0, NAMES[1]).unwrap();
    sheet.write_string(2, 1, "Juara Kedua").unwrap();
    sheet.write_number(2, 3, 197001011995031001.0).unwrap();
    sheet.write_number(2, 4, 87.5).unwrap();
    // Row 4: a 15-digit number is still exact.
    sheet.write_string(3, 0, "Sukarno").unwrap();
    sheet.write_string(3, 1, "Harapan").unwrap();
    sheet.write_number(3, 3, 197001011995031.0).unwrap();
    let path = tmp.path().join("pemenang.xlsx");
    book.save(&path).unwrap();

    let roster = read_roster(&path, &RosterOptions::default()).unwrap();
    let got: Vec<String> = roster.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        got,
        vec![format!(
            "{}:3:NIP: the number 197001011995031008 has more than 15 digits, so Excel has already changed its last digits; format the column as Text and type it again",
            path.display()
        )]
    );
    let r: &Vec<Record> = &roster.records;
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].row, 2);
    assert_eq!(r[0].recipient, NAMES[0]);
    assert_eq!(
        r[0].date.map(|d| d.to_string()).as_deref(),
        Some("2024-08-01")
    );
    assert_eq!(r[0].extra["NIP"], "197001011995031001");
    assert_eq!(r[0].extra["Nilai"], "95");
    assert_eq!(r[1].row, 4);
    assert_eq!(r[1].extra["NIP"], "197001011995031");

    // --sheet picks another sheet; a wrong name says which exist.
    let err = read_roster(
        &path,
        &RosterOptions {
            sheet: Some("Lain".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("no sheet named 'Lain' (sheets: Pemenang)"),
        "{err}"
    );
}

#[test]
fn json_array_of_objects() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write(
        tmp.path(),
        "pemenang.json",
        r#"[{"nama": "Nguyễn Thị Ánh", "prestasi": "Juara Pertama", "kategori": "Kota", "nip": 197001011995031001},
            {"name": "x", "achievement": "y"}]"#
            .as_bytes(),
    );
    let err = read_roster(&path, &RosterOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("a second column for 'recipient'"), "{err}");
    let path = write(
        tmp.path(),
        "ok.json",
        r#"[{"nama": "Nguyễn Thị Ánh", "prestasi": "Juara Pertama", "kategori": "Kota", "nip": 197001011995031001},
            {"nama": "Sukarno", "prestasi": "Harapan", "tanggal": "2024-08-17"}]"#
            .as_bytes(),
    );
    let roster = read_roster(&path, &RosterOptions::default()).unwrap();
    assert!(roster.problems.is_empty(), "{:?}", roster.problems);
    assert_eq!(roster.records[0].recipient, "Nguyễn Thị Ánh");
    assert_eq!(roster.records[0].extra["nip"], "197001011995031001");
    assert_eq!(roster.records[1].date.unwrap().to_string(), "2024-08-17");
    assert_eq!(roster.records[1].row, 2);
}

#[test]
fn every_problem_is_reported_at_once_with_its_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "nama;prestasi;kategori;tanggal\n\
                Kota A;Juara Pertama;Kota;2024-08-01\n\
                ;Juara Kedua;Kota;\n\
                Kota \u{202E}B;Harapan;Kota;\n\
                Kota A;Juara Pertama;Kota;\n\
                Kota C;Harapan;Kota;01/08/2024\n\
                Kota D;Harapan;Kota;2024-02-30\n\
                Kota E;Harapan;Kota;;surplus\n\
                Kota\u{200B}F;Harapan;Kota;\n";
    let path = write(tmp.path(), "salah.csv", text.as_bytes());
    let f = path.display();
    assert_eq!(
        problems(&path, &RosterOptions::default()),
        vec![
            format!("{f}:3:nama: this required field is empty"),
            format!("{f}:4:nama: contains the invisible character U+202E (right-to-left override), which can disguise text; retype the cell"),
            format!("{f}:5:nama: 'Kota A' already receives 'Juara Pertama' (Kota) in row 2"),
            format!("{f}:6:tanggal: '01/08/2024' is ambiguous (day/month or month/day?); write 2024-08-01 or declare date_format = \"DD/MM/YYYY\" under [roster] in piagam.toml"),
            format!("{f}:7:tanggal: '2024-02-30' is not a date (write it as 2024-08-01 or 1 Agustus 2024)"),
            format!("{f}:8: too many cells: column 5 has a value but the header has 4 columns"),
            format!("{f}:9:nama: contains the invisible character U+200B (zero-width space), which can disguise text; retype the cell"),
        ]
    );
    // With the order declared, the ambiguous date is read as written.
    let dmy = RosterOptions {
        date_order: piagam::roster::DateOrder::parse("DD/MM/YYYY"),
        ..Default::default()
    };
    let roster = read_roster(&path, &dmy).unwrap();
    let c = roster
        .records
        .iter()
        .find(|r| r.recipient == "Kota C")
        .unwrap();
    assert_eq!(c.date.unwrap().to_string(), "2024-08-01");
}

#[test]
fn columns_can_be_mapped_and_unknown_ones_become_extra() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write(
        tmp.path(),
        "r.csv",
        "Nama Pemda,Predikat,Provinsi\nKota Bandung,Harapan,Jawa Barat\n".as_bytes(),
    );
    let err = read_roster(&path, &RosterOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no 'recipient' column (headers are: Nama Pemda, Predikat, Provinsi)"),
        "{err}"
    );
    let mut options = RosterOptions::default();
    options
        .columns
        .insert("nama pemda".into(), piagam::roster::Field::Recipient);
    options
        .columns
        .insert("PREDIKAT".into(), piagam::roster::Field::Achievement);
    let roster = read_roster(&path, &options).unwrap();
    assert_eq!(roster.records[0].recipient, "Kota Bandung");
    assert_eq!(roster.records[0].achievement, "Harapan");
    assert_eq!(roster.records[0].extra["Provinsi"], "Jawa Barat");
}

#[test]
fn no_roster_bytes_make_a_reader_panic() {
    use rust_xlsxwriter::Workbook;
    let tmp = tempfile::tempdir().unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "nama").unwrap();
    sheet.write_string(0, 1, "prestasi").unwrap();
    sheet.write_string(1, 0, "Kota A").unwrap();
    sheet.write_number(1, 1, 1.0).unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let seeds: [(&str, Vec<u8>); 3] = [
        (
            "r.csv",
            "nama;prestasi\r\n\"Kota \"\"A\"\"\";Juara\r\n"
                .as_bytes()
                .to_vec(),
        ),
        (
            "r.json",
            br#"[{"nama": "Kota A", "prestasi": "Juara", "n": 1.5}]"#.to_vec(),
        ),
        ("r.xlsx", xlsx),
    ];
    let started = std::time::Instant::now();
    let (mut read, mut refused) = (0, 0);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (iterations, timed) = fuzz_iterations(1500);
    for i in 0..iterations {
        let (name, seed) = &seeds[i % seeds.len()];
        let mut bytes = seed.clone();
        match i % 3 {
            0 => {
                for _ in 0..1 + rng.next() % 8 {
                    let at = (rng.next() as usize) % bytes.len();
                    bytes[at] = rng.next() as u8;
                }
            }
            1 => bytes.truncate((rng.next() as usize) % bytes.len()),
            _ => {
                let len = (rng.next() % 400) as usize;
                bytes = (0..len).map(|_| rng.next() as u8).collect();
            }
        }
        let path = tmp.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        // Any outcome but a panic is fine: a roster or a clear error that
        // names the file.
        match read_roster(&path, &RosterOptions::default()) {
            Ok(_) => read += 1,
            Err(e) => {
                refused += 1;
                assert!(e.to_string().contains(name), "{e}");
            }
        }
    }
    assert!(read > 50 && refused > 50, "read {read}, refused {refused}");
    assert!(
        !timed || started.elapsed() < std::time::Duration::from_secs(60),
        "1500 rosters took {:?}",
        started.elapsed()
    );
}

/// The audit's workbook: a title block (merged title, a subtitle, a blank
/// row) above the headers. The header row is found, and said; it can also
/// be named, and a wrong one is reported.
#[test]
fn a_title_block_above_the_headers_is_skipped_and_said() {
    use rust_xlsxwriter::{Format, Workbook};
    let tmp = tempfile::tempdir().unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    sheet
        .merge_range(
            0,
            0,
            0,
            3,
            "DAFTAR PENERIMA ANUGERAH LAYANAN DIGITAL 2024",
            &bold,
        )
        .unwrap();
    sheet
        .write_string(1, 0, "Dinas Komunikasi dan Informatika Provinsi Contoh")
        .unwrap();
    // Row 3 blank; the headers in row 4, the winners from row 5.
    for (col, h) in ["No", "Nama Penerima", "Prestasi", "Kategori"]
        .iter()
        .enumerate()
    {
        sheet.write_string(3, col as u16, *h).unwrap();
    }
    for (i, (name, rank)) in [
        ("Kota Bandung", "Juara Pertama"),
        ("Kabupaten Toba", "Harapan"),
    ]
    .iter()
    .enumerate()
    {
        let row = 4 + i as u32;
        sheet.write_number(row, 0, (i + 1) as f64).unwrap();
        sheet.write_string(row, 1, *name).unwrap();
        sheet.write_string(row, 2, *rank).unwrap();
        sheet.write_string(row, 3, "Kota").unwrap();
    }
    let path = tmp.path().join("pemenang.xlsx");
    book.save(&path).unwrap();

    let roster = read_roster(&path, &RosterOptions::default()).unwrap();
    assert!(roster.problems.is_empty(), "{:?}", roster.problems);
    let names: Vec<(usize, &str)> = roster
        .records
        .iter()
        .map(|r| (r.row, r.recipient.as_str()))
        .collect();
    assert_eq!(names, [(5, "Kota Bandung"), (6, "Kabupaten Toba")]);
    assert!(
        roster
            .warnings
            .iter()
            .any(|w| matches!(w, piagam::Warning::TitleRows { header_row: 4, .. })),
        "{:?}",
        roster.warnings
    );
    // Named by the organizer: the same.
    let named = RosterOptions {
        header_row: Some(4),
        ..RosterOptions::default()
    };
    assert_eq!(read_roster(&path, &named).unwrap().records.len(), 2);
    // A wrong row says what it found there.
    let wrong = RosterOptions {
        header_row: Some(2),
        ..RosterOptions::default()
    };
    let err = read_roster(&path, &wrong).unwrap_err().to_string();
    assert!(
        err.contains("no 'recipient' column (headers are: Dinas Komunikasi"),
        "{err}"
    );
    assert!(
        err.contains(
            "[columns] \"Dinas Komunikasi dan Informatika Provinsi Contoh\" = \"recipient\""
        ),
        "{err}"
    );
    let past = RosterOptions {
        header_row: Some(40),
        ..RosterOptions::default()
    };
    let err = read_roster(&path, &past).unwrap_err().to_string();
    assert!(
        err.contains("the header row is set to 40, but the sheet has no such row"),
        "{err}"
    );
}

#[test]
fn a_csv_title_line_is_skipped_too() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write(
        tmp.path(),
        "r.csv",
        "DAFTAR PENERIMA;;\n;;\nNama;Prestasi;Kategori\nKota Bandung;Juara Pertama;Kota\n"
            .as_bytes(),
    );
    let roster = read_roster(&path, &RosterOptions::default()).unwrap();
    assert!(roster.problems.is_empty(), "{:?}", roster.problems);
    assert_eq!(roster.records[0].row, 4);
    assert_eq!(roster.records[0].recipient, "Kota Bandung");
}
