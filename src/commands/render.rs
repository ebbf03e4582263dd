//! Wording shared by the commands: weeks, commitment lines, lists capped for a phone.

use crate::domain::commitment::{Commitment, truncate};
use crate::domain::program::Program;
use crate::domain::words::day;

/// "week 2 (Refinement)", or the plain week outside the sprints.
pub fn week(program: &Program, week: Option<u32>) -> Option<String> {
    let w = week?;
    Some(match program.sprint(w) {
        Some(sprint) => format!("week {w} — {}", sprint.focus),
        None => format!("week {w}"),
    })
}

/// "#3 20 discovery calls by Friday — due Fri 15 Jan"
pub fn commitment_line(c: &Commitment) -> String {
    let mut line = format!("*#{}* {}", c.seq, escape(&truncate(&c.text, 200)));
    if let Some(due) = c.due {
        line.push_str(&format!(" — due {}", day(due)));
    }
    line
}

pub use crate::domain::mrkdwn::escape;

/// Undoes Slack's escaping of command text, so what is stored is what the rep typed.
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// At most `max` lines, then "…and N more", so a long list stays readable.
pub fn capped<T>(items: &[T], max: usize, line: impl Fn(&T) -> String) -> String {
    let mut out: Vec<String> = items.iter().take(max).map(line).collect();
    if items.len() > max {
        out.push(format!("…and {} more", items.len() - max));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_ping_or_link() {
        assert_eq!(
            escape("<!channel> & <http://x|y>"),
            "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"
        );
        assert_eq!(
            escape("with <@U0DANA|dana> <3"),
            "with <@U0DANA|dana> &lt;3"
        );
        assert_eq!(unescape("a &lt;b&gt; &amp;amp;"), "a <b> &amp;");
    }

    #[test]
    fn long_lists_are_capped() {
        let items: Vec<u32> = (1..=30).collect();
        let out = capped(&items, 20, |i| i.to_string());
        assert!(out.ends_with("…and 10 more"));
        assert_eq!(out.lines().count(), 21);
    }
}
