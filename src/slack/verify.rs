//! The body of a request Slack signed: read within a size cap, then checked with Slack's v0
//! signature (HMAC-SHA256 over `v0:{timestamp}:{body}`, constant-time, timestamp within
//! five minutes) before anything else looks at it.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

/// What the signature check needs, held in the router's state.
#[derive(Clone)]
pub struct SignatureCheck {
    pub verifier: SlackEventSignatureVerifier,
    pub max_body_bytes: usize,
}

/// A request body whose Slack signature has been verified.
pub struct SignedBody {
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Rejection {
    Unsigned,
    BadSignature,
    TooLarge,
    Unreadable,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        // Short and generic: a caller with a bad signature learns nothing about why.
        let (status, text) = match self {
            Rejection::Unsigned => (StatusCode::UNAUTHORIZED, "missing Slack signature headers"),
            Rejection::BadSignature => (
                StatusCode::UNAUTHORIZED,
                "invalid or expired Slack signature",
            ),
            Rejection::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "request body too large"),
            Rejection::Unreadable => (StatusCode::BAD_REQUEST, "request body is not UTF-8 text"),
        };
        (status, text).into_response()
    }
}

impl<S> FromRequest<S> for SignedBody
where
    S: Send + Sync,
    SignatureCheck: FromRef<S>,
{
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Rejection> {
        let check = SignatureCheck::from_ref(state);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|len| len > check.max_body_bytes) {
            return Err(Rejection::TooLarge);
        }
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, check.max_body_bytes)
            .await
            .map_err(|_| Rejection::TooLarge)?;
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let (Some(signature), Some(timestamp)) = (
            header(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER),
            header(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP),
        ) else {
            tracing::warn!("rejected a request without Slack signature headers");
            return Err(Rejection::Unsigned);
        };
        let text = std::str::from_utf8(&body).map_err(|_| Rejection::Unreadable)?;
        if let Err(e) = check.verifier.verify(signature, text, timestamp) {
            // The error names the timestamp and a hash prefix only; never the secret.
            tracing::warn!(error = %e, "rejected a request with a bad Slack signature");
            return Err(Rejection::BadSignature);
        }
        Ok(SignedBody {
            headers: parts.headers,
            body,
        })
    }
}
