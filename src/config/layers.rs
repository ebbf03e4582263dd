//! The layers under the typed config: the TOML file, then `SKO__SECTION__KEY` variables on top,
//! each value remembered with where it came from, so an error names the variable or the
//! file's line and column; and the refusal of secrets written where they do not belong.
//!
//! Hand-written rather than figment's or config-rs's providers: the merge is these few
//! functions, and what they give (the exact variable a bad value came from, a secret refused
//! with where it was and never echoed) would have to be rebuilt on top of either, for a
//! dozen more crates in a first build that is already the slow part of a fresh clone.

use std::collections::BTreeSet;

use super::{ConfigError, ENV_PREFIX};

/// Where the value at `path` came from: the variable that set it (or a table above it), else
/// the file.
pub(super) fn source_of(path: &str, file: &str, overridden: &[(String, String)]) -> String {
    overridden
        .iter()
        .find(|(p, _)| path == p || path.starts_with(&format!("{p}.")))
        .map_or_else(
            || file.to_string(),
            |(_, var)| format!("environment variable {var}"),
        )
}

/// The secrets, by the key someone might try in `[slack]` and the variable that holds them.
const SECRETS: [(&str, &str, &str); 4] = [
    ("slack", "signing_secret", "SLACK_SIGNING_SECRET"),
    ("slack", "bot_token", "SLACK_BOT_TOKEN"),
    ("slack", "app_token", "SLACK_APP_TOKEN"),
    ("web", "client_secret", "SLACK_CLIENT_SECRET"),
];

/// A secret written into the config (or `SKO__SLACK__…`) is refused, naming where it is and
/// where it belongs, and never echoing it: config files get committed and shared.
pub(super) fn refuse_secrets(
    table: &toml::Table,
    source: &str,
    overridden: &[(String, String)],
) -> Result<(), ConfigError> {
    for (section, key, var) in SECRETS {
        let holds = |t: &toml::Value| t.as_table().is_some_and(|t| t.contains_key(key));
        if table.get(section).is_some_and(holds) {
            let path = format!("{section}.{key}");
            return Err(ConfigError::one(
                &source_of(&path, source, overridden),
                &path,
                format!(
                    "secrets are never read from the config: remove it there and set {var} in the environment"
                ),
            ));
        }
    }
    Ok(())
}

/// Writes `SKO__SECTION__KEY=value` into the table; returns the key paths set, with their
/// variable names, so errors can point at the variable rather than the file.
pub(super) fn apply_env(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut set = BTreeSet::new();
    for (var, raw) in env {
        let Some(rest) = var.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let keys: Vec<String> = rest.split("__").map(str::to_lowercase).collect();
        if keys.iter().any(String::is_empty) {
            return Err(ConfigError::one(
                &format!("environment variable {var}"),
                "",
                "use SKO__SECTION__KEY with double underscores, e.g. SKO__SERVER__LISTEN",
            ));
        }
        let (last, parents) = keys.split_last().expect("split yields at least one key");
        let mut node = &mut *table;
        for key in parents {
            let entry = node
                .entry(key.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            node = entry.as_table_mut().ok_or_else(|| {
                ConfigError::one(
                    &format!("environment variable {var}"),
                    &keys.join("."),
                    format!("`{key}` is not a section, so it has no keys to set"),
                )
            })?;
        }
        node.insert(last.clone(), env_value(&raw));
        set.insert((keys.join("."), var));
    }
    Ok(set.into_iter().collect())
}

/// A variable's text as a TOML value when it is one (`60`, `true`, `2027-01-11`, `["Mon"]`),
/// else as a string (`127.0.0.1:0`, `socket`).
fn env_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

/// TOML dates become `YYYY-MM-DD` strings so the domain reads them like any other text.
pub(super) fn dates_to_strings(value: &mut toml::Value) {
    match value {
        toml::Value::Datetime(dt) => *value = toml::Value::String(dt.to_string()),
        toml::Value::Array(items) => items.iter_mut().for_each(dates_to_strings),
        toml::Value::Table(t) => t.iter_mut().for_each(|(_, v)| dates_to_strings(v)),
        _ => {}
    }
}

pub(super) fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {col}")
}
