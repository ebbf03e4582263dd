//! Out of office as people already say it: a Slack status like :palm_tree: "Vacationing"
//! pauses them until it expires or is cleared, so nobody edits the roster for a holiday.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

/// `[absence]`: which statuses mean away.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AbsenceRules {
    /// Read people's Slack status at all.
    pub slack_status: bool,
    /// Status emoji that mean away, with or without colons: `:palm_tree:` or `palm_tree`.
    pub emoji: Vec<String>,
    /// Words or phrases in the status text that mean away, in any case.
    pub keywords: Vec<String>,
}

impl Default for AbsenceRules {
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Self {
            slack_status: true,
            emoji: list(&[
                ":palm_tree:",
                ":airplane:",
                ":face_with_thermometer:",
                ":beach_with_umbrella:",
                ":desert_island:",
            ]),
            keywords: list(&[
                "ooo",
                "out of office",
                "vacation",
                "vacationing",
                "holiday",
                "pto",
                "leave",
                "sick",
            ]),
        }
    }
}

/// A person's status as Slack reports it (`users.profile.get`, `user_change`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackStatus {
    pub emoji: String,
    pub text: String,
    /// When Slack clears it; `None` when it stays until the person clears it.
    pub expires: Option<DateTime<Utc>>,
}

/// Away according to Slack: back on `back`, or at no date yet (until the status is cleared).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Absence {
    pub back: Option<NaiveDate>,
}

impl AbsenceRules {
    /// Whether `status` says its person is away at `now`, and until when in their timezone.
    /// A status ending before noon gives that day back; later, the next day.
    pub fn absence(&self, status: &SlackStatus, tz: Tz, now: DateTime<Utc>) -> Option<Absence> {
        if !self.slack_status || status.expires.is_some_and(|e| e <= now) {
            return None;
        }
        let emoji = bare_emoji(&status.emoji);
        let by_emoji = !emoji.is_empty() && self.emoji.iter().any(|e| bare_emoji(e) == emoji);
        let words = words(&status.text);
        let by_text = self.keywords.iter().any(|k| {
            let phrase = self::words(k);
            !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase.as_slice())
        });
        if !(by_emoji || by_text) {
            return None;
        }
        let back = status.expires.map(|e| {
            let local = e.with_timezone(&tz);
            let day = local.date_naive();
            if local.hour() < 12 {
                day
            } else {
                day.succ_opt().unwrap_or(day)
            }
        });
        Some(Absence { back })
    }
}

/// `:palm_tree:` and `palm_tree` are one emoji, and so is `:wave::skin-tone-3:`.
fn bare_emoji(raw: &str) -> &str {
    let raw = raw.trim().trim_start_matches(':');
    raw.split(':').next().unwrap_or_default()
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn status(emoji: &str, text: &str, expires: Option<DateTime<Utc>>) -> SlackStatus {
        SlackStatus {
            emoji: emoji.into(),
            text: text.into(),
            expires,
        }
    }

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn statuses_that_mean_away_and_those_that_do_not() {
        let rules = AbsenceRules::default();
        let now = utc(2027, 1, 12, 9);
        let tz = chrono_tz::America::New_York;
        let away = |s: SlackStatus| rules.absence(&s, tz, now).is_some();
        assert!(away(status(":palm_tree:", "Vacationing", None)));
        assert!(away(status("palm_tree", "", None)));
        assert!(away(status(":airplane:", "", None)));
        assert!(away(status("", "OOO until Monday", None)));
        assert!(away(status("", "Out of Office", None)));
        assert!(away(status(":thermometer:", "sick today", None)));
        assert!(away(status("", "On parental leave", None)));
        assert!(!away(status(":spiral_calendar_pad:", "In a meeting", None)));
        assert!(!away(status(
            ":house_with_garden:",
            "Working remotely",
            None
        )));
        assert!(!away(status("", "", None)));
        // Whole words only: "leave" is not in "leaves", "ooo" not in "Zoooom".
        assert!(!away(status("", "Zoooom call, leaves at 5", None)));
    }

    #[test]
    fn an_expiry_gives_the_day_back_and_a_past_one_is_no_absence() {
        let rules = AbsenceRules::default();
        let tz = chrono_tz::America::New_York;
        let now = utc(2027, 1, 12, 14);
        // Ends Monday 18 Jan 09:00 in New York (14:00 UTC): back that Monday.
        let monday_morning = status(":palm_tree:", "", Some(utc(2027, 1, 18, 14)));
        assert_eq!(
            rules.absence(&monday_morning, tz, now),
            Some(Absence {
                back: Some(date(2027, 1, 18))
            })
        );
        // Ends Friday 15 Jan 17:00 in New York: back on the Saturday.
        let friday_evening = status(":palm_tree:", "", Some(utc(2027, 1, 15, 22)));
        assert_eq!(
            rules.absence(&friday_evening, tz, now).unwrap().back,
            Some(date(2027, 1, 16))
        );
        let over = status(":palm_tree:", "", Some(utc(2027, 1, 12, 13)));
        assert_eq!(rules.absence(&over, tz, now), None);
        let open_ended = status(":palm_tree:", "", None);
        assert_eq!(
            rules.absence(&open_ended, tz, now),
            Some(Absence { back: None })
        );
    }

    #[test]
    fn rules_are_the_admins_to_change_or_switch_off() {
        let tz = chrono_tz::UTC;
        let now = utc(2027, 1, 12, 9);
        let off = AbsenceRules {
            slack_status: false,
            ..AbsenceRules::default()
        };
        assert_eq!(off.absence(&status(":palm_tree:", "", None), tz, now), None);
        let custom = AbsenceRules {
            slack_status: true,
            emoji: vec![":camping:".into()],
            keywords: vec!["Congé".into()],
        };
        assert!(
            custom
                .absence(&status(":camping:", "", None), tz, now)
                .is_some()
        );
        assert!(
            custom
                .absence(&status("", "en congé", None), tz, now)
                .is_some()
        );
        assert!(
            custom
                .absence(&status(":palm_tree:", "", None), tz, now)
                .is_none()
        );
    }
}
