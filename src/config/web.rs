//! `[web]`: the report on the web, behind Sign in with Slack. On when `base_url` is set.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// The address people open: `https://` in production; `http://` for a local trial, and
    /// then the session cookie is not `Secure`.
    #[serde(deserialize_with = "base_url")]
    pub base_url: url::Url,
    /// The Slack app's client id (Basic Information → App Credentials).
    pub client_id: String,
    /// Where Slack's `/openid/connect/authorize` and `/openid/connect/keys` are.
    #[serde(default = "slack_url", deserialize_with = "slack_url_from")]
    pub slack_url: url::Url,
}

fn http_url<'de, D: serde::Deserializer<'de>>(d: D, example: &str) -> Result<url::Url, D::Error> {
    let raw = String::deserialize(d)?;
    url::Url::parse(raw.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.has_host())
        .ok_or_else(|| serde::de::Error::custom(format!("`{raw}` is not a URL; use {example}")))
}

fn base_url<'de, D: serde::Deserializer<'de>>(d: D) -> Result<url::Url, D::Error> {
    http_url(d, "the address people open, e.g. https://sko.example.com")
}

fn slack_url_from<'de, D: serde::Deserializer<'de>>(d: D) -> Result<url::Url, D::Error> {
    http_url(d, "https://slack.com")
}

fn slack_url() -> url::Url {
    url::Url::parse("https://slack.com").expect("Slack is a URL")
}

impl WebConfig {
    /// `base` with `path` after it, whatever `base_url` ends with.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.as_str().trim_end_matches('/'))
    }

    /// Whether cookies are to be `Secure` (and HSTS sent).
    pub fn https(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// What is wrong with it, if anything: (key, problem).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.client_id.trim().is_empty() {
            out.push(("web.client_id", "empty; copy the Client ID from your Slack app's Basic Information → App Credentials".to_string()));
        }
        if self.base_url.query().is_some() || self.base_url.fragment().is_some() {
            out.push((
                "web.base_url",
                format!(
                    "`{}` has a query or fragment; give the address people open, e.g. https://sko.example.com",
                    self.base_url
                ),
            ));
        }
        out
    }
}
