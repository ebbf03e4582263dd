//! Sign in with Slack (OpenID Connect): the authorize URL, the code exchanged at
//! `openid.connect.token`, and the id token verified by `openidconnect` against Slack's keys:
//! RS256 only, issuer `https://slack.com`, audience our client id, unexpired, the login's nonce,
//! and the team the bot is installed in. HTTP goes through hyper, which follows no redirects.

use std::sync::Arc;

use anyhow::Context;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use openidconnect::core::{
    CoreGenderClaim, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
};
use openidconnect::{AdditionalClaims, ClientId, IdToken, IssuerUrl, Nonce};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::clock::Clock;
use crate::config::WebConfig;

const ISSUER: &str = "https://slack.com";

/// The claims Slack adds to its id tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlackClaims {
    #[serde(rename = "https://slack.com/user_id")]
    pub user_id: Option<String>,
    #[serde(rename = "https://slack.com/team_id")]
    pub team_id: Option<String>,
}
impl AdditionalClaims for SlackClaims {}

pub type SlackIdToken = IdToken<
    SlackClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// Why a sign-in was refused, in words for the page that says so. Never a session.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("this sign-in link is not one we started, or it was used already; start again")]
    UnknownState,
    #[error("Slack did not sign you in ({0}); start again")]
    NotSignedIn(String),
    #[error("Slack's answer could not be verified ({0}); start again")]
    Unverified(String),
    #[error("you signed in to another Slack workspace than the one this bot is installed in")]
    OtherWorkspace,
    #[error("Slack could not be reached to check the sign-in; try again in a minute")]
    Unreachable(#[source] anyhow::Error),
}

type Https = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

pub struct SlackSignIn {
    client_id: String,
    secret: SecretString,
    authorize: Url,
    keys: Url,
    token: Url,
    redirect_uri: String,
    http: Client<Https, Full<bytes::Bytes>>,
    clock: Arc<dyn Clock>,
}

impl SlackSignIn {
    pub fn new(
        web: &WebConfig,
        api_base: &str,
        secret: SecretString,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let at = |path: &str| {
            web.slack_url
                .join(path)
                .with_context(|| format!("web.slack_url + {path}"))
        };
        let https = crate::slack::gateway::https_connector();
        Ok(Self {
            client_id: web.client_id.clone(),
            secret,
            authorize: at("/openid/connect/authorize")?,
            keys: at("/openid/connect/keys")?,
            token: Url::parse(&format!("{api_base}/openid.connect.token"))
                .context("slack.api_base_url + /openid.connect.token")?,
            redirect_uri: web.url("/auth/slack/callback"),
            http: Client::builder(TokioExecutor::new()).build(https),
            clock,
        })
    }

    /// Slack's authorize URL for a login with `state` and `nonce`.
    pub fn authorize_url(&self, state: &str, nonce: &str) -> String {
        let mut url = self.authorize.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("scope", "openid email profile")
            .append_pair("client_id", &self.client_id)
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .append_pair("redirect_uri", &self.redirect_uri);
        url.into()
    }

    /// Exchanges `code` and verifies the id token it brings: the Slack id of who signed in.
    /// `team_id` is the installed workspace's.
    pub async fn identify(
        &self,
        code: &str,
        nonce: &str,
        team_id: &str,
    ) -> Result<String, Refused> {
        let form = serde_urlencoded::to_string([
            ("code", code),
            ("client_id", &self.client_id),
            ("client_secret", self.secret.expose_secret()),
            ("redirect_uri", &self.redirect_uri),
            ("grant_type", "authorization_code"),
        ])
        .map_err(|e| Refused::Unreachable(e.into()))?;
        let answer: TokenAnswer = self
            .call(http::Method::POST, &self.token, Some(form))
            .await
            .map_err(Refused::Unreachable)?;
        let id_token = match answer {
            TokenAnswer {
                ok: true,
                id_token: Some(token),
                ..
            } => token,
            TokenAnswer { error, .. } => {
                return Err(Refused::NotSignedIn(
                    error.unwrap_or_else(|| "no id token".into()),
                ));
            }
        };
        let keys: CoreJsonWebKeySet = self
            .call(http::Method::GET, &self.keys, None)
            .await
            .map_err(Refused::Unreachable)?;
        let issuer = IssuerUrl::new(ISSUER.into()).expect("Slack's issuer is a URL");
        let clock = self.clock.clone();
        // A public-client verifier: no client secret, so no HMAC; RS256 is its only algorithm.
        let verifier = CoreIdTokenVerifier::new_public_client(
            ClientId::new(self.client_id.clone()),
            issuer,
            keys,
        )
        .set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256])
        .set_time_fn(move || clock.now());
        let token: SlackIdToken = id_token.parse().map_err(|e: serde_json::Error| {
            Refused::Unverified(format!("malformed id token: {e}"))
        })?;
        let claims = token
            .claims(&verifier, &Nonce::new(nonce.to_string()))
            .map_err(|e| Refused::Unverified(e.to_string()))?;
        let extra = claims.additional_claims();
        if extra.team_id.as_deref() != Some(team_id) {
            return Err(Refused::OtherWorkspace);
        }
        Ok(extra
            .user_id
            .clone()
            .unwrap_or_else(|| claims.subject().to_string()))
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: http::Method,
        url: &Url,
        form: Option<String>,
    ) -> anyhow::Result<T> {
        let mut request = http::Request::builder().method(method).uri(url.as_str());
        if form.is_some() {
            request = request.header("content-type", "application/x-www-form-urlencoded");
        }
        let request = request.body(Full::new(bytes::Bytes::from(form.unwrap_or_default())))?;
        let response = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            self.http.request(request),
        )
        .await
        .context("Slack did not answer within 10 s")??;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        anyhow::ensure!(status.is_success(), "{} answered {status}", url.path());
        serde_json::from_slice(&body)
            .with_context(|| format!("{} answered something else than JSON", url.path()))
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    ok: bool,
    id_token: Option<String>,
    error: Option<String>,
}
