//! How the bot writes what people read, in one place: dates.

use chrono::NaiveDate;

/// "Fri 15 Jan": short enough for a phone, unambiguous across locales (chrono's names are
/// English whatever the machine's locale).
pub fn day(date: NaiveDate) -> String {
    date.format("%a %-d %b").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
