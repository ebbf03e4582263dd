//! Where the database is: a URL parsed once into which database it names, shown everywhere
//! (logs, errors, `Debug`) with its password as `***`.

use std::fmt;
use std::str::FromStr;

/// The databases the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A file, one process: the default.
    Sqlite,
    /// Shared by several replicas.
    Postgres,
}

/// `sqlite://…` or `postgres://…` (`postgresql://`), as given; its password, if any, only
/// through [`DatabaseUrl::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    backend: Backend,
}

impl DatabaseUrl {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with its password, for connecting and nothing else.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// True when the URL itself carries a password.
    pub fn has_password(&self) -> bool {
        self.backend == Backend::Postgres
            && url::Url::parse(&self.raw).is_ok_and(|u| u.password().is_some())
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let backend = if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Backend::Postgres
        } else if raw.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            // What follows an `@` is the host; what comes before it may be a password.
            let shown = raw.split_once('@').map_or(raw, |(_, host)| host);
            return Err(format!(
                "`{shown}` is neither a SQLite nor a PostgreSQL URL; use e.g. sqlite://sko-reinforce.db or postgres://sko@db.internal/sko"
            ));
        };
        Ok(DatabaseUrl {
            raw: raw.to_string(),
            backend,
        })
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match url::Url::parse(&self.raw) {
            Ok(mut parsed) if parsed.password().is_some() => {
                let _ = parsed.set_password(Some("***"));
                f.write_str(parsed.as_str())
            }
            _ => f.write_str(&self.raw),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

impl<'de> serde::Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_is_read_once_from_the_scheme() {
        let cases = [
            ("sqlite://sko.db", Backend::Sqlite),
            ("sqlite::memory:", Backend::Sqlite),
            ("postgres://sko@db/sko", Backend::Postgres),
            ("postgresql://sko@db/sko", Backend::Postgres),
        ];
        for (raw, backend) in cases {
            assert_eq!(
                raw.parse::<DatabaseUrl>().unwrap().backend(),
                backend,
                "{raw}"
            );
        }
        let refused = "mysql://sko:hunter2@db/sko"
            .parse::<DatabaseUrl>()
            .unwrap_err();
        assert!(refused.contains("`db/sko` is neither"), "{refused}");
        assert!(!refused.contains("hunter2"));
    }

    #[test]
    fn a_password_never_shows() {
        let url: DatabaseUrl = "postgres://sko:hunter2@db.internal:5432/sko"
            .parse()
            .unwrap();
        assert!(url.has_password());
        assert_eq!(url.to_string(), "postgres://sko:***@db.internal:5432/sko");
        assert!(!format!("{url:?}").contains("hunter2"));
        assert!(url.expose().contains("hunter2"));
        let plain: DatabaseUrl = "sqlite://sko.db".parse().unwrap();
        assert!(!plain.has_password());
        assert_eq!(plain.to_string(), "sqlite://sko.db");
    }
}
