//! Indonesian and English words for dates and ranks.

use crate::date::Date;

/// The one language type of piagam: documents, reports and the command line.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Id,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Id, Language::En];

    /// The BCP 47 tag: "id" or "en".
    pub fn code(self) -> &'static str {
        match self {
            Language::Id => "id",
            Language::En => "en",
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Language {
    type Err = String;

    fn from_str(s: &str) -> Result<Language, String> {
        Language::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown language '{s}' (use id or en)"))
    }
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
/// A number from 1 to 3999 in Roman numerals (`2` → `II`, as in
/// "Peringkat II"); none outside that range.
pub fn roman(n: u64) -> Option<String> {
    if !(1..4000).contains(&n) {
        return None;
    }
    const PARTS: [(u64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut rest = n;
    let mut out = String::new();
    for (value, letters) in PARTS {
        while rest >= value {
            out.push_str(letters);
            rest -= value;
        }
    }
    Some(out)
}

pub fn roman_month(date: Date) -> &'static str {
    ROMAN[usize::from(date.month() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals() {
        let cases = [
            (1, "I"),
            (2, "II"),
            (4, "IV"),
            (9, "IX"),
            (14, "XIV"),
            (40, "XL"),
        ];
        for (n, r) in cases {
            assert_eq!(roman(n).as_deref(), Some(r));
        }
        assert_eq!(roman(1994).as_deref(), Some("MCMXCIV"));
        assert_eq!(roman(3999).as_deref(), Some("MMMCMXCIX"));
        assert_eq!(roman(0), None);
        assert_eq!(roman(4000), None);
    }

    #[test]
    fn indonesian_and_english_dates() {
        let d: Date = "2024-08-01".parse().unwrap();
        assert_eq!(long_date(d, Language::Id), "1 Agustus 2024");
        assert_eq!(long_date(d, Language::En), "1 August 2024");
        assert_eq!(weekday_name(d, Language::Id), "Kamis");
        assert_eq!(roman_month(d), "VIII");
    }
}

const SATUAN: [&str; 12] = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas",
];

/// Indonesian number words: 1250 → "seribu dua ratus lima puluh".
pub fn terbilang(n: u64) -> String {
    fn below_thousand(n: u64) -> String {
        match n {
            0..=11 => SATUAN[n as usize].to_owned(),
            12..=19 => format!("{} belas", SATUAN[(n - 10) as usize]),
            20..=99 => {
                let tens = format!("{} puluh", SATUAN[(n / 10) as usize]);
                if n.is_multiple_of(10) {
                    tens
                } else {
                    format!("{tens} {}", SATUAN[(n % 10) as usize])
                }
            }
            _ => {
                let hundreds = if n / 100 == 1 {
                    "seratus".to_owned()
                } else {
                    format!("{} ratus", SATUAN[(n / 100) as usize])
                };
                if n.is_multiple_of(100) {
                    hundreds
                } else {
                    format!("{hundreds} {}", below_thousand(n % 100))
                }
            }
        }
    }
    if n < 1000 {
        return below_thousand(n);
    }
    const SCALES: [(u64, &str); 5] = [
        (1_000_000_000_000_000, "kuadriliun"),
        (1_000_000_000_000, "triliun"),
        (1_000_000_000, "miliar"),
        (1_000_000, "juta"),
        (1_000, "ribu"),
    ];
    let mut parts = Vec::new();
    let mut rest = n;
    for (scale, name) in SCALES {
        let count = rest / scale;
        if count > 0 {
            if scale == 1_000 && count == 1 {
                parts.push("seribu".to_owned());
            } else {
                parts.push(format!("{} {name}", terbilang(count)));
            }
            rest %= scale;
        }
    }
    if rest > 0 {
        parts.push(below_thousand(rest));
    }
    parts.join(" ")
}

/// Indonesian ordinal words, capitalised as on a charter: 1 → "Pertama",
/// 2 → "Kedua", 12 → "Kedua Belas".
pub fn ordinal_id(n: u64) -> String {
    let words = if n == 1 {
        "pertama".to_owned()
    } else {
        format!("ke{}", terbilang(n))
    };
    capitalise_words(&words)
}

const ONES_EN: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS_EN: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// English number words, for numbers below one million.
pub fn words_en(n: u64) -> String {
    match n {
        0..=19 => ONES_EN[n as usize].to_owned(),
        20..=99 => {
            let tens = TENS_EN[(n / 10) as usize];
            if n.is_multiple_of(10) {
                tens.to_owned()
            } else {
                format!("{tens}-{}", ONES_EN[(n % 10) as usize])
            }
        }
        100..=999 => {
            let h = format!("{} hundred", ONES_EN[(n / 100) as usize]);
            if n.is_multiple_of(100) {
                h
            } else {
                format!("{h} {}", words_en(n % 100))
            }
        }
        1000..=999_999 => {
            let t = format!("{} thousand", words_en(n / 1000));
            if n.is_multiple_of(1000) {
                t
            } else {
                format!("{t} {}", words_en(n % 1000))
            }
        }
        _ => n.to_string(),
    }
}

/// English ordinal words: 1 → "First", 21 → "Twenty-First".
pub fn ordinal_en(n: u64) -> String {
    let words = words_en(n);
    // Only the last word changes: "twenty-one" → "twenty-first".
    let (head, last) = match words.rfind(['-', ' ']) {
        Some(i) => (&words[..=i], &words[i + 1..]),
        None => ("", words.as_str()),
    };
    let last = match last {
        "one" => "first".to_owned(),
        "two" => "second".to_owned(),
        "three" => "third".to_owned(),
        "five" => "fifth".to_owned(),
        "eight" => "eighth".to_owned(),
        "nine" => "ninth".to_owned(),
        "twelve" => "twelfth".to_owned(),
        w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
        w => format!("{w}th"),
    };
    capitalise_words(&format!("{head}{last}"))
}

/// Upper-cases the first letter of each word (words split at spaces and '-').
fn capitalise_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c == ' ' || c == '-';
    }
    out
}

/// Words kept lower-case inside an Indonesian or English title.
const PARTICLES: &[&str] = &[
    "dan", "di", "ke", "dari", "yang", "untuk", "pada", "atau", "dengan", "and", "of", "the",
    "for", "in", "on", "at", "to",
];

/// Title case that respects academic and religious titles: a word with a
/// period ("dr.", "S.Kom.", "M.T.I.", "H.") is kept exactly as typed, as are
/// short acronyms ("DKI") unless the whole text is upper-case. Particles such
/// as "dan" stay lower-case except at the start.
pub fn title_case(s: &str) -> String {
    let all_upper = !s.chars().any(char::is_lowercase);
    s.split(' ')
        .enumerate()
        .map(|(i, word)| {
            let letters: String = word.chars().filter(|c| c.is_alphabetic()).collect();
            let is_acronym = !all_upper
                && letters.chars().count() >= 2
                && letters.chars().count() <= 3
                && letters.chars().all(char::is_uppercase);
            if word.contains('.') || is_acronym {
                word.to_owned()
            } else if i > 0 && PARTICLES.contains(&word.to_lowercase().as_str()) {
                word.to_lowercase()
            } else {
                let mut out = String::new();
                let mut first = true;
                for c in word.chars() {
                    if first && c.is_alphabetic() {
                        out.extend(c.to_uppercase());
                        first = false;
                    } else {
                        out.extend(c.to_lowercase());
                    }
                }
                out
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod word_tests {
    use super::*;

    #[test]
    fn indonesian_number_words() {
        assert_eq!(terbilang(0), "nol");
        assert_eq!(terbilang(11), "sebelas");
        assert_eq!(terbilang(19), "sembilan belas");
        assert_eq!(terbilang(100), "seratus");
        assert_eq!(terbilang(148), "seratus empat puluh delapan");
        assert_eq!(terbilang(1000), "seribu");
        assert_eq!(terbilang(2024), "dua ribu dua puluh empat");
        assert_eq!(terbilang(1_250_000), "satu juta dua ratus lima puluh ribu");
    }

    #[test]
    fn ordinals_in_both_languages() {
        assert_eq!(ordinal_id(1), "Pertama");
        assert_eq!(ordinal_id(2), "Kedua");
        assert_eq!(ordinal_id(3), "Ketiga");
        assert_eq!(ordinal_id(10), "Kesepuluh");
        assert_eq!(ordinal_id(12), "Kedua Belas");
        assert_eq!(ordinal_en(1), "First");
        assert_eq!(ordinal_en(2), "Second");
        assert_eq!(ordinal_en(12), "Twelfth");
        assert_eq!(ordinal_en(20), "Twentieth");
        assert_eq!(ordinal_en(21), "Twenty-First");
    }

    #[test]
    fn title_case_keeps_academic_titles() {
        assert_eq!(
            title_case("dr. muhammad ma’ruf, S.Kom., M.T.I."),
            "dr. Muhammad Ma’ruf, S.Kom., M.T.I."
        );
        assert_eq!(
            title_case("DINAS KOMUNIKASI DAN INFORMATIKA PROVINSI DKI JAKARTA"),
            "Dinas Komunikasi dan Informatika Provinsi Dki Jakarta"
        );
        assert_eq!(
            title_case("pemerintah provinsi DKI jakarta"),
            "Pemerintah Provinsi DKI Jakarta"
        );
        assert_eq!(title_case("Dr. dr. H. Muhammad"), "Dr. dr. H. Muhammad");
    }
}
