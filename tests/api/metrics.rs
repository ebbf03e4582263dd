//! `/metrics` in Prometheus text, from real traffic.

use chrono::{TimeZone, Utc};

use super::fake_slack::Fault;
use super::helpers::*;

#[tokio::test]
async fn metrics_count_requests_deliveries_slack_errors_and_the_outbox() {
    let now = Utc.with_ymd_and_hms(2027, 1, 11, 13, 31, 0).unwrap();
    let app = TestApp::builder().at(now).spawn().await;
    app.reply(REP, "/commit", "20 calls").await;
    app.reply(REP, "/commit", "list").await;
    app.post_raw(
        "/slack/commands",
        "application/x-www-form-urlencoded",
        command_body(REP, "/commit", "x"),
        None,
    )
    .await;
    // Each error is labelled with its code, never with words of its text.
    app.slack.fail_next([
        Fault::RateLimited(1),
        Fault::ServerError,
        Fault::Refused("channel_not_found"),
    ]);
    app.tick().await;

    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();

    for line in [
        "sko_http_requests_total{endpoint=\"/slack/commands\",status=\"200\"} 2",
        "sko_http_requests_total{endpoint=\"/slack/commands\",status=\"401\"} 1",
        "sko_deliveries_total{outcome=\"retried\"} 2",
        "sko_deliveries_total{outcome=\"failed\"} 1",
        "sko_slack_api_errors_total{code=\"ratelimited\"} 1",
        "sko_slack_api_errors_total{code=\"http_5xx\"} 1",
        "sko_slack_api_errors_total{code=\"channel_not_found\"} 1",
        "sko_rate_limit_waits_total 1",
        "sko_deliveries_total{outcome=\"sent\"} 2",
        "sko_outbox_messages{state=\"sent\"} 2",
        "sko_outbox_messages{state=\"failed\"} 1",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    assert!(
        text.contains("sko_http_request_duration_seconds_bucket{le=\""),
        "{text}"
    );
    let codes: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("sko_slack_api_errors_total{code=\""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert!(
        codes.iter().all(|c| c
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')),
        "every label a code: {codes:?}"
    );
    assert!(!text.contains(BOT_TOKEN) && !text.contains(SIGNING_SECRET));
}
