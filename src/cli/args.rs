//! The command-line contract. Names and flags here are relied on by users'
//! scripts: extend, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use piagam::locale::Language;

/// Print-ready PDF charters and certificates with a signed QR seal.
#[derive(Debug, Parser)]
#[command(name = "piagam", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate charters from the bundled sample roster with the public demo key.
    Demo(DemoArgs),
    /// Make a new issuer key pair: DIR/issuer.key.pem (private, mode 0600)
    /// and DIR/issuer.jwks.json (public).
    #[command(
        after_long_help = "Examples:\n  piagam keygen --issuer \"Dinas Kominfo Provinsi Contoh\" --out kunci/\n  piagam keygen --rotate --out kunci/     # new key; old public keys stay in the JWKS\n\nThe private key is never printed. Keep it secret; publish issuer.jwks.json."
    )]
    Keygen(KeygenArgs),
    /// Sign and lay out one document per roster row, and write the PDFs.
    #[command(
        after_long_help = "Example:\n  piagam generate --roster pemenang.xlsx --template templates/piagam \\\n      --key kunci/issuer.key.pem --out hasil/\n\nThe whole roster is checked and laid out before anything is written. If any row\nhas a problem, every problem is listed as file:row:column: reason, nothing is\nwritten, and the exit status is 2 (unless --skip-invalid)."
    )]
    Generate(GenerateArgs),
    /// Print a calibration sheet for pre-printed stock: millimetre rulers
    /// and a crosshair where the name, the QR code and the signature fall.
    #[command(
        after_long_help = "Example:\n  piagam calibrate --template templates/piagam --out kalibrasi.pdf\n\nPrint it on plain paper at 100% (actual size), hold it against a blank charter\nagainst the light, and read how far each crosshair is from its place. Write that\ninto piagam.toml as [print] offset_mm = [x, y] (negative when the crosshair falls\nright of or below its place), then print with generate --stock."
    )]
    Calibrate(CalibrateArgs),
    /// Open the studio: the organizer's local web app, in the browser.
    #[command(
        after_long_help = "Example:\n  piagam studio acara-2026/\n\nThe first line printed is the studio's address with its one-time token; open it\nin a browser on this computer (done for you unless --no-open). The studio\nanswers only on 127.0.0.1, and only to that address. Ctrl-C stops it."
    )]
    Studio(StudioArgs),
    /// Email every winner their own documents from a batch folder.
    #[command(
        after_long_help = "Examples:\n  piagam send --roster pemenang.xlsx --out hasil/ --dry-run surat/\n  PIAGAM_SMTP_PASSWORD=… piagam send --roster pemenang.xlsx --out hasil/ \\\n      --smtp smtps://mail.instansi.go.id --from humas@instansi.go.id --user humas\n\nAddresses come from the roster's email column (several in a cell, separated by ;).\nEach winner gets one message per address with all their documents attached, and\nthe verification links. Every message is recorded in the register: a rerun sends\nonly what no server accepted. Nothing is sent for a revoked or replaced document."
    )]
    Send(SendArgs),
    /// Render one page of a template, marked CONTOH (sample), to PDF and PNG.
    #[command(
        after_long_help = "Examples:\n  piagam preview --template templates/piagam\n  piagam preview --template templates/piagam --roster pemenang.xlsx --row 9"
    )]
    Preview(PreviewArgs),
    /// Check a roster and template as generate would, writing nothing; or,
    /// with --register, check the register against the files it records.
    #[command(
        after_long_help = "Examples:\n  piagam check --roster pemenang.xlsx --template templates/piagam\n  piagam check --register                 # the register beside ./piagam.toml\n  piagam check --register arsip/piagam-register.sqlite\n\nWith --register, documents whose run was interrupted after their files were in place\nare marked issued, and counters behind the numbers given are moved on. What needs the\nissuer's key (files missing, runs interrupted before writing) is listed: run generate\nagain with the same roster."
    )]
    Check(CheckArgs),
    /// Show the register: every document issued, to whom, under which serial.
    #[command(
        after_long_help = "Examples:\n  piagam list\n  piagam list --status revoked\n  piagam list --search semarang --json\n  piagam list --csv > terbit.csv"
    )]
    List(ListArgs),
    /// Write the register's signed revocation list (revoked and superseded
    /// documents) to a file, e.g. to publish beside the verification page.
    Revocations(RevocationsArgs),
    /// Withdraw documents: mark them revoked in the register and write the
    /// issuer-signed revocation list.
    #[command(
        after_long_help = "Examples:\n  piagam revoke --reason \"nama penerima salah cetak\" 007/ALDPD/VIII/2024\n  piagam revoke --key kunci/issuer.key.pem --list pencabutan.cose \\\n      --reason \"nama penerima salah cetak\" 007/ALDPD/VIII/2024\n\nWith a register (beside piagam.toml, or --register), the documents are marked revoked\nthere and the list is written from it: to --list, else where it was last written, else\npiagam-revocations.cose beside the register. Without one (or with --no-register), the\nserials are added to --list. Publish the list beside the verification page; verifiers\nread it with --revocations."
    )]
    Revoke(RevokeArgs),
    /// Write the static verification page that a phone camera opens.
    #[command(
        after_long_help = "Example:\n  piagam site --trust kunci/issuer.jwks.json --revocations pencabutan.cose --out situs/\n\nUpload DIR (index.html, and revocations if given) to the address in verify_url, or open\nDIR/index.html from disk. After each `piagam revoke`, upload the list again as DIR/revocations."
    )]
    Site(SiteArgs),
    /// Check seals: QR text or verify URLs, or "-" to read one per line from stdin.
    #[command(
        after_long_help = "Exit status: 0 if every seal is valid, 1 if any is not, 2 on usage or I/O errors.\n\nExample:\n  piagam verify --trust issuer.jwks.json 'https://piagam.example/verifikasi#0123…'"
    )]
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, default_value = "piagam-demo")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The issuer's display name, shown to everyone who verifies.
    /// Required for a new key; with --rotate it renames the issuer.
    #[arg(long)]
    pub issuer: Option<String>,
    /// Folder to write the key files to.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the key in DIR with a new one. The old private key moves
    /// to DIR/retired/, and its public key stays in the JWKS, so
    /// documents it signed still verify.
    #[arg(long)]
    pub rotate: bool,
    /// First date (YYYY-MM-DD) a seal by the new key may carry.
    #[arg(long)]
    pub not_before: Option<String>,
    /// Last date (YYYY-MM-DD) a seal by the new key may carry.
    #[arg(long)]
    pub not_after: Option<String>,
    /// Address of the issuer's verification page, recorded in the JWKS;
    /// verify then refuses QR texts that point elsewhere.
    #[arg(long)]
    pub verify_url: Option<String>,
    /// Write the JWKS for an existing private key (e.g. one made by
    /// `openssl genpkey -algorithm ed25519`) instead of making a new key.
    #[arg(long, conflicts_with = "rotate")]
    pub from_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The issuer's private key (PKCS#8 PEM).
    #[arg(long)]
    pub key: PathBuf,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// The issuer's public JWKS; default: issuer.jwks.json beside the key.
    #[arg(long)]
    pub jwks: Option<PathBuf>,
    /// Issuer name, for a key that has no issuer.jwks.json beside it.
    #[arg(long)]
    pub issuer: Option<String>,
    /// Write the valid rows anyway, and list the others with their
    /// reasons in DIR/rejected.csv.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Replace files in --out whose content would change. Without it,
    /// piagam refuses, since a PDF may have been signed since.
    #[arg(long)]
    pub overwrite: bool,
    /// Print files for pre-printed blank stock (blanko): without the
    /// background and the elements marked `stock = true`, moved by
    /// piagam.toml's [print] offset_mm and scale. Print them at 100%.
    #[arg(long)]
    pub stock: bool,
    /// Crop marks on the print files, outside the trim and its bleed.
    #[arg(long)]
    pub marks: bool,
    /// Every file conforms to PDF/A-2b, for archives (ANRI): XMP
    /// metadata, an sRGB output intent. Not with a PDF background.
    #[arg(long)]
    pub pdfa: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub register: RegisterArgs,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The template folder.
    #[arg(long)]
    pub template: PathBuf,
    /// Take the record from this roster; default a placeholder record.
    #[arg(long)]
    pub roster: Option<PathBuf>,
    /// The roster row to show, numbered as the spreadsheet shows it.
    #[arg(long)]
    pub row: Option<usize>,
    /// Event settings; default piagam.toml beside the roster.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The sheet of a workbook to read.
    #[arg(long)]
    pub sheet: Option<String>,
    /// The row holding the headers, as the spreadsheet numbers it.
    #[arg(long, value_name = "N")]
    pub header_row: Option<usize>,
    /// The language to show (id or en); default the template's first.
    #[arg(long)]
    pub lang: Option<Language>,
    /// Let the template use files outside its own folder.
    #[arg(long)]
    pub allow_outside_assets: bool,
    /// Output folder for preview.pdf and preview.png.
    #[arg(long, default_value = "piagam-preview")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Check this register (default: beside piagam.toml) against the
    /// files it records, and repair what can be repaired. With a
    /// roster, also number the documents from it.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "")]
    pub register: Option<String>,
    /// Number from roster positions, as `generate --no-register` does.
    #[arg(long, conflicts_with = "register")]
    pub no_register: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub at: RegisterAt,
    /// Only documents with this status.
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Only documents of this kind (piagam, sertifikat, …).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only documents whose serial or claims contain TEXT (any case).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// One JSON array of documents.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with a header row.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Args)]
pub struct RevocationsArgs {
    #[command(flatten)]
    pub at: RegisterAt,
    /// Where to write the list.
    #[arg(long)]
    pub out: PathBuf,
    /// The issuer's private key; default the one generate last used.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// The issuer's public JWKS; default: issuer.jwks.json beside the key.
    #[arg(long)]
    pub jwks: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The issuer's private key (PKCS#8 PEM); with a register, default
    /// the one generate last used.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// The revocation list to create or extend.
    #[arg(long)]
    pub list: Option<PathBuf>,
    #[command(flatten)]
    pub at: RegisterAt,
    /// Only extend --list; leave any register alone.
    #[arg(long)]
    pub no_register: bool,
    /// Why the documents are revoked; shown to verifiers.
    #[arg(long)]
    pub reason: String,
    /// The date of revocation and of the list (YYYY-MM-DD); default today (UTC).
    #[arg(long)]
    pub date: Option<String>,
    /// The issuer's public JWKS; default: issuer.jwks.json beside the key.
    #[arg(long)]
    pub jwks: Option<PathBuf>,
    /// Serial numbers to revoke.
    #[arg(required = true)]
    pub serials: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The issuer's public keys (JWKS), embedded in the page.
    #[arg(long)]
    pub trust: PathBuf,
    /// The issuer's signed revocation list, embedded and written beside the page.
    #[arg(long)]
    pub revocations: Option<PathBuf>,
    /// The issuer's signed list of issued files (piagam-issued.cose),
    /// published beside the page as `issued`.
    #[arg(long)]
    pub issued: Option<PathBuf>,
    /// The issuer's logo for the page's header: a PNG, JPEG or WebP of at
    /// most 16 KB, embedded in the page.
    #[arg(long)]
    pub logo: Option<PathBuf>,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The issuer's public keys (JWKS).
    #[arg(long)]
    pub trust: Option<PathBuf>,
    /// Print one JSON object per input instead of a report.
    #[arg(long)]
    pub json: bool,
    /// Language of the report: id or en.
    #[arg(long, default_value = "id")]
    pub lang: Language,
    /// The issuer's signed revocation list (from `piagam revoke`);
    /// default piagam-revocations.cose here, if there is one.
    #[arg(long)]
    pub revocations: Option<PathBuf>,
    /// The issuer's signed list of issued files; default
    /// piagam-issued.cose here, if there is one. A PDF that is not
    /// byte for byte an issued file is then reported as such.
    #[arg(long)]
    pub issued: Option<PathBuf>,
    /// QR texts or verify URLs.
    #[arg(required = true)]
    pub inputs: Vec<String>,
}

/// Which register generate uses.
#[derive(Debug, clap::Args)]
pub struct RegisterArgs {
    /// The issuance register; default piagam-register.sqlite beside
    /// piagam.toml. Serials come from its counters, and reruns reuse them.
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
    /// Keep no register: serials from roster positions, nothing recorded
    /// (for one-off runs).
    #[arg(long, conflicts_with = "register")]
    pub no_register: bool,
}

/// Where a register command finds the register.
#[derive(Debug, clap::Args)]
pub struct RegisterAt {
    /// The register; default piagam-register.sqlite beside --config, or here.
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
    /// Event settings whose folder holds the register.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    Reserved,
    Issued,
    Superseded,
    Revoked,
}

/// How generate writes.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Which files to write: `files` (one PDF per document), `print` (the
    /// merged print files), `zip` (charters.zip, holding every document's
    /// own PDF), `png` (a 1600 px share image beside each document, drawn
    /// from its PDF), or several.
    #[arg(long, value_delimiter = ',', default_value = "files,print")]
    pub outputs: Vec<OutputKind>,
    /// Split each print file every N pages (print-0001.pdf, …); default one
    /// file, written as it is made, whatever its length.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub print_chunk: Option<u32>,
    /// Worker threads; default every core. The files are the same whatever N is.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub jobs: Option<u32>,
    /// No progress bar (it shows only on a terminal anyway).
    #[arg(long)]
    pub quiet: bool,
    /// File names: `ascii` (accents dropped: nguyen-thi-anh), `unicode`
    /// (letters as the roster spells them: nguyễn-thị-ánh), or `serial`
    /// (the serial alone: 001-ALDPD-VIII-2024.pdf).
    #[arg(long, value_enum, default_value_t = FileNameKind::Ascii)]
    pub file_names: FileNameKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputKind {
    Files,
    Print,
    Zip,
    Png,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileNameKind {
    Ascii,
    Unicode,
    Serial,
}

/// What generate and check read.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// The winners: .csv, .xlsx, .xls, .ods or .json, with a header row.
    #[arg(long, required_unless_present = "register")]
    pub roster: Option<PathBuf>,
    /// A template folder (holding template.toml). Repeat for several
    /// documents per winner, e.g. a piagam and a sertifikat. Default: the
    /// [[documents]] listed in piagam.toml.
    #[arg(long)]
    pub template: Vec<PathBuf>,
    /// Print each document in these languages, e.g. `--lang en` or
    /// `--lang id,en` for both; default each template's own.
    #[arg(long, value_delimiter = ',')]
    pub lang: Vec<Language>,
    /// Address of the verification page; overrides verify_url in piagam.toml.
    #[arg(long)]
    pub verify_url: Option<String>,
    /// Event settings; default: piagam.toml beside the roster.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The sheet of a workbook to read; default the first.
    #[arg(long)]
    pub sheet: Option<String>,
    /// The row holding the headers, numbered as the spreadsheet shows it,
    /// when a title block stands above them; default the first of the
    /// first 20 rows that names two known columns.
    #[arg(long, value_name = "N")]
    pub header_row: Option<usize>,
    /// Let templates use images and fonts outside their own folder (and
    /// the shared assets folder beside it). Only for templates you trust.
    #[arg(long)]
    pub allow_outside_assets: bool,
    /// Rows that change the recipient's name on a document already issued
    /// ("Kota Semarng" → "Kota Semarang") are corrections: each new
    /// document replaces the old one, which verifiers then call replaced.
    #[arg(long, conflicts_with = "reject_corrections")]
    pub accept_corrections: bool,
    /// Rows that look like name corrections are other winners: they get
    /// new documents, and the old ones stay issued.
    #[arg(long)]
    pub reject_corrections: bool,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The template folder.
    #[arg(long)]
    pub template: PathBuf,
    /// The PDF to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The template's language (id or en); default its first.
    #[arg(long)]
    pub lang: Option<Language>,
    /// Let the template use files outside its own folder.
    #[arg(long)]
    pub allow_outside_assets: bool,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The winners, as generate read them (the same file): their email
    /// column gives the addresses.
    #[arg(long)]
    pub roster: PathBuf,
    /// Event settings; default: piagam.toml beside the roster.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The sheet of a workbook to read; default the first.
    #[arg(long)]
    pub sheet: Option<String>,
    /// The row holding the headers, when a title block stands above them.
    #[arg(long, value_name = "N")]
    pub header_row: Option<usize>,
    /// The batch folder generate wrote (its manifest.csv and documents).
    #[arg(long)]
    pub out: PathBuf,
    /// The issuance register; default piagam-register.sqlite beside
    /// piagam.toml. Every message is recorded in it.
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
    /// The mail server: smtps://host (TLS, port 465) or smtp://host:587
    /// (STARTTLS required; plaintext only to this computer).
    #[arg(long, required_unless_present = "dry_run")]
    pub smtp: Option<String>,
    /// The sender, e.g. "Humas Kominfo <humas@instansi.go.id>".
    #[arg(long)]
    pub from: String,
    /// The login; its password is asked for at the terminal, or read from
    /// PIAGAM_SMTP_PASSWORD.
    #[arg(long)]
    pub user: Option<String>,
    /// Write each message as an .eml file in DIR to review; send nothing.
    #[arg(long, value_name = "DIR")]
    pub dry_run: Option<PathBuf>,
    /// At most N messages a minute.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    pub per_minute: u32,
    /// Send these documents' messages again, though a server accepted them.
    #[arg(long, value_name = "SERIAL", num_args = 1..)]
    pub resend: Vec<String>,
    /// The message's language: id or en.
    #[arg(long, default_value = "id")]
    pub lang: Language,
}

#[derive(Debug, Args)]
pub struct StudioArgs {
    /// The event folder (piagam.toml, roster, templates, key, register);
    /// default the current folder. A new folder starts a new event.
    pub folder: Option<PathBuf>,
    /// The port to listen on; default a free one.
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Start no browser.
    #[arg(long)]
    pub no_open: bool,
}
