//! How the bot writes what people read, in one place: dates, counts and how long ago.

use chrono::NaiveDate;

/// "Fri 15 Jan": short enough for a phone, unambiguous across locales (chrono's names are
/// English whatever the machine's locale).
/// "75%": `part` of `whole`, rounded down; "—" when there is no whole.
pub fn percent(part: usize, whole: usize) -> String {
    (part * 100)
        .checked_div(whole)
        .map_or_else(|| "—".to_string(), |p| format!("{p}%"))
}

pub fn day(date: NaiveDate) -> String {
    date.format("%a %-d %b").to_string()
}

/// `n` and its noun in the right number: "1 commitment", "3 commitments", "0 commitments"
/// (`noun` is the singular; an irregular plural goes through [`count_as`]).
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {}", noun_for(n, noun))
}

/// The noun alone in the number `n` asks for: "working day", "working days".
pub fn noun_for(n: usize, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

/// As [`count`], with an irregular plural: `count_as(2, "person", "people")`.
pub fn count_as(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How long ago, as people say it: "today", "yesterday", "4 days ago".
pub fn days_ago(days: i64) -> String {
    match days {
        ..=0 => "today".into(),
        1 => "yesterday".into(),
        n => format!("{n} days ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_number_of_their_noun() {
        assert_eq!(count(1, "commitment"), "1 commitment");
        assert_eq!(count(0, "commitment"), "0 commitments");
        assert_eq!(count(3, "practice rep"), "3 practice reps");
        assert_eq!(count_as(2, "person", "people"), "2 people");
        assert_eq!(count_as(1, "person", "people"), "1 person");
        assert_eq!(noun_for(5, "working day"), "working days");
    }

    #[test]
    fn days_ago_read_as_said() {
        assert_eq!(days_ago(0), "today");
        assert_eq!(days_ago(1), "yesterday");
        assert_eq!(days_ago(4), "4 days ago");
    }

    #[test]
    fn days_read_short() {
        assert_eq!(
            day(NaiveDate::from_ymd_opt(2027, 1, 15).unwrap()),
            "Fri 15 Jan"
        );
        assert_eq!(
            day(NaiveDate::from_ymd_opt(2027, 12, 1).unwrap()),
            "Wed 1 Dec"
        );
    }
}
