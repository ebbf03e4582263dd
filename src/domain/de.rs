//! Deserializers for config values whose error messages must say what a good value looks like.

use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, de::Error};

pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let raw = String::deserialize(d).map_err(|_| D::Error::custom(DATE_HINT))?;
    parse_date(&raw).map_err(D::Error::custom)
}

pub fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    date(d).map(Some)
}

pub fn dates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    let raw = Vec::<String>::deserialize(d).map_err(|_| D::Error::custom(DATES_HINT))?;
    raw.iter()
        .map(|r| parse_date(r))
        .collect::<Result<_, _>>()
        .map_err(D::Error::custom)
}

pub fn timezone<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    let raw = String::deserialize(d)?;
    parse_timezone(&raw).map_err(D::Error::custom)
}

pub fn optional_timezone<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Tz>, D::Error> {
    timezone(d).map(Some)
}

pub fn weekdays<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
    let raw = Vec::<String>::deserialize(d)?;
    raw.iter()
        .map(|r| {
            r.parse::<Weekday>().map_err(|_| {
                D::Error::custom(format!(
                    "`{r}` is not a day of the week; use Mon, Tue, Wed, Thu, Fri, Sat or Sun"
                ))
            })
        })
        .collect()
}

/// A local time of day written `HH:MM`, e.g. `"09:30"`.
pub fn time_of_day<'de, D: Deserializer<'de>>(d: D) -> Result<chrono::NaiveTime, D::Error> {
    let raw = String::deserialize(d)?;
    chrono::NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| {
        D::Error::custom(format!(
            "`{raw}` is not a time of day; use HH:MM, e.g. \"09:30\""
        ))
    })
}

const DATE_HINT: &str = "expected a date like 2027-01-11";
const DATES_HINT: &str = "expected a list of dates like [2027-01-18, 2027-02-15]";

pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{DATE_HINT} (got `{raw}`)"))
}

pub fn parse_timezone(raw: &str) -> Result<Tz, String> {
    raw.trim().parse::<Tz>().map_err(|_| {
        format!("`{raw}` is not an IANA timezone; use a name like America/New_York or Asia/Kolkata")
    })
}
