//! Event-wide settings from `piagam.toml`: what every document of a run shares.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::date::Date;
use crate::roster::{DateOrder, Field, RosterOptions};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventConfig {
    pub event: Event,
    #[serde(default)]
    pub signatory: Signatory,
    #[serde(default)]
    pub numbering: Numbering,
    /// Address of the static verification page; the QR text starts with it.
    #[serde(default)]
    pub verify_url: Option<String>,
    /// How to read the roster.
    #[serde(default)]
    pub roster: RosterSettings,
    /// Roster headers mapped to fields, for headers the aliases do not cover.
    #[serde(default)]
    pub columns: BTreeMap<String, Field>,
    /// The documents each winner receives, when `--template` is not given.
    #[serde(default)]
    pub documents: Vec<DocumentSpec>,
    /// How the print files are printed: onto blank stock, and this
    /// printer's calibration.
    #[serde(default)]
    pub print: PrintSettings,
    /// Every file written conforms to PDF/A-2b, for archives.
    #[serde(default)]
    pub pdfa: bool,
    /// The message `piagam send` writes, per language, where the bundled
    /// wording will not do.
    #[serde(default)]
    pub mail: MailSettings,
    /// The folder of this file; document paths are relative to it.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// `[mail]`: the subject and body of `piagam send`'s message, each one
/// string per language (`subject = { id = "…", en = "…" }`); a language
/// left out keeps the bundled wording.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    #[serde(default)]
    pub subject: BTreeMap<crate::locale::Language, String>,
    #[serde(default)]
    pub body: BTreeMap<crate::locale::Language, String>,
}

/// `[print]`: the print files, for the paper and printer at hand.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintSettings {
    /// Print onto pre-printed blank stock: no background, no element
    /// marked `stock`.
    #[serde(default)]
    pub stock: bool,
    /// Everything printed moves this far right and down, in mm: what the
    /// calibration sheet measured.
    #[serde(default)]
    pub offset_mm: [f32; 2],
    /// And is stretched by these factors (a printer that prints 99.6%).
    #[serde(default = "unscaled")]
    pub scale: [f32; 2],
    /// Crop marks on the print files.
    #[serde(default)]
    pub marks: bool,
}

fn unscaled() -> [f32; 2] {
    [1.0, 1.0]
}

impl Default for PrintSettings {
    fn default() -> PrintSettings {
        PrintSettings {
            stock: false,
            offset_mm: [0.0, 0.0],
            scale: unscaled(),
            marks: false,
        }
    }
}

/// The largest printer calibration taken: beyond these, the sheet or
/// the setting is wrong, not the printer.
pub const MAX_OFFSET_MM: f32 = 30.0;
pub const SCALE_RANGE: (f32, f32) = (0.9, 1.1);

impl PrintSettings {
    fn check(&self) -> Result<(), String> {
        for (axis, v) in ["x", "y"].iter().zip(self.offset_mm) {
            if !v.is_finite() || v.abs() > MAX_OFFSET_MM {
                return Err(format!(
                    "print.offset_mm {axis} is {v}; a printer's offset is within ±{MAX_OFFSET_MM} mm"
                ));
            }
        }
        for (axis, v) in ["x", "y"].iter().zip(self.scale) {
            if !v.is_finite() || !(SCALE_RANGE.0..=SCALE_RANGE.1).contains(&v) {
                return Err(format!(
                    "print.scale {axis} is {v}; a printer's scale is between {} and {}",
                    SCALE_RANGE.0, SCALE_RANGE.1
                ));
            }
        }
        Ok(())
    }
}

/// One kind of document per winner, e.g. a piagam and a sertifikat.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    /// The template folder, relative to piagam.toml.
    pub template: PathBuf,
    /// A serial pattern for this document; overrides the template's and
    /// `[numbering] pattern`.
    pub numbering: Option<String>,
    /// The language to print this document in; default the template's.
    pub lang: Option<crate::locale::Language>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterSettings {
    /// Order of numeric dates, e.g. "DD/MM/YYYY".
    #[serde(default)]
    pub date_format: Option<String>,
    /// The workbook sheet to read; `--sheet` overrides it.
    #[serde(default)]
    pub sheet: Option<String>,
    /// The row that holds the headers, as the spreadsheet numbers it, when
    /// a title block stands above it; `--header-row` overrides it. By
    /// default the first of the first 20 rows naming two known columns.
    #[serde(default)]
    pub header_row: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The event or award name, e.g. "Anugerah Digital Government 2024".
    pub name: String,
    /// The date printed on the documents, YYYY-MM-DD.
    #[serde(deserialize_with = "date_text")]
    pub date: Date,
    #[serde(default)]
    pub place: Option<String>,
    /// Optional last day the documents are valid, YYYY-MM-DD.
    #[serde(default, deserialize_with = "optional_date_text")]
    pub valid_until: Option<Date>,
}

/// A date written as YYYY-MM-DD, checked as it is read.
fn date_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(|_| {
        serde::de::Error::custom(format!("'{text}' is not a date in the form YYYY-MM-DD"))
    })
}

fn optional_date_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    date_text(d).map(Some)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub nip: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Numbering {
    /// Serial pattern: {seq}, {seq:03}, {year}, {month}, {month_roman}, {kind}.
    #[serde(default = "default_pattern")]
    pub pattern: String,
    #[serde(default = "default_start")]
    pub start: u32,
    /// When the register's counters start again from `start`: "never"
    /// (default) or "yearly" (the pattern must then hold `{year}`).
    #[serde(default)]
    pub reset: Reset,
}

/// When numbering starts again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reset {
    #[default]
    Never,
    Yearly,
}

impl Default for Numbering {
    fn default() -> Self {
        Numbering {
            pattern: default_pattern(),
            start: default_start(),
            reset: Reset::Never,
        }
    }
}

fn default_pattern() -> String {
    "{seq:03}/{kind}/{month_roman}/{year}".into()
}

fn default_start() -> u32 {
    1
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("no event settings: {0} does not exist")]
    Missing(PathBuf),
}

impl EventConfig {
    pub fn from_toml(text: &str, path: &Path) -> Result<EventConfig, ConfigError> {
        let mut config: EventConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        config.base_dir = path.parent().unwrap_or(Path::new(".")).to_owned();
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_owned(),
            message,
        };
        crate::numbering::check_pattern(&config.numbering.pattern)
            .map_err(|e| invalid(format!("numbering.pattern: {e}")))?;
        for doc in &config.documents {
            if let Some(p) = &doc.numbering {
                crate::numbering::check_pattern(p)
                    .map_err(|e| invalid(format!("documents numbering: {e}")))?;
            }
        }
        if config.numbering.reset == Reset::Yearly {
            // Numbers start again each year: only the year keeps serials apart.
            let patterns = std::iter::once(&config.numbering.pattern)
                .chain(config.documents.iter().filter_map(|d| d.numbering.as_ref()));
            for p in patterns {
                if !p.contains("{year}") {
                    return Err(invalid(format!(
                        "numbering.reset = \"yearly\" needs {{year}} in every pattern, so that serials of different years differ; '{p}' has none"
                    )));
                }
            }
        }
        if let Some(f) = &config.roster.date_format {
            if DateOrder::parse(f).is_none() {
                return Err(invalid(format!(
                    "roster.date_format '{f}' is not one of DD/MM/YYYY, MM/DD/YYYY, YYYY-MM-DD (any separator)"
                )));
            }
        }
        if let Some(url) = &config.verify_url {
            crate::seal::qrtext::check_verify_url(url).map_err(invalid)?;
        }
        config.print.check().map_err(invalid)?;
        Ok(config)
    }

    pub fn read(path: &Path) -> Result<EventConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        EventConfig::from_toml(&text, path)
    }

    /// `--config FILE` if given, else `piagam.toml` beside the roster.
    pub fn locate(explicit: Option<&Path>, roster: &Path) -> Result<EventConfig, ConfigError> {
        if let Some(path) = explicit {
            return EventConfig::read(path);
        }
        let beside = roster
            .parent()
            .unwrap_or(Path::new("."))
            .join("piagam.toml");
        if beside.exists() {
            EventConfig::read(&beside)
        } else {
            Err(ConfigError::Missing(beside))
        }
    }

    /// Roster reading options; `sheet` and `header_row` (from the command
    /// line) win.
    pub fn roster_options(&self, sheet: Option<&str>, header_row: Option<usize>) -> RosterOptions {
        RosterOptions {
            header_row: header_row.or(self.roster.header_row),
            sheet: sheet
                .map(str::to_owned)
                .or_else(|| self.roster.sheet.clone()),
            columns: self.columns.clone(),
            date_order: self
                .roster
                .date_format
                .as_deref()
                .and_then(DateOrder::parse),
        }
    }

    /// The event's date, which every document without its own carries.
    pub fn event_date(&self) -> Date {
        self.event.date
    }

    pub fn valid_until(&self) -> Option<Date> {
        self.event.valid_until
    }
}
