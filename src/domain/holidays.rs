//! Public holidays by country and subdivision, built in so that no admin types them by date.
//!
//! The days come from `data/holidays.tsv`, generated from the maintained Python `holidays`
//! package by `tools/holidays/generate.py` (its opening comment says how to refresh it), and
//! embedded at build time.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chrono::NaiveDate;

const DATA: &str = include_str!("../../data/holidays.tsv");

/// The years the built-in data covers.
pub const FIRST_YEAR: i32 = 2025;
pub const LAST_YEAR: i32 = 2030;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: &'static str,
}

#[derive(Default)]
struct Table {
    /// (country, subdivision or "") → its days; a subdivision holds only the days it adds.
    days: HashMap<(&'static str, &'static str), Vec<Holiday>>,
    subdivisions: BTreeMap<&'static str, Vec<&'static str>>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Table::default();
        for line in DATA.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["#subdivisions", country, codes] => {
                    table
                        .subdivisions
                        .insert(country, codes.split_whitespace().collect());
                }
                [country, subdivision, date, name] if !country.starts_with('#') => {
                    // The file is generated and embedded, so a bad line is a build defect;
                    // skipping it keeps the rest of the calendar.
                    if let Ok(date) = NaiveDate::parse_from_str(date, "%Y-%m-%d") {
                        table
                            .days
                            .entry((country, subdivision))
                            .or_default()
                            .push(Holiday { date, name });
                    }
                }
                _ => {}
            }
        }
        table
    })
}

/// The public holidays of `country` (ISO 3166 code, e.g. `GB`), with those of `subdivision`
/// (e.g. `ENG`) added, in date order. `Err` says what is known instead.
pub fn public_holidays(country: &str, subdivision: Option<&str>) -> Result<Vec<Holiday>, String> {
    let table = table();
    let country = country.trim().to_ascii_uppercase();
    let Some((&country, codes)) = table.subdivisions.get_key_value(country.as_str()) else {
        let known: Vec<&str> = table.subdivisions.keys().copied().collect();
        return Err(format!(
            "`{country}` is not a country with built-in holidays; use one of {}, or list the days under `holidays`",
            known.join(", ")
        ));
    };
    let mut days = table.days.get(&(country, "")).cloned().unwrap_or_default();
    if let Some(raw) = subdivision {
        let code = codes
            .iter()
            .find(|c| c.eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| {
                if codes.is_empty() {
                    format!("{country} has no subdivisions with their own holidays; remove `subdivision`")
                } else {
                    format!(
                        "`{raw}` is not a subdivision of {country}; use one of {}",
                        codes.join(", ")
                    )
                }
            })?;
        days.extend(table.days.get(&(country, *code)).into_iter().flatten());
        days.sort_by_key(|h| h.date);
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn names_on(country: &str, subdivision: Option<&str>, date: NaiveDate) -> Vec<&'static str> {
        public_holidays(country, subdivision)
            .unwrap()
            .into_iter()
            .filter(|h| h.date == date)
            .map(|h| h.name)
            .collect()
    }

    #[test]
    fn known_dates_are_holidays() {
        let cases = [
            ("GB", Some("ENG"), d(2027, 3, 26), "Good Friday"),
            ("GB", Some("ENG"), d(2027, 3, 29), "Easter Monday"),
            ("IN", None, d(2027, 1, 26), "Republic Day"),
            ("US", None, d(2027, 1, 18), "Martin Luther King Jr. Day"),
            ("US", None, d(2027, 2, 15), "Washington's Birthday"),
            ("DE", None, d(2027, 5, 1), "Labor Day"), // Tag der Arbeit
            ("DE", Some("BY"), d(2027, 1, 6), "Epiphany"),
        ];
        for (country, sub, date, name) in cases {
            assert_eq!(
                names_on(country, sub, date),
                [name],
                "{country} {sub:?} {date}"
            );
        }
    }

    #[test]
    fn a_subdivision_adds_to_its_country_and_no_further() {
        // Easter Monday is a bank holiday in England, not in Scotland.
        assert!(names_on("GB", Some("SCT"), d(2027, 3, 29)).is_empty());
        assert!(names_on("GB", None, d(2027, 3, 29)).is_empty());
        // Epiphany is Bavaria's, not Berlin's.
        assert!(names_on("DE", Some("BE"), d(2027, 1, 6)).is_empty());
        // Codes are read in any case.
        assert_eq!(
            names_on("gb", Some("eng"), d(2027, 3, 29)),
            ["Easter Monday"]
        );
    }

    #[test]
    fn at_least_thirty_countries_cover_every_year() {
        let table = table();
        assert!(
            table.subdivisions.len() >= 30,
            "{}",
            table.subdivisions.len()
        );
        for country in table.subdivisions.keys() {
            let days = public_holidays(country, None).unwrap();
            for year in FIRST_YEAR..=LAST_YEAR {
                assert!(
                    days.iter().any(|h| chrono::Datelike::year(&h.date) == year),
                    "{country} has no holiday in {year}"
                );
            }
        }
    }

    #[test]
    fn unknown_codes_list_the_known_ones() {
        let err = public_holidays("XX", None).unwrap_err();
        assert!(err.contains("GB") && err.contains("US"), "{err}");
        let err = public_holidays("GB", Some("LDN")).unwrap_err();
        assert!(err.contains("ENG, NIR, SCT, WLS"), "{err}");
    }
}
