//! Header names: Indonesian and English aliases for the known fields.

use serde::Deserialize;

use crate::print_field::PrintField;

/// A field a roster column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Recipient,
    Achievement,
    Category,
    Serial,
    Date,
    Place,
    Event,
    /// Per-row signatory, for awards signed by different officials.
    #[serde(rename = "signatory.name")]
    SignatoryName,
    #[serde(rename = "signatory.title")]
    SignatoryTitle,
    #[serde(rename = "signatory.nip")]
    SignatoryNip,
}

const ALIASES: &[(Field, &[&str])] = &[
    (
        Field::Recipient,
        &["nama", "name", "recipient", "penerima", "namapenerima"],
    ),
    (
        Field::Achievement,
        &["prestasi", "achievement", "penghargaan", "award"],
    ),
    (Field::Category, &["kategori", "category"]),
    (
        Field::Serial,
        &[
            "nomor",
            "serial",
            "nomorpiagam",
            "nomorsertifikat",
            "nomordokumen",
            "number",
        ],
    ),
    (Field::Date, &["tanggal", "date"]),
    (Field::Place, &["tempat", "place", "lokasi"]),
    (Field::Event, &["acara", "event", "kegiatan"]),
    (
        Field::SignatoryName,
        &[
            "namapenandatangan",
            "penandatangan",
            "signatoryname",
            "signatory",
        ],
    ),
    (
        Field::SignatoryTitle,
        &["jabatanpenandatangan", "signatorytitle"],
    ),
    (Field::SignatoryNip, &["nippenandatangan", "signatorynip"]),
];

impl Field {
    pub fn name(self) -> &'static str {
        PrintField::from(self).known_name().unwrap_or_default()
    }

    /// The accepted headers, for messages.
    pub fn aliases(self) -> String {
        ALIASES
            .iter()
            .find(|(f, _)| *f == self)
            .map(|(_, names)| names.join("/"))
            .unwrap_or_default()
    }

    /// A header without case, spaces, `_`, `-` or `.`.
    pub fn normalise(header: &str) -> String {
        header
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.'))
            .flat_map(char::to_lowercase)
            .collect()
    }

    /// True for a header such as "No", "No." or "#": in practice a row
    /// counter (1, 2, 3…), not the document's number.
    pub fn is_row_counter(header: &str) -> bool {
        matches!(
            Field::normalise(header).as_str(),
            "no" | "#" | "nourut" | "urut" | "rownumber" | "row"
        )
    }

    /// Matches a header case- and space-insensitively against the aliases.
    pub fn from_header(header: &str) -> Option<Field> {
        let key = Field::normalise(header);
        ALIASES
            .iter()
            .find(|(_, names)| names.contains(&key.as_str()))
            .map(|(f, _)| *f)
    }
}

impl From<Field> for PrintField {
    fn from(field: Field) -> PrintField {
        match field {
            Field::Recipient => PrintField::Recipient,
            Field::Achievement => PrintField::Achievement,
            Field::Category => PrintField::Category,
            Field::Serial => PrintField::Serial,
            Field::Date => PrintField::Date,
            Field::Place => PrintField::Place,
            Field::Event => PrintField::Event,
            Field::SignatoryName => PrintField::SignatoryName,
            Field::SignatoryTitle => PrintField::SignatoryTitle,
            Field::SignatoryNip => PrintField::SignatoryNip,
        }
    }
}
