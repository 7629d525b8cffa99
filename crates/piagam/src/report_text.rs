//! The verification report in words (Indonesian or English) and as the
//! stable JSON object of docs/FORMAT.md. The seal crate gives the report
//! as data; this is how piagam's front ends show it.

use std::fmt::Write as _;

use serde_json::json;

use crate::date::Date;
use crate::locale::Language as Lang;
use crate::print_field::PrintField;
use crate::seal::revocation::Revoked;
use crate::seal::{Check, Claims, Report, Status, VerifyError};

/// The report's JSON and text forms.
pub trait ReportText {
    /// The report as a stable JSON object (documented in docs/FORMAT.md).
    fn to_json(&self) -> serde_json::Value;
    /// A plain-language report for people: the seal's verdict, then
    /// [`ReportText::details_text`].
    fn to_text(&self, lang: Lang) -> String;
    /// The verdict on the seal alone, one or two lines.
    fn headline_text(&self, lang: Lang) -> String;
    /// Who signed what, and each check: everything below the verdict.
    fn details_text(&self, lang: Lang) -> String;
}

impl ReportText for Report {
    fn to_json(&self) -> serde_json::Value {
        let (code, message) = match &self.status {
            Status::Valid => (None, None),
            Status::Invalid(e) => (Some(e.code()), Some(e.to_string())),
        };
        let claims = self.claims.as_ref().map(claims_json);
        json!({
            "valid": self.is_valid(),
            "code": code,
            "message": message,
            "issuer": self.issuer,
            "kid": self.kid,
            "verify_url": self.verify_url,
            "checked_on": self.checked_on.to_string(),
            "checks": {
                "signature": self.checks.signature.code(),
                "issuer": self.checks.issuer.code(),
                "revocation": self.checks.revocation.code(),
                "dates": self.checks.dates.code(),
            },
            "claims": claims,
            "replaced_by": self.revoked.as_ref().and_then(Revoked::replaced_by),
        })
    }

    fn to_text(&self, lang: Lang) -> String {
        let mut out = self.headline_text(lang);
        out.push_str(&self.details_text(lang));
        out
    }

    fn headline_text(&self, lang: Lang) -> String {
        let t = |id: &'static str, en: &'static str| if lang == Lang::Id { id } else { en };
        let mut out = String::new();
        match &self.status {
            Status::Valid => {
                let _ = writeln!(
                    out,
                    "{}",
                    t(
                        "SAH — segel asli dan utuh.",
                        "VALID — the seal is genuine and intact."
                    )
                );
            }
            Status::Invalid(e) => {
                let _ = writeln!(out, "{}", t("TIDAK SAH", "NOT VALID"));
                let _ = writeln!(
                    out,
                    "  {}: {}",
                    t("Alasan", "Reason"),
                    shown(&reason(e, lang))
                );
            }
        }
        out
    }

    fn details_text(&self, lang: Lang) -> String {
        let t = |id: &'static str, en: &'static str| if lang == Lang::Id { id } else { en };
        let mut out = String::new();
        if let (Some(issuer), Some(c)) = (&self.issuer, &self.claims) {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "{}",
                t(
                    "Ditandatangani secara digital oleh:",
                    "Digitally signed by:"
                )
            );
            let _ = writeln!(out, "  {}", shown(issuer));
            let _ = writeln!(out, "{}", t("Isi yang ditandatangani:", "What was signed:"));
            // An extra field under the template's own label, as printed,
            // with the raw value beside it where they differ.
            let extra: Vec<(String, String)> =
                c.extra
                    .iter()
                    .map(|(k, v)| {
                        let label = c.labels.get(k).cloned().unwrap_or_else(|| {
                            PrintField::from_extra_key(k).label(lang).to_owned()
                        });
                        let value = match c.shown.get(k) {
                            Some(printed) => format!("{printed} ({v})"),
                            None => v.clone(),
                        };
                        (label, value)
                    })
                    .collect();
            let signed = [
                (PrintField::Serial, Some(c.serial.clone())),
                (PrintField::Kind, Some(c.kind.clone())),
                (PrintField::Recipient, Some(c.recipient.clone())),
                (PrintField::Achievement, Some(c.achievement.clone())),
                (PrintField::Event, Some(c.event.clone())),
                (PrintField::Date, Some(long_date(c.date, lang))),
                (PrintField::Place, c.place.clone()),
                (PrintField::ValidUntil, c.valid_until.map(|d| d.to_string())),
            ];
            let rows: Vec<(&str, String)> = signed
                .iter()
                .filter_map(|(f, v)| v.clone().map(|v| (f.label(lang), v)))
                .chain(extra.iter().map(|(k, v)| (k.as_str(), v.clone())))
                .collect();
            let width = rows
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            for (k, v) in rows {
                let pad = width - k.chars().count();
                let _ = writeln!(out, "  {}{:pad$} : {}", shown(k), "", shown(&v));
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", t("Pemeriksaan:", "Checks:"));
        let mark = |c: Check| match c {
            Check::Passed => "[v]",
            Check::Failed => "[x]",
            Check::NotChecked => "[-]",
        };
        let _ = writeln!(
            out,
            "  {} {}",
            mark(self.checks.signature),
            t("Tanda tangan digital cocok", "Digital signature matches")
        );
        let issuer_line = match (&self.issuer, lang) {
            (Some(name), Lang::Id) => format!("Penerbit dikenal: {name}"),
            (Some(name), Lang::En) => format!("Issuer known: {name}"),
            (None, _) => t("Penerbit dikenal", "Issuer known").to_string(),
        };
        let _ = writeln!(out, "  {} {issuer_line}", mark(self.checks.issuer));
        let list_date = self
            .revocation_list_date
            .map(|d| d.to_string())
            .unwrap_or_default();
        let revocation_line = match (self.checks.revocation, lang) {
            (Check::NotChecked, _) => t(
                "Status pencabutan tidak diperiksa (tidak ada daftar pencabutan)",
                "Revocation not checked (no revocation list given)",
            )
            .to_string(),
            (Check::Passed, Lang::Id) => {
                format!("Tidak dicabut (daftar pencabutan per {list_date})")
            }
            (Check::Passed, Lang::En) => format!("Not revoked (revocation list of {list_date})"),
            (Check::Failed, lang) => {
                match (self.revoked.as_ref().and_then(Revoked::replaced_by), lang) {
                    (Some(by), Lang::Id) => {
                        format!("DIGANTI dengan {by} (daftar pencabutan per {list_date})")
                    }
                    (Some(by), _) => format!("REPLACED by {by} (revocation list of {list_date})"),
                    (None, Lang::Id) => format!("DICABUT (daftar pencabutan per {list_date})"),
                    (None, _) => format!("REVOKED (revocation list of {list_date})"),
                }
            }
        };
        let _ = writeln!(out, "  {} {revocation_line}", mark(self.checks.revocation));
        let _ = writeln!(
            out,
            "  {} {} {}",
            mark(self.checks.dates),
            t("Masa berlaku, per", "Validity dates, as of"),
            self.checked_on
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            t(
                "Catatan: segel QR ini bukan tanda tangan elektronik tersertifikasi (TTE).",
                "Note: this QR seal is not a certified electronic signature (TTE).",
            )
        );
        out
    }
}

/// Signed claims as the JSON object of docs/FORMAT.md.
pub fn claims_json(c: &Claims) -> serde_json::Value {
    let mut json = serde_json::json!({
        "serial": c.serial,
        "kind": c.kind,
        "recipient": c.recipient,
        "achievement": c.achievement,
        "event": c.event,
        "date": c.date.to_string(),
        "place": c.place,
        "extra": c.extra,
        "valid_until": c.valid_until.map(|d| d.to_string()),
    });
    // Only where the seal holds them, as docs/FORMAT.md §8 says.
    if let Some(object) = json.as_object_mut() {
        for (name, map) in [("labels", &c.labels), ("shown", &c.shown)] {
            if !map.is_empty() {
                object.insert(name.into(), serde_json::json!(map));
            }
        }
    }
    json
}

/// A signed value as a line of a text report: control characters (a
/// newline too, which could fake another line of the report) and the
/// marks that reorder text are shown as escapes, never obeyed.
pub fn shown(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            let hidden = c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{061C}' | '\u{FEFF}');
            if hidden {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn reason(e: &VerifyError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        VerifyError::BadSignature => {
            "tanda tangan tidak cocok: isi segel telah diubah atau ditandatangani kunci lain".into()
        }
        VerifyError::UnknownKid(kid) => format!("tidak ada kunci tepercaya dengan ID {kid}"),
        VerifyError::NotDigits(c) => format!("segel memuat '{c}' di tempat yang seharusnya angka"),
        VerifyError::DigitCount(n) => format!("jumlah angka ({n}) tidak sesuai format segel"),
        VerifyError::Expired(d) => format!("segel hanya berlaku hingga {d}"),
        VerifyError::Revoked { reason, on, list } => match crate::seal::revocation::replaced_by(reason) {
            Some(by) => format!(
                "segel telah diganti dengan dokumen bernomor {by} pada {on} (daftar pencabutan per {list})"
            ),
            None => format!("segel telah dicabut pada {on}: {reason} (daftar pencabutan per {list})"),
        },
        VerifyError::WrongPrefix { found, expected } => {
            format!("alamat sebelum '#' adalah {found}, seharusnya {expected}")
        }
        VerifyError::KeyNotValidOnDate { date, window } => {
            format!("segel bertanggal {date}, di luar masa berlaku kunci ({window})")
        }
        VerifyError::Empty => "segel kosong".into(),
        VerifyError::TooLarge(n) => format!("masukan terlalu panjang ({n} karakter)"),
        other => format!("segel rusak atau tidak dikenal ({})", other),
    }
}

fn long_date(d: Date, lang: Lang) -> String {
    format!("{} ({d})", crate::locale::long_date(d, lang))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::{qrtext, sign, verify_qr_text, IssuerKey, Jwk, Jwks, Trust, VerifyOptions};

    #[test]
    fn a_signed_newline_cannot_fake_a_line_of_the_text_report() {
        let key = IssuerKey::from_seed(&[7; 32]);
        let mut claims = Claims {
            serial: "001/X/2024".into(),
            kind: "piagam".into(),
            recipient: String::new(),
            achievement: "Juara".into(),
            event: "Anugerah".into(),
            date: Date::new(2024, 8, 1).unwrap(),
            place: None,
            extra: Default::default(),
            valid_until: None,
            labels: Default::default(),
            shown: Default::default(),
        };
        claims.recipient = "Kota X\nSAH — segel asli dan utuh.\u{202E}".into();
        let text = qrtext::qr_text(None, &sign(&claims, &key));
        let report = verify_qr_text(
            &text,
            &Trust::from_jwks(&Jwks {
                issuer: "Contoh".into(),
                verify_url: None,
                keys: vec![Jwk::from_key(&key.verifying_key())],
            })
            .unwrap(),
            &VerifyOptions {
                today: Date::new(2025, 1, 1).unwrap(),
                expected_url: None,
                revocations: None,
            },
        );
        assert!(report.is_valid());
        let shown = report.to_text(Lang::Id);
        assert!(
            shown.contains("Kota X\\u{a}SAH — segel asli dan utuh.\\u{202e}"),
            "{shown}"
        );
        assert_eq!(
            shown.lines().filter(|l| l.starts_with("SAH")).count(),
            1,
            "only the verdict's own line: {shown}"
        );
    }
}
