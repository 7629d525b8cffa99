//! The bundled demo: sample roster, event settings, template and a public demo key.
//!
//! Everything is compiled in, so `piagam demo` works from any directory.

use std::path::Path;

use crate::config::EventConfig;
use crate::generate::{self, GenerateError, Issued, Loaded, RunError};
use crate::project::{Project, RunOptions, Signer};
use crate::register::RegisterError;
use crate::roster::{self, RosterError};
use crate::seal::{IssuerKey, Jwk, Jwks, KeyError};
use crate::template::{Assets, Template, TemplateError};

pub const ROSTER_CSV: &str = include_str!("../../../examples/adlga-2024.csv");
pub const CONFIG_TOML: &str = include_str!("../../../examples/piagam.toml");
pub const PIAGAM_TEMPLATE_TOML: &str = include_str!("../../../templates/piagam/template.toml");
/// The images the bundled templates use, by the path they give.
pub const TEMPLATE_ASSETS: &[(&str, &[u8])] = &[
    (
        "../assets/latar-piagam.pdf",
        include_bytes!("../../../templates/assets/latar-piagam.pdf"),
    ),
    (
        "../assets/logo-placeholder.png",
        include_bytes!("../../../templates/assets/logo-placeholder.png"),
    ),
    (
        "../assets/signature-sample.png",
        include_bytes!("../../../templates/assets/signature-sample.png"),
    ),
    (
        "../assets/stamp-sample.png",
        include_bytes!("../../../templates/assets/stamp-sample.png"),
    ),
];
/// Published on purpose; anyone can sign with it. Never use it for real charters.
pub const DEMO_KEY_PEM: &str = include_str!("../../../assets/demo/DEMO-ONLY-issuer.key.pem");
pub const DEMO_ISSUER: &str = "CONTOH / DEMO — bukan penerbit sungguhan";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    #[error(transparent)]
    Roster(#[from] RosterError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Site(#[from] crate::site::SiteError),
    #[error(transparent)]
    Register(#[from] RegisterError),
}

/// The demo issuer's public keys.
pub fn demo_jwks(key: &IssuerKey, verify_url: Option<String>) -> Jwks {
    Jwks {
        issuer: DEMO_ISSUER.into(),
        verify_url,
        keys: vec![Jwk::from_key(&key.verifying_key())],
    }
}

/// Generates the demo charters into `out_dir`.
pub fn run(out_dir: &Path) -> Result<(Vec<Issued>, generate::Written), DemoError> {
    let config = EventConfig::from_toml(CONFIG_TOML, Path::new("examples/piagam.toml"))?;
    let roster_path = Path::new("examples/adlga-2024.csv");
    let roster = roster::read_roster_bytes(
        roster_path,
        ROSTER_CSV.as_bytes(),
        &config.roster_options(None, None),
    )?;
    let template = Template::from_toml_with(
        PIAGAM_TEMPLATE_TOML,
        Path::new("templates/piagam"),
        Path::new("templates/piagam/template.toml"),
        Assets::Embedded(TEMPLATE_ASSETS),
        None,
    )?;
    let loaded = Loaded::assemble(config, roster, vec![template])?;
    let key = IssuerKey::from_pkcs8_pem(DEMO_KEY_PEM)?;
    let jwks = demo_jwks(&key, loaded.config.verify_url.clone());
    // The demo keeps its register in its own folder, for `piagam list`.
    crate::fsio::create_folder(out_dir).map_err(GenerateError::Write)?;
    let project = Project::from_loaded(
        loaded,
        roster_path,
        Some(out_dir.join(crate::register::REGISTER_FILE)),
    );
    let signer = Signer::in_memory(key, jwks.clone());
    // Demo files are never signed by hand, so a re-run may replace them.
    let outcome = project.generate(
        &signer,
        out_dir,
        &RunOptions {
            overwrite: true,
            ..RunOptions::default()
        },
        &generate::Silent,
        &generate::Cancel::new(),
    )?;
    let (issued, written) = (outcome.issued, outcome.written);
    // The page can then tell the demo's very files from edited copies.
    let issued_list = std::fs::read(out_dir.join(crate::issued::ISSUED_FILE)).ok();
    crate::site::write_site(
        &jwks,
        None,
        issued_list.as_deref(),
        None,
        &out_dir.join("site"),
    )?;
    Ok((issued, written))
}
