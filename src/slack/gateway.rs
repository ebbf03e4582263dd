//! The Slack Web API, through slack-morphism's client pointed at `slack.api_base_url` (a fake
//! Slack over plain http in tests). The bot token lives here and is never logged.

use std::sync::Arc;

use anyhow::Context;
use hyper_rustls::HttpsConnectorBuilder;
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::prelude::*;

use slack_morphism::errors::SlackClientError;

use crate::domain::absence::SlackStatus;
use crate::domain::charts::Chart;
use crate::domain::message::Message;
use crate::scheduler::sender::{Failure, Messenger, SendError};

pub struct SlackGateway {
    client: Arc<SlackClient<SlackClientHyperHttpsConnector>>,
    token: Option<SlackApiToken>,
    /// The Slack the bot is pointed at: its `response_url`s may point there too.
    api_origin: Option<url::Origin>,
}

/// Where Slack's `response_url`s point (commercial and GovSlack).
const RESPONSE_HOSTS: [&str; 2] = ["hooks.slack.com", "hooks.slack-gov.com"];

/// How the bot reaches Slack over HTTPS: the system's CA roots where there are any (corporate
/// proxies add their own), else Mozilla's built-in set; plain http stays possible for a local
/// fake Slack. Hyper follows no redirects.
pub fn https_connector()
-> hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector> {
    let builder = match HttpsConnectorBuilder::new().with_native_roots() {
        Ok(b) => b,
        Err(e) => {
            tracing::info!(error = %e, "no system CA certificates; using the built-in roots");
            HttpsConnectorBuilder::new().with_webpki_roots()
        }
    };
    builder
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build()
}

impl SlackGateway {
    pub fn new(api_base: &str, bot_token: Option<&SecretString>) -> anyhow::Result<Self> {
        let https = https_connector();
        let connector = SlackClientHyperConnector::from(https).with_slack_api_url(api_base);
        Ok(Self {
            client: Arc::new(SlackClient::new(connector)),
            token: bot_token.map(|t| {
                SlackApiToken::new(SlackApiTokenValue::new(t.expose_secret().to_string()))
            }),
            api_origin: url::Url::parse(api_base).ok().map(|u| u.origin()),
        })
    }

    /// A payload's `response_url`, if it points to Slack. Anything else is refused, so that
    /// a forged payload cannot make the bot a proxy into the network it runs in.
    fn response_url(&self, raw: &str) -> anyhow::Result<SlackResponseUrl> {
        let url = url::Url::parse(raw).context("response_url is not a URL")?;
        let slack_hook =
            url.scheme() == "https" && url.host_str().is_some_and(|h| RESPONSE_HOSTS.contains(&h));
        if slack_hook || self.api_origin.as_ref() == Some(&url.origin()) {
            Ok(SlackResponseUrl::new(url))
        } else {
            anyhow::bail!(
                "response_url points outside Slack ({}); not followed",
                url.origin().ascii_serialization()
            )
        }
    }

    /// The underlying client, for Socket Mode's listener.
    pub fn client(&self) -> Arc<SlackClient<SlackClientHyperHttpsConnector>> {
        self.client.clone()
    }

    fn session(&self) -> anyhow::Result<SlackClientSession<'_, SlackClientHyperHttpsConnector>> {
        let token = self
            .token
            .as_ref()
            .context("SLACK_BOT_TOKEN is not set, so the bot cannot call Slack")?;
        Ok(self.client.open_session(token))
    }

    /// The workspace the bot is installed in (`auth.test`).
    pub async fn team_id(&self) -> anyhow::Result<String> {
        let answer = self
            .session()?
            .auth_test()
            .await
            .context("auth.test failed")?;
        Ok(answer.team_id.0)
    }

    #[tracing::instrument(skip_all, fields(user = %user_id))]
    pub async fn publish_home(&self, user_id: &str, view: SlackHomeView) -> anyhow::Result<()> {
        let req = SlackApiViewsPublishRequest::new(user_id.into(), SlackView::Home(view));
        self.session()?
            .views_publish(&req)
            .await
            .context("views.publish failed")?;
        Ok(())
    }

    /// Replaces the message a button was clicked in, through the click's `response_url`.
    #[tracing::instrument(skip_all)]
    pub async fn replace_original(&self, response_url: &str, text: &str) -> anyhow::Result<()> {
        let url = self.response_url(response_url)?;
        let req = SlackApiPostWebhookMessageRequest::new(
            SlackMessageContent::new().with_text(text.to_string()),
        )
        .with_replace_original(true);
        self.client
            .respond_to_event(&url, &req)
            .await
            .context("replacing the original message failed")?;
        Ok(())
    }

    /// Opens a modal; `trigger_id` lives three seconds and works once.
    #[tracing::instrument(skip_all)]
    pub async fn open_view(&self, trigger_id: &str, view: SlackView) -> anyhow::Result<()> {
        let req = SlackApiViewsOpenRequest::new(trigger_id.into(), view);
        self.session()?
            .views_open(&req)
            .await
            .context("views.open failed")?;
        Ok(())
    }

    /// Replaces an open modal's content (e.g. the rubric, once a skill is picked).
    #[tracing::instrument(skip_all)]
    pub async fn update_view(&self, view_id: &str, view: SlackView) -> anyhow::Result<()> {
        let req = SlackApiViewsUpdateRequest::new(view).with_view_id(view_id.into());
        self.session()?
            .views_update(&req)
            .await
            .context("views.update failed")?;
        Ok(())
    }

    /// Posts an ephemeral follow-up to a command's `response_url`.
    #[tracing::instrument(skip_all)]
    pub async fn respond(&self, response_url: &str, text: &str) -> anyhow::Result<()> {
        let url = self.response_url(response_url)?;
        let req = SlackApiPostWebhookMessageRequest::new(
            SlackMessageContent::new().with_text(text.to_string()),
        );
        self.client
            .respond_to_event(&url, &req)
            .await
            .context("posting to response_url failed")?;
        Ok(())
    }
}

/// How many of a channel's newest messages are searched for an interrupted send.
const HISTORY_CHECKED: u16 = 200;

/// The metadata type every scheduled message carries, with its outbox key.
const OCCURRENCE_EVENT: &str = "sko_reinforce_occurrence";

/// Sorts slack-morphism's errors by what the sender should do about them.
/// A profile's status as the domain reads it; Slack sends expiration 0 for "no end".
pub fn status_of(profile: &SlackUserProfile) -> SlackStatus {
    SlackStatus {
        emoji: profile
            .status_emoji
            .as_ref()
            .map(|e| e.0.clone())
            .unwrap_or_default(),
        text: profile.status_text.clone().unwrap_or_default(),
        expires: profile
            .status_expiration
            .as_ref()
            .map(|e| e.0.as_second())
            .filter(|secs| *secs > 0)
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0)),
    }
}

/// Without a bot token nothing can be sent; the message is parked with why.
fn not_configured(e: anyhow::Error) -> SendError {
    SendError::Permanent(Failure::new("not_configured", e))
}

fn classify(error: SlackClientError) -> SendError {
    match error {
        SlackClientError::RateLimitError(e) => {
            SendError::RateLimited(e.retry_after.unwrap_or(std::time::Duration::from_secs(1)))
        }
        SlackClientError::ApiError(e) => match e.code.as_str() {
            "ratelimited" => SendError::RateLimited(std::time::Duration::from_secs(1)),
            "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
                SendError::Transient(Failure::slack(e.code))
            }
            _ => SendError::Permanent(Failure::slack(e.code)),
        },
        SlackClientError::HttpError(e) if e.status_code.is_server_error() => SendError::Transient(
            Failure::new("http_5xx", format_args!("HTTP {}", e.status_code)),
        ),
        SlackClientError::HttpError(e) if e.status_code.as_u16() == 429 => {
            SendError::RateLimited(std::time::Duration::from_secs(1))
        }
        SlackClientError::HttpError(e) => SendError::Permanent(Failure::new(
            "http_4xx",
            format_args!("HTTP {}", e.status_code),
        )),
        SlackClientError::ProtocolError(e) => {
            SendError::Transient(Failure::new("invalid_response", e))
        }
        other => SendError::Transient(Failure::new("connection", other)),
    }
}

impl Messenger for std::sync::Arc<SlackGateway> {
    async fn open(&self, users: &[String]) -> Result<String, SendError> {
        let session = self.session().map_err(not_configured)?;
        let req = SlackApiConversationsOpenRequest::new()
            .with_users(users.iter().map(|u| SlackUserId::new(u.clone())).collect());
        let res = session.conversations_open(&req).await.map_err(classify)?;
        Ok(res.channel.id.0)
    }

    async fn post(&self, channel: &str, message: &Message, key: &str) -> Result<String, SendError> {
        let session = self.session().map_err(not_configured)?;
        let metadata = SlackMessageMetadata {
            event_type: OCCURRENCE_EVENT.to_string(),
            event_payload: Some(std::collections::HashMap::from([(
                "key".to_string(),
                key.to_string(),
            )])),
        };
        // The text stays as the notification and accessibility fallback for the blocks.
        let content = SlackMessageContent::new()
            .with_text(message.text.clone())
            .with_blocks(super::blocks::message_blocks(message))
            .with_metadata(metadata);
        let req = SlackApiChatPostMessageRequest::new(channel.into(), content);
        let res = session.chat_post_message(&req).await.map_err(classify)?;
        Ok(res.ts.0)
    }

    async fn timezone(&self, user: &str) -> Result<Option<String>, SendError> {
        let session = self.session().map_err(not_configured)?;
        let res = session
            .users_info(&SlackApiUsersInfoRequest::new(user.into()))
            .await
            .map_err(classify)?;
        Ok(res.user.tz)
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<String>, SendError> {
        let session = self.session().map_err(not_configured)?;
        let req = SlackApiUsersLookupByEmailRequest::new(EmailAddress(email.to_string()));
        match session.users_lookup_by_email(&req).await {
            Ok(res) => Ok(Some(res.user.id.0)),
            Err(SlackClientError::ApiError(e)) if e.code == "users_not_found" => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    async fn share_chart(
        &self,
        channel: &str,
        file_name: &str,
        chart: &Chart,
    ) -> Result<String, SendError> {
        // A few milliseconds of drawing, off the threads that answer Slack.
        let drawing = chart.clone();
        let bytes = tokio::task::spawn_blocking(move || crate::charts::png(&drawing))
            .await
            .map_err(|e| {
                SendError::Permanent(Failure::new(
                    "chart",
                    format_args!("drawing the chart failed: {e}"),
                ))
            })?
            .map_err(|e| {
                SendError::Permanent(Failure::new(
                    "chart",
                    format_args!("the chart could not be drawn: {e:#}"),
                ))
            })?;
        let title = chart.title();
        let session = self.session().map_err(not_configured)?;
        let target = session
            .get_upload_url_external(&SlackApiFilesGetUploadUrlExternalRequest::new(
                file_name.to_string(),
                bytes.len(),
            ))
            .await
            .map_err(classify)?;
        session
            .files_upload_via_url(&SlackApiFilesUploadViaUrlRequest::new(
                target.upload_url,
                bytes,
                "image/png".to_string(),
            ))
            .await
            .map_err(classify)?;
        let done = SlackApiFilesCompleteUploadExternalRequest::new(vec![
            SlackApiFilesComplete::new(target.file_id.clone()).with_title(title.to_string()),
        ])
        .with_channel_id(channel.into());
        session
            .files_complete_upload_external(&done)
            .await
            .map_err(classify)?;
        Ok(target.file_id.0)
    }

    async fn status(&self, user: &str) -> Result<SlackStatus, SendError> {
        let session = self.session().map_err(not_configured)?;
        let req = SlackApiUsersProfileGetRequest::new().with_user(user.into());
        let res = session.users_profile_get(&req).await.map_err(classify)?;
        Ok(status_of(&res.profile))
    }

    async fn find_channel(&self, name: &str) -> Result<Option<String>, SendError> {
        let session = self.session().map_err(not_configured)?;
        let mut cursor = None;
        // Page by page (Slack caps a page at 1,000) until the name turns up or the list ends.
        loop {
            let req = SlackApiConversationsListRequest::new()
                .with_exclude_archived(true)
                .with_limit(1000)
                .with_types(vec![
                    SlackConversationType::Public,
                    SlackConversationType::Private,
                ])
                .opt_cursor(cursor);
            let res = session.conversations_list(&req).await.map_err(classify)?;
            if let Some(found) = res
                .channels
                .iter()
                .find(|c| c.name.as_deref() == Some(name))
            {
                return Ok(Some(found.id.0.clone()));
            }
            match res.response_metadata.and_then(|m| m.next_cursor) {
                Some(next) if !next.0.is_empty() => cursor = Some(next),
                _ => return Ok(None),
            }
        }
    }

    async fn find_posted(&self, channel: &str, key: &str) -> Result<Option<String>, SendError> {
        let session = self.session().map_err(not_configured)?;
        // The newest messages of a bot's DM: an interrupted send is among the last few.
        let req = SlackApiConversationsHistoryRequest::new()
            .with_channel(channel.into())
            .with_include_all_metadata(true)
            .with_limit(HISTORY_CHECKED);
        let res = session
            .conversations_history(&req)
            .await
            .map_err(classify)?;
        Ok(res
            .messages
            .into_iter()
            .find(|m| {
                m.content.metadata.as_ref().is_some_and(|md| {
                    md.event_type == OCCURRENCE_EVENT
                        && md
                            .event_payload
                            .as_ref()
                            .and_then(|p| p.get("key"))
                            .is_some_and(|k| k == key)
                })
            })
            .map(|m| m.origin.ts.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_urls_are_followed_only_to_slack() {
        let gateway = SlackGateway::new("http://127.0.0.1:4000/api/", None).unwrap();
        for ok in [
            "https://hooks.slack.com/commands/T1/2/abc",
            "https://hooks.slack-gov.com/actions/T1/2/abc",
            "http://127.0.0.1:4000/response/1",
        ] {
            assert!(gateway.response_url(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://hooks.slack.com/commands/T1/2/abc",
            "https://hooks.slack.com.example.net/x",
            "http://127.0.0.1:8080/admin",
            "http://169.254.169.254/latest/meta-data/",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(gateway.response_url(refused).is_err(), "{refused}");
        }
    }
}
