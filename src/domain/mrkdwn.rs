//! Slack's mrkdwn, for user-written text: the one place it is escaped. Commitments, notes,
//! pressure plans, names and wins are written by people, and a `<https://…|your CRM>` typed into
//! a form must read as text, not as a disguised link, wherever the bot repeats it.

use super::mention::{self, Mention};

/// Slack's mrkdwn treats `&`, `<` and `>` as control characters, so user text is escaped;
/// a well-formed user mention (`<@U123|dana>`) stays a mention.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
            && matches!(mention::parse(&rest[..=end]), Some(Mention::User(_)))
        {
            out.push_str(&rest[..=end]);
            rest = &rest[end + 1..];
            continue;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `text` escaped, cut to `max` characters (with an ellipsis) first: what a message quotes of
/// what someone wrote.
pub fn quote(text: &str, max: usize) -> String {
    escape(&super::commitment::truncate(text, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_mentions_kept() {
        let cases = [
            (
                "<https://evil.example|your CRM>",
                "&lt;https://evil.example|your CRM&gt;",
            ),
            ("R&D <!channel>", "R&amp;D &lt;!channel&gt;"),
            ("ask <@U0EAST001|dana> first", "ask <@U0EAST001|dana> first"),
            ("<@nobody> 3 > 2", "&lt;@nobody&gt; 3 &gt; 2"),
            ("plain *bold* text", "plain *bold* text"),
        ];
        for (raw, want) in cases {
            assert_eq!(escape(raw), want, "{raw}");
        }
        assert_eq!(quote("<a>bcdef", 4), "&lt;a&gt;b…");
    }
}
