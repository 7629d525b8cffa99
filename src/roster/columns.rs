//! Header names: Indonesian and English aliases for the known fields.

/// A field a roster column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Recipient,
    Achievement,
    Category,
    Serial,
    Date,
    Place,
    Event,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Recipient => "recipient",
            Field::Achievement => "achievement",
            Field::Category => "category",
            Field::Serial => "serial",
            Field::Date => "date",
            Field::Place => "place",
            Field::Event => "event",
        }
    }

    /// Matches a header case- and space-insensitively against the aliases.
    pub fn from_header(header: &str) -> Option<Field> {
        let key: String = header
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "nama" | "name" | "recipient" | "penerima" | "namapenerima" => Field::Recipient,
            "prestasi" | "achievement" | "penghargaan" | "award" => Field::Achievement,
            "kategori" | "category" => Field::Category,
            "nomor" | "serial" | "no" | "nomorpiagam" | "number" => Field::Serial,
            "tanggal" | "date" => Field::Date,
            "tempat" | "place" | "lokasi" => Field::Place,
            "acara" | "event" | "kegiatan" => Field::Event,
            _ => return None,
        })
    }
}
