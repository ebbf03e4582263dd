//! Wall-clock time: cron expressions (the `cron` crate's syntax, seconds first) evaluated on a
//! recipient's own clock, and the instant a local time stands for. A leaf: the program model
//! and the schedule both build on it.
//!
//! A 09:00 trigger fires at 09:00 local on both sides of a DST change. A local time that
//! happens twice (autumn) is its first instant; one that does not exist (spring) is the next
//! minute that does.

use std::str::FromStr;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, de::Error};

/// A cron expression in the `cron` crate's syntax, seconds first, checked when loaded.
#[derive(Debug, Clone)]
pub struct CronExpr {
    pub source: String,
    pub schedule: cron::Schedule,
}

impl FromStr for CronExpr {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        cron::Schedule::from_str(raw)
            .map(|schedule| CronExpr {
                source: raw.to_string(),
                schedule,
            })
            .map_err(|e| {
                format!(
                    "`{raw}` is not a cron expression ({e}); write seconds first, e.g. \"0 0 9 * * Mon\" for 09:00 every Monday"
                )
            })
    }
}

impl<'de> Deserialize<'de> for CronExpr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

/// The wall-clock times `cron` names in `tz` whose instants fall in `[from, to)`.
pub fn wall_clock_times(
    cron: &CronExpr,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(NaiveDateTime, DateTime<Utc>)> {
    // Cron runs over naive wall-clock time (UTC stands in for "no timezone"). The window's
    // ends are read on `tz`'s clock; three hours each side cover a DST change within it and a
    // time in a spring gap that resolves forward into it (a dense cron would otherwise walk a
    // day of times to plan a minute).
    let start = from.with_timezone(&tz).naive_local() - Duration::hours(3);
    let end = to.with_timezone(&tz).naive_local() + Duration::hours(3);
    cron.schedule
        .after(&Utc.from_utc_datetime(&start))
        .map(|t| t.naive_utc())
        .take_while(|naive| *naive < end)
        .map(|naive| (naive, resolve(tz, naive)))
        .filter(|(_, at)| *at >= from && *at < to)
        .collect()
}

/// The instant of a wall-clock time: the first of two in an autumn overlap, the next minute
/// that exists in a spring gap.
pub fn resolve(tz: Tz, naive: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.to_utc(),
        LocalResult::None => (1..=24 * 60)
            .find_map(|m| {
                tz.from_local_datetime(&(naive + Duration::minutes(m)))
                    .earliest()
            })
            .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.to_utc()),
    }
}
