//! Slack user mentions as they arrive in command text: `<@U123|name>` or `<@U123>`.

/// What a token that looks like a mention turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mention {
    User(String),
    /// Starts like a mention but is not one Slack would send (cut off, empty, bad id).
    Broken,
    /// `@name` typed without picking the person, so Slack sent no id.
    Unresolved(String),
}

/// Reads `token` as a mention, or `None` when it does not try to be one.
pub fn parse(token: &str) -> Option<Mention> {
    if let Some(rest) = token.strip_prefix("<@") {
        let Some(inner) = rest.strip_suffix('>') else {
            return Some(Mention::Broken);
        };
        let id = inner.split('|').next().unwrap_or_default();
        return Some(if is_user_id(id) {
            Mention::User(id.to_string())
        } else {
            Mention::Broken
        });
    }
    let name = token.strip_prefix('@')?;
    Some(Mention::Unresolved(name.to_string()))
}

/// Slack user ids: `U` or `W` then upper-case letters and digits.
pub fn is_user_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('U' | 'W'))
        && id.len() >= 3
        && id.len() <= 20
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shapes_slack_sends_and_flags_the_rest() {
        let cases = [
            ("<@U123ABC|dana>", Some(Mention::User("U123ABC".into()))),
            ("<@W0ABC>", Some(Mention::User("W0ABC".into()))),
            ("<@U123", Some(Mention::Broken)),
            ("<@>", Some(Mention::Broken)),
            ("<@u123|x>", Some(Mention::Broken)),
            ("<@U12'; DROP TABLE people;-->", Some(Mention::Broken)),
            ("@dana", Some(Mention::Unresolved("dana".into()))),
            ("dana", None),
            ("<#C123|general>", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input), expected, "input {input:?}");
        }
    }
}
