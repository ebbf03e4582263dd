//! Scheduled messages reach Slack exactly once: through restarts, downtime, rate limits and
//! server errors, over HTTP to the fake Slack. Time is set by hand, never slept through; the
//! sender's waits, timeouts and crashes mid-send are in `sending`, on paused time.

use sko_reinforce::store::DeliveryStatus;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};

use super::fake_slack::{FakeSlack, Fault};
use super::helpers::*;

/// Monday 11 Jan 2027 (kickoff), 08:31 in New York: the 08:30 sprint prompts are due for the
/// four reps on New York time.
fn monday_0831_new_york() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 11, 13, 31, 0).unwrap()
}

const NEW_YORK_REPS: [&str; 4] = ["U0EAST001", "U0EAST002", "U0EAST003", "U0EAST004"];

fn assert_each_once(slack: &FakeSlack, expected: usize) {
    let per_key = slack.posts_per_key();
    assert_eq!(per_key.len(), expected, "{per_key:#?}");
    assert!(
        per_key.values().all(|n| *n == 1),
        "duplicates: {per_key:#?}"
    );
}

#[tokio::test]
async fn due_prompts_go_to_each_reps_dm_once_even_across_a_restart() {
    let app = TestApp::builder().at(monday_0831_new_york()).spawn().await;

    let report = app.tick().await;

    assert_eq!(report.sent, 4, "{report:?}");
    let posts = app.slack.posts();
    let channels: Vec<String> = posts.iter().map(|p| p.channel.clone()).collect();
    for rep in NEW_YORK_REPS {
        assert!(
            channels.contains(&format!("D{rep}")),
            "{rep} in {channels:?}"
        );
    }
    let dana = posts.iter().find(|p| p.channel == "DU0EAST001").unwrap();
    assert!(
        dana.text
            .starts_with("Week 1: Application. Dana, what will you commit to this week?"),
        "{}",
        dana.text
    );
    assert!(
        dana.key
            .as_deref()
            .unwrap()
            .starts_with("trigger:sprint-kickoff|U0EAST001|2027-01-11T08:30")
    );
    let opens = app.slack.calls_to("conversations.open");
    assert_eq!(opens.len(), 4, "one DM opened per rep, then remembered");

    assert_eq!(app.tick().await.sent, 0);
    let (dir, slack) = app.stop().await;
    let app = TestApp::builder()
        .dir(dir)
        .slack(slack)
        .at(monday_0831_new_york())
        .spawn()
        .await;
    assert_eq!(app.tick().await.sent, 0, "a restart repeats nothing");
    assert_each_once(&app.slack, 4);

    // An hour later it is 08:31 in Chicago: Quinn's prompt, and only hers.
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(app.tick().await.sent, 1);
    assert!(app.slack.posts().last().unwrap().text.contains("Quinn"));
    assert_eq!(app.slack.calls_to("conversations.open").len(), 5);
}

#[tokio::test]
async fn after_downtime_late_messages_inside_the_grace_window_go_and_older_ones_are_skipped() {
    // Up at 07:00 New York, then down until 11:00.
    let app = TestApp::builder()
        .at(Utc.with_ymd_and_hms(2027, 1, 11, 12, 0, 0).unwrap())
        .spawn()
        .await;
    // Only Kolkata's kickoff-day pulse (16:30 there, an hour ago) is due yet.
    assert_eq!(app.tick().await.sent, 1);
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 11, 16, 0, 0).unwrap());

    let kolkata_pulse = app.slack.posts().len();
    let report = app.tick().await;

    // New York's 08:30 is 2½ h late: skipped. Chicago's (1½ h) and Denver's (½ h) still go.
    // (No digest comes on kickoff morning: nothing has happened yet to report.)
    assert_eq!((report.sent, report.skipped), (2, 4), "{report:?}");
    // Several sends are in flight at once, so they may land in either order.
    let mut recipients: Vec<String> = app.slack.posts()[kolkata_pulse..]
        .iter()
        .map(|p| p.channel.clone())
        .collect();
    recipients.sort();
    assert_eq!(recipients, ["DU0WEST003", "DU0WEST005"]);
    let skipped: Vec<_> = app
        .prompts_due()
        .await
        .into_iter()
        .filter(|d| d.status == DeliveryStatus::Skipped)
        .collect();
    assert_eq!(skipped.len(), 4);
    assert!(
        skipped
            .iter()
            .all(|d| d.last_error.as_deref() == Some("missed: later than the grace window"))
    );
    assert!(
        skipped
            .iter()
            .all(|d| NEW_YORK_REPS.contains(&d.occurrence.recipient.key().as_str()))
    );
}

/// Slack's own 429 (status, `Retry-After`, `ratelimited`) over HTTP holds the message for a
/// retry: nothing lost or doubled, notices included. How long it holds is tested on paused
/// time in `sending`; here Slack asks for no wait at all.
#[tokio::test]
async fn a_429_from_slack_is_retried_and_nothing_is_lost_or_doubled() {
    let app = TestApp::builder().at(monday_0831_new_york()).spawn().await;
    app.slack
        .fail_next([Fault::RateLimited(0), Fault::RateLimited(0)]);

    let report = app.tick().await;

    assert_eq!(report.sent, 4, "{report:?}");
    assert_eq!(app.slack.calls_to("chat.postMessage").len(), 6);
    assert_each_once(&app.slack, 4);

    // A notice (a partner told of a pause) goes the same way.
    app.reply("U0EAST001", "/sko", "pause for 1 week").await;
    app.slack.fail_next([Fault::RateLimited(0)]);
    let notices = app.notices_delivered().await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].channel, "DU0WEST001");
    assert_each_once(&app.slack, 5);
}

#[tokio::test]
async fn a_server_error_is_retried_later_with_backoff() {
    let app = TestApp::builder().at(monday_0831_new_york()).spawn().await;
    app.slack.fail_next([Fault::ServerError]);

    let first = app.tick().await;
    assert_eq!((first.sent, first.retried), (3, 1), "{first:?}");
    let waiting: Vec<_> = app
        .prompts_due()
        .await
        .into_iter()
        .filter(|d| d.status == DeliveryStatus::Pending)
        .collect();
    assert_eq!(waiting.len(), 1);
    assert!(
        waiting[0].next_attempt_at > monday_0831_new_york(),
        "backs off"
    );
    assert!(
        waiting[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("HTTP 500")
    );

    assert_eq!(app.tick().await.sent, 0, "not before its time");
    app.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(app.tick().await.sent, 1);
    assert_each_once(&app.slack, 4);
}

#[tokio::test]
async fn what_keeps_failing_is_parked_as_failed_for_the_admin() {
    let app = TestApp::builder()
        .at(monday_0831_new_york())
        .env(&[("SKO__SENDER__MAX_ATTEMPTS", "2")])
        .spawn()
        .await;
    app.slack
        .fail_next([Fault::ServerError, Fault::Refused("channel_not_found")]);

    app.tick().await;
    app.clock.advance(chrono::Duration::minutes(2));
    app.slack.fail_next([Fault::ServerError]);
    app.tick().await;

    let failed: Vec<_> = app
        .deliveries()
        .await
        .into_iter()
        .filter(|d| d.status == DeliveryStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 2, "{failed:#?}");
    let reasons: Vec<&str> = failed
        .iter()
        .map(|d| d.last_error.as_deref().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|r| r.starts_with("channel_not_found")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("HTTP 500") && r.contains("after 2 attempts")),
        "{reasons:?}"
    );
    assert_eq!(app.slack.posts().len(), 2);
}

#[tokio::test]
async fn a_person_the_roster_does_not_place_gets_messages_on_slacks_timezone_for_them() {
    let slack = FakeSlack::start().await;
    slack.set_timezone("U0EAST002", "Europe/Berlin");
    // 08:31 in Berlin: Sam's Monday prompt is due, New York's are hours away.
    let app = TestApp::builder()
        .dir(Arc::new(tempfile::tempdir().unwrap()))
        .slack(slack)
        .at(Utc.with_ymd_and_hms(2027, 1, 11, 7, 31, 0).unwrap())
        .spawn()
        .await;

    app.housekeep().await;
    let report = app.tick().await;

    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(app.slack.posts()[0].channel, "DU0EAST002");
    let asked: Vec<String> = app
        .slack
        .calls_to("users.info")
        .iter()
        .map(|c| c.body["user"].as_str().unwrap().to_string())
        .collect();
    assert!(asked.contains(&"U0EAST002".to_string()));
    assert!(
        !asked.contains(&"U0EAST005".to_string()),
        "Riya's timezone is set in the roster"
    );
    app.housekeep().await;
    assert_eq!(
        app.slack.calls_to("users.info").len(),
        asked.len(),
        "cached for a day"
    );
}

#[tokio::test]
async fn pairs_meet_in_one_group_dm_and_only_pairs_who_did_not_practise_together_are_asked() {
    // Tuesday 12 Jan, 10:01 in New York: Dana's pair (led from New York) is due to meet.
    let app = TestApp::builder()
        .at(Utc.with_ymd_and_hms(2027, 1, 12, 15, 1, 0).unwrap())
        .spawn()
        .await;
    app.tick().await;
    let opened: Vec<Vec<String>> = app
        .slack
        .calls_to("conversations.open")
        .iter()
        .map(|c| {
            c.body["users"]
                .as_str()
                .map(|s| s.split(',').map(str::to_string).collect())
                .unwrap_or_else(|| {
                    c.body["users"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|u| u.as_str().unwrap().to_string())
                        .collect()
                })
        })
        .collect();
    assert!(
        opened.contains(&vec!["U0EAST001".to_string(), "U0WEST001".to_string()]),
        "{opened:?}"
    );
    let checkin = app
        .slack
        .posts()
        .into_iter()
        .find(|p| p.channel == "GU0EAST001_U0WEST001")
        .expect("one group DM");
    assert!(
        checkin.text.contains("<@U0EAST001> and <@U0WEST001>"),
        "{}",
        checkin.text
    );

    // Dana's partner-in-practice is Taylor; the Sam–Jamie pair logs nothing.
    app.tick().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 13, 15, 0, 0).unwrap());
    app.reply(
        "U0EAST001",
        "/practice",
        "discovery with <@U0WEST001|taylor> score 3",
    )
    .await;

    // Thursday, 10:01 New York: the "did you meet?" follow-ups.
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 14, 15, 1, 0).unwrap());
    app.tick().await;
    let asked: Vec<String> = app
        .slack
        .posts()
        .into_iter()
        .filter(|p| p.text.contains("did your check-in happen"))
        .map(|p| p.channel)
        .collect();
    assert!(
        asked.contains(&"GU0EAST002_U0WEST002".to_string()),
        "{asked:?}"
    );
    assert!(
        !asked.contains(&"GU0EAST001_U0WEST001".to_string()),
        "they practised together, which counts: {asked:?}"
    );
    let skipped = app
        .deliveries()
        .await
        .into_iter()
        .find(|d| {
            d.occurrence.source.key() == "checkin-followup"
                && d.occurrence.recipient.key() == "U0EAST001+U0WEST001"
        })
        .unwrap();
    assert_eq!(skipped.status, DeliveryStatus::Skipped);
}
