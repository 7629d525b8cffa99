//! The command-line contract. Names and flags here are relied on by users'
//! scripts: extend, never rename.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

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
    Demo {
        /// Output folder.
        #[arg(long, default_value = "piagam-demo")]
        out: PathBuf,
    },
    /// Make a new issuer key pair: DIR/issuer.key.pem (private, mode 0600)
    /// and DIR/issuer.jwks.json (public).
    Keygen {
        /// The issuer's display name, shown to everyone who verifies.
        #[arg(long)]
        issuer: String,
        /// Folder to write the key files to.
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign and lay out one document per roster row, and write the PDFs.
    #[command(
        after_long_help = "Example:\n  piagam generate --roster pemenang.csv --template templates/piagam \\\n      --key kunci/issuer.key.pem --out hasil/"
    )]
    Generate {
        /// The winners: a CSV file with a header row.
        #[arg(long)]
        roster: PathBuf,
        /// A template folder (holding template.toml).
        #[arg(long)]
        template: PathBuf,
        /// The issuer's private key (PKCS#8 PEM).
        #[arg(long)]
        key: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Address of the verification page; overrides verify_url in piagam.toml.
        #[arg(long)]
        verify_url: Option<String>,
        /// Event settings; default: piagam.toml beside the roster.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The issuer's public JWKS; default: issuer.jwks.json beside the key.
        #[arg(long)]
        jwks: Option<PathBuf>,
    },
    /// Check seals: QR text or verify URLs, or "-" to read one per line from stdin.
    #[command(
        after_long_help = "Exit status: 0 if every seal is valid, 1 if any is not, 2 on usage or I/O errors.\n\nExample:\n  piagam verify --trust issuer.jwks.json 'https://piagam.example/verifikasi#0123…'"
    )]
    Verify {
        /// The issuer's public keys (JWKS).
        #[arg(long)]
        trust: Option<PathBuf>,
        /// Print one JSON object per input instead of a report.
        #[arg(long)]
        json: bool,
        /// Language of the report.
        #[arg(long, value_enum, default_value_t = Lang::Id)]
        lang: Lang,
        /// QR texts or verify URLs.
        #[arg(required = true)]
        inputs: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Lang {
    Id,
    En,
}
