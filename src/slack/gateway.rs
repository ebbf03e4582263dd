//! The Slack Web API, through slack-morphism's client pointed at `slack.api_base_url` (a fake
//! Slack over plain http in tests). The bot token lives here and is never logged.

use anyhow::Context;
use hyper_rustls::HttpsConnectorBuilder;
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::prelude::*;

pub struct SlackGateway {
    client: SlackClient<SlackClientHyperHttpsConnector>,
    token: Option<SlackApiToken>,
}

impl SlackGateway {
    pub fn new(api_base: &str, bot_token: Option<&SecretString>) -> anyhow::Result<Self> {
        // The system's CA roots where there are any (corporate proxies add their own), else
        // Mozilla's built-in set; plain http stays possible for a local fake Slack.
        let builder = match HttpsConnectorBuilder::new().with_native_roots() {
            Ok(b) => b,
            Err(e) => {
                tracing::info!(error = %e, "no system CA certificates; using the built-in roots");
                HttpsConnectorBuilder::new().with_webpki_roots()
            }
        };
        let https = builder
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let connector = SlackClientHyperConnector::from(https).with_slack_api_url(api_base);
        Ok(Self {
            client: SlackClient::new(connector),
            token: bot_token.map(|t| {
                SlackApiToken::new(SlackApiTokenValue::new(t.expose_secret().to_string()))
            }),
        })
    }

    fn session(&self) -> anyhow::Result<SlackClientSession<'_, SlackClientHyperHttpsConnector>> {
        let token = self
            .token
            .as_ref()
            .context("SLACK_BOT_TOKEN is not set, so the bot cannot call Slack")?;
        Ok(self.client.open_session(token))
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

    /// Posts an ephemeral follow-up to a command's `response_url`.
    #[tracing::instrument(skip_all)]
    pub async fn respond(&self, response_url: &str, text: &str) -> anyhow::Result<()> {
        let url = SlackResponseUrl::new(response_url.parse().context("response_url is not a URL")?);
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
