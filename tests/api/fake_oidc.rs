//! Slack's OpenID Connect side, faked: id tokens signed with a test key (or, to be refused,
//! another key, no signature, a wrong claim), handed out once for a code at
//! `openid.connect.token`, the keys at `/openid/connect/keys`, and an authorize page that
//! signs in whoever the test named and sends the browser back.

use chrono::{DateTime, Duration, Utc};
use openidconnect::core::{CoreGenderClaim, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{
    Audience, EndUserEmail, IdTokenClaims, IssuerUrl, JsonWebKeyId, Nonce, PrivateSigningKey,
    StandardClaims, SubjectIdentifier,
};
use serde_json::{Value, json};
use sko_reinforce::web::{SlackClaims, SlackIdToken};

pub const TEAM: &str = "T0001";
pub const CLIENT_ID: &str = "1234567890.0987654321";
const KEY: &str = include_str!("keys/slack-test.pem");
const OTHER_KEY: &str = include_str!("keys/another-test.pem");

fn key(pem: &str, kid: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.into()))).unwrap()
}

/// The keys Slack publishes: the test key only.
pub fn jwks() -> Value {
    json!({ "keys": [serde_json::to_value(key(KEY, "slack-1").as_verification_key()).unwrap()] })
}

/// An id token as Slack would issue it, and the ways a forged or stale one differs.
#[derive(Debug, Clone)]
pub struct Token {
    pub user: String,
    pub team: String,
    pub nonce: String,
    pub audience: String,
    pub issuer: String,
    pub expires: DateTime<Utc>,
    pub signed: Signed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    /// With Slack's (the test) key.
    Slack,
    /// With a key Slack does not publish, under Slack's key id.
    AnotherKey,
    /// `alg: none`, no signature.
    Unsigned,
}

impl Token {
    /// What Slack issues for `user` of the installed team signing in with `nonce` at `now`.
    pub fn for_user(user: &str, nonce: &str, now: DateTime<Utc>) -> Token {
        Token {
            user: user.into(),
            team: TEAM.into(),
            nonce: nonce.into(),
            audience: CLIENT_ID.into(),
            issuer: "https://slack.com".into(),
            expires: now + Duration::minutes(5),
            signed: Signed::Slack,
        }
    }

    pub fn encode(&self) -> String {
        let claims = IdTokenClaims::<SlackClaims, CoreGenderClaim>::new(
            IssuerUrl::new(self.issuer.clone()).unwrap(),
            vec![Audience::new(self.audience.clone())],
            self.expires,
            self.expires - Duration::minutes(5),
            StandardClaims::new(SubjectIdentifier::new(self.user.clone())).set_email(Some(
                EndUserEmail::new(format!("{}@example.com", self.user)),
            )),
            SlackClaims {
                user_id: Some(self.user.clone()),
                team_id: Some(self.team.clone()),
            },
        )
        .set_nonce(Some(Nonce::new(self.nonce.clone())));
        let alg = CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256;
        match self.signed {
            Signed::Slack => SlackIdToken::new(claims, &key(KEY, "slack-1"), alg, None, None)
                .unwrap()
                .to_string(),
            Signed::AnotherKey => {
                SlackIdToken::new(claims, &key(OTHER_KEY, "slack-1"), alg, None, None)
                    .unwrap()
                    .to_string()
            }
            Signed::Unsigned => {
                use base64::Engine;
                let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
                let header = b64.encode(r#"{"alg":"none","typ":"JWT"}"#);
                let body = b64.encode(serde_json::to_vec(&claims).unwrap());
                format!("{header}.{body}.")
            }
        }
    }
}
