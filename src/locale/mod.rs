//! Indonesian and English words for dates and ranks.

use crate::date::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Id,
    En,
}

const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const HARI: [&str; 7] = [
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const ROMAN: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

/// "1 Agustus 2024" or "1 August 2024".
pub fn long_date(date: Date, lang: Language) -> String {
    let months = match lang {
        Language::Id => &BULAN,
        Language::En => &MONTHS,
    };
    format!(
        "{} {} {}",
        date.day(),
        months[usize::from(date.month() - 1)],
        date.year()
    )
}

/// "Kamis" or "Thursday".
pub fn weekday_name(date: Date, lang: Language) -> &'static str {
    let names = match lang {
        Language::Id => &HARI,
        Language::En => &DAYS,
    };
    names[usize::from(date.weekday())]
}

/// The month in Roman numerals, as used in Indonesian letter numbers: "VIII".
pub fn roman_month(date: Date) -> &'static str {
    ROMAN[usize::from(date.month() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_and_english_dates() {
        let d: Date = "2024-08-01".parse().unwrap();
        assert_eq!(long_date(d, Language::Id), "1 Agustus 2024");
        assert_eq!(long_date(d, Language::En), "1 August 2024");
        assert_eq!(weekday_name(d, Language::Id), "Kamis");
        assert_eq!(roman_month(d), "VIII");
    }
}
