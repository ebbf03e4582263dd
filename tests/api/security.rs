//! Only requests Slack signed are processed; everything else gets a 4xx and stores nothing.

use super::helpers::*;

const FORM: &str = "application/x-www-form-urlencoded";

#[test]
fn the_test_signer_matches_slacks_published_example() {
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assert_eq!(
        sign(SIGNING_SECRET, 1531420618, body),
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    );
}

async fn assert_nothing_recorded(app: &TestApp) {
    let list = app.reply(REP, "/commit", "list").await;
    assert!(
        list.contains("no open commitments"),
        "a rejected request stored something: {list}"
    );
}

#[tokio::test]
async fn unsigned_forged_stale_and_tampered_commands_are_refused() {
    let app = TestApp::builder().spawn().await;
    let body = command_body(REP, "/commit", "20 forged calls");
    let ts = now_ts();
    let cases = [
        ("no signature", None),
        (
            "wrong secret",
            Some((ts, sign("not-the-secret", ts, &body))),
        ),
        (
            "stale timestamp",
            Some((ts - 600, sign(SIGNING_SECRET, ts - 600, &body))),
        ),
        (
            "future timestamp",
            Some((ts + 600, sign(SIGNING_SECRET, ts + 600, &body))),
        ),
        (
            "signed other body",
            Some((
                ts,
                sign(SIGNING_SECRET, ts, &command_body(REP, "/commit", "1 call")),
            )),
        ),
        ("garbage signature", Some((ts, "v0=zz".to_string()))),
    ];
    for (case, signed) in cases {
        let response = app
            .post_raw("/slack/commands", FORM, body.clone(), signed)
            .await;
        assert_eq!(response.status(), 401, "{case}");
        // The same short answer whatever went wrong: a prober learns nothing of why.
        let why = response.text().await.unwrap();
        assert!(
            [
                "missing Slack signature headers",
                "invalid or expired Slack signature"
            ]
            .contains(&why.as_str()),
            "{case}: {why}"
        );
    }
    assert_nothing_recorded(&app).await;
}

#[tokio::test]
async fn every_slack_endpoint_checks_the_signature() {
    let app = TestApp::builder().spawn().await;
    for path in ["/slack/commands", "/slack/events", "/slack/interactivity"] {
        let ts = now_ts();
        let response = app
            .post_raw(
                path,
                FORM,
                "payload={}".into(),
                Some((ts, sign("wrong", ts, "payload={}"))),
            )
            .await;
        assert_eq!(response.status(), 401, "{path}");
    }
}

#[tokio::test]
async fn a_signature_header_without_timestamp_is_refused() {
    let app = TestApp::builder().spawn().await;
    let body = command_body(REP, "/commit", "20 calls");
    let response = app
        .client
        .post(app.url("/slack/commands"))
        .header("content-type", FORM)
        .header("x-slack-signature", sign(SIGNING_SECRET, now_ts(), &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_nothing_recorded(&app).await;
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let app = TestApp::builder().spawn().await;
    let body = command_body(REP, "/commit", &"x".repeat(70_000));

    let response = app.post_signed("/slack/commands", FORM, body).await;

    assert_eq!(response.status(), 413);
    assert_nothing_recorded(&app).await;
}

#[tokio::test]
async fn malformed_but_signed_payloads_get_400_not_500() {
    let app = TestApp::builder().spawn().await;
    let cases = [
        (
            "/slack/commands",
            FORM,
            "user_id=U1&text=no+command+field".to_string(),
        ),
        ("/slack/commands", FORM, "%%%".to_string()),
        ("/slack/events", "application/json", "{not json".to_string()),
        (
            "/slack/events",
            "application/json",
            r#"{"type":"event_callback"}"#.to_string(),
        ),
        (
            "/slack/events",
            "application/json",
            r#"{"type":"something_new"}"#.to_string(),
        ),
        ("/slack/interactivity", FORM, "nothing=here".to_string()),
        (
            "/slack/interactivity",
            FORM,
            "payload=%7Bbroken".to_string(),
        ),
        (
            "/slack/interactivity",
            FORM,
            "payload=%7B%22type%22%3A%22block_actions%22%7D".to_string(),
        ),
    ];
    for (path, content_type, body) in cases {
        let response = app.post_signed(path, content_type, body.clone()).await;
        assert_eq!(response.status(), 400, "{path} {body}");
        let text = response.text().await.unwrap();
        assert!(!text.is_empty(), "a 400 says what was wrong: {path} {body}");
    }
    let ts = now_ts();
    let invalid_utf8 = app
        .client
        .post(app.url("/slack/commands"))
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", sign(SIGNING_SECRET, ts, "x"))
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_utf8.status(), 400);
}

#[tokio::test]
async fn slacks_ssl_check_is_acknowledged() {
    let app = TestApp::builder().spawn().await;
    let response = app
        .post_signed("/slack/commands", FORM, "ssl_check=1&token=x".into())
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().is_empty());
}
