//! One engine: what `simulate` previews is what `serve` sends, to the second, and what a change
//! makes obsolete is skipped with its reason.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Timelike, Utc};
use sko_reinforce::clock::Clock;
use sko_reinforce::config::Config;
use sko_reinforce::simulate;
use sko_reinforce::store::DeliveryStatus;

use crate::fake_slack::FakeSlack;
use crate::helpers::*;

/// (due instant, recipient, source, text) of every message a person or channel receives.
type Received = Vec<(DateTime<Utc>, String, String, String)>;

/// Runs `serve`'s scheduler from `start` to `end`, waking it whenever it has work, as its own
/// loop would; returns what reached the fake Slack, one line per person reached.
async fn serve_between(app: &TestApp, end: DateTime<Utc>) -> Received {
    loop {
        app.tick().await;
        let now = app.clock.now();
        match app.scheduler.next_wake().await.unwrap() {
            Some(next) if next < end => app.clock.set(next.max(now + Duration::seconds(1))),
            _ => break,
        }
    }
    let sent: Vec<_> = app
        .deliveries()
        .await
        .into_iter()
        .filter(|d| d.status == DeliveryStatus::Sent)
        .collect();
    assert_eq!(
        app.slack.post_count() + app.slack.shared_files().len(),
        sent.len(),
        "one post (or, for a chart, one file) per message sent"
    );
    assert!(app.slack.posts_per_key().values().all(|n| *n == 1));
    let mut got: Received = sent
        .into_iter()
        .flat_map(|d| {
            let occ = d.occurrence;
            let people = match occ.recipient.people() {
                [] => vec![occ.recipient.key()],
                people => people.to_vec(),
            };
            let text = d.text.unwrap_or_default();
            let source = occ.source.key();
            people
                .into_iter()
                .map(move |p| (occ.at, p, source.clone(), text.clone()))
        })
        .collect();
    got.sort();
    got
}

async fn preview(config: &Config, from: NaiveDate, days: u32) -> Received {
    let mut got: Received = simulate::run(
        &config.program,
        &config.sender,
        &simulate::Preview {
            from,
            days,
            sample_activity: false,
            charts: None,
        },
    )
    .await
    .unwrap()
    .into_iter()
    .map(|m| (m.at, m.recipient, m.source, m.text.to_string()))
    .collect();
    got.sort();
    got
}

#[tokio::test]
async fn serve_sends_what_simulate_previews_over_the_same_nine_days() {
    // Kickoff week and the next Tuesday, when week 1's digests arrive (Monday is MLK Day).
    let kickoff = NaiveDate::from_ymd_opt(2027, 1, 11).unwrap();
    // From kickoff midnight in Kolkata (the roster's earliest) to 20 Jan in Los Angeles.
    let start = Utc.with_ymd_and_hms(2027, 1, 10, 18, 30, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2027, 1, 20, 8, 0, 0).unwrap();
    let app = TestApp::builder().at(start).spawn().await;

    let served = serve_between(&app, end).await;
    // Previewed a day longer and cut at the same instant: Kolkata's 20 January has begun.
    let mut previewed = preview(&app.config, kickoff, 10).await;
    previewed.retain(|m| m.0 < end);

    assert!(served.len() > 80, "a week of the program: {}", served.len());
    let only_served: Vec<_> = served.iter().filter(|m| !previewed.contains(m)).collect();
    let only_previewed: Vec<_> = previewed.iter().filter(|m| !served.contains(m)).collect();
    assert!(
        only_served.is_empty() && only_previewed.is_empty(),
        "served, not previewed: {only_served:#?}\npreviewed, not served: {only_previewed:#?}"
    );
    let digests: Vec<_> = served.iter().filter(|m| m.2 == "digest").collect();
    assert_eq!(
        digests.len(),
        2,
        "week 1's digest, on Tuesday: {digests:#?}"
    );
    assert!(
        digests
            .iter()
            .all(|m| m.0.date_naive() == NaiveDate::from_ymd_opt(2027, 1, 19).unwrap())
    );
}

/// One rep in UTC who works every day, and a trigger every ten seconds.
fn every_ten_seconds(audience: &str) -> String {
    format!(
        "[program]\nname = \"Seconds\"\nkickoff = 2027-01-11\ntimezone = \"UTC\"\n\
         working_days = [\"Mon\",\"Tue\",\"Wed\",\"Thu\",\"Fri\",\"Sat\",\"Sun\"]\n\
         [[people]]\nslack_id = \"U0MGR\"\nrole = \"manager\"\ntimezone = \"UTC\"\n\
         [[people]]\nslack_id = \"U0REP\"\nname = \"Rep One\"\nrole = \"rep\"\nmanager = \"U0MGR\"\ntimezone = \"UTC\"\n\
         [[triggers]]\nname = \"often\"\ncron = \"*/10 * * * * *\"\naudience = \"{audience}\"\ntext = \"Ten seconds on.\"\n\
         [checkins]\ncron = \"0 0 10 * * Tue\"\n[digest]\ncron = \"0 0 8 * * Mon\"\n"
    )
}

#[tokio::test]
async fn a_ten_second_trigger_is_sent_every_ten_seconds_as_the_preview_shows() {
    let noon = Utc.with_ymd_and_hms(2027, 1, 12, 12, 0, 0).unwrap();
    let app = TestApp::builder()
        .config(&every_ten_seconds("reps"))
        .at(noon)
        .spawn()
        .await;

    // A tick every second for half a minute, as `serve` ticks.
    for _ in 0..30 {
        app.tick().await;
        app.clock.advance(Duration::seconds(1));
    }

    let posts = app.slack.posts();
    let keys: Vec<String> = posts.iter().map(|p| p.key.clone().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "trigger:often|U0REP|2027-01-12T12:00:00",
            "trigger:often|U0REP|2027-01-12T12:00:10",
            "trigger:often|U0REP|2027-01-12T12:00:20"
        ]
    );
    let day = preview(&app.config, noon.date_naive(), 1).await;
    let that_minute: Vec<u32> = day
        .iter()
        .filter(|m| m.2 == "trigger:often" && m.0 >= noon && m.0 < noon + Duration::minutes(1))
        .map(|m| m.0.second())
        .collect();
    assert_eq!(that_minute, [0, 10, 20, 30, 40, 50]);
    assert_eq!(day.iter().filter(|m| m.2 == "trigger:often").count(), 8_640);
}

#[tokio::test]
async fn a_channel_named_as_people_see_it_is_found_once_and_posted_to() {
    let slack = FakeSlack::start().await;
    slack.add_channel("sko-wins", "C0WINS1234");
    let noon = Utc.with_ymd_and_hms(2027, 1, 12, 12, 0, 0).unwrap();
    let app = TestApp::builder()
        .config(&every_ten_seconds("channel:#sko-wins"))
        .slack(slack)
        .at(noon)
        .spawn()
        .await;

    app.tick().await;
    app.clock.advance(Duration::seconds(10));
    app.tick().await;

    let channels: Vec<String> = app
        .slack
        .posts()
        .iter()
        .map(|p| p.channel.clone())
        .collect();
    assert_eq!(channels, ["C0WINS1234", "C0WINS1234"]);
    assert_eq!(
        app.slack.calls_to("conversations.list").len(),
        1,
        "looked up at start-up, then remembered"
    );
    let deliveries = app.deliveries().await;
    assert_eq!(deliveries[0].occurrence.recipient.key(), "#sko-wins");
}

#[tokio::test]
async fn a_channel_name_slack_does_not_know_stops_the_start_naming_the_trigger() {
    let noon = Utc.with_ymd_and_hms(2027, 1, 12, 12, 0, 0).unwrap();
    let refused = TestApp::builder()
        .config(&every_ten_seconds("channel:#no-such"))
        .at(noon)
        .try_spawn()
        .await;

    let error = format!("{:#}", refused.err().expect("the start is refused"));
    assert!(error.contains("triggers[0].audience"), "{error}");
    assert!(error.contains("`often`"), "{error}");
    assert!(error.contains("#no-such"), "{error}");
    assert!(error.contains("invite the bot"), "{error}");
}

#[tokio::test]
async fn a_pause_skips_what_was_planned_for_the_days_away_with_the_reason() {
    // Monday of week 1, 08:00 in New York: Dana's 08:30 prompt is planned, not yet due.
    let before = Utc.with_ymd_and_hms(2027, 1, 11, 13, 0, 0).unwrap();
    let app = TestApp::builder().at(before).spawn().await;
    app.plan_ahead().await;
    let dana_planned = |ds: &[sko_reinforce::store::Delivery]| {
        ds.iter()
            .filter(|d| d.occurrence.recipient.key() == "U0EAST001")
            .filter(|d| d.occurrence.at < before + Duration::days(7))
            .map(|d| (d.status, d.last_error.clone()))
            .collect::<Vec<_>>()
    };
    let planned = dana_planned(&app.deliveries().await);
    assert!(planned.len() >= 3, "{planned:?}");
    assert!(planned.iter().all(|(s, _)| *s == DeliveryStatus::Pending));

    let reply = app.reply("U0EAST001", "/sko", "pause for 1 week").await;
    assert!(reply.contains("Paused"), "{reply}");
    let report = app.tick().await;

    assert!(report.skipped >= 3, "{report:?}");
    let after = dana_planned(&app.deliveries().await);
    assert!(
        after.iter().all(|(s, why)| *s == DeliveryStatus::Skipped
            && why
                .as_deref()
                .is_some_and(|w| w.starts_with("no longer planned: U0EAST001 paused until"))),
        "{after:?}"
    );
    app.clock.set(before + Duration::minutes(31));
    app.tick().await;
    assert!(
        app.slack.posts().iter().all(|p| p.channel != "DU0EAST001"),
        "nothing reaches Dana while she is away"
    );
    assert!(app.slack.post_count() >= 3, "the others' prompts still go");
}

#[tokio::test]
async fn a_pause_ended_before_its_days_brings_their_messages_back() {
    // Monday of week 1, 08:00 in New York: Dana's 08:30 prompt is planned, not yet due.
    let before = Utc.with_ymd_and_hms(2027, 1, 11, 13, 0, 0).unwrap();
    let app = TestApp::builder().at(before).spawn().await;
    app.plan_ahead().await;
    app.reply(REP, "/sko", "pause for 1 week").await;
    app.tick().await;
    let dana_pending = |ds: Vec<sko_reinforce::store::Delivery>| {
        ds.into_iter()
            .filter(|d| {
                d.occurrence.recipient.key() == REP && d.occurrence.at < before + Duration::days(7)
            })
            .filter(|d| d.status == DeliveryStatus::Pending)
            .count()
    };
    assert_eq!(
        dana_pending(app.deliveries().await),
        0,
        "skipped while away"
    );

    let back = app.reply(REP, "/sko", "resume").await;
    assert!(back.contains("Welcome back"), "{back}");
    let report = app.tick().await;

    assert!(report.planned >= 3, "{report:?}");
    assert!(dana_pending(app.deliveries().await) >= 3, "planned again");
    app.clock.set(before + Duration::minutes(31));
    app.tick().await;
    assert!(
        app.slack.posts().iter().any(|p| p.channel == "DU0EAST001"),
        "Dana's Monday prompt reaches her"
    );
}

#[tokio::test]
async fn a_dense_trigger_is_planned_its_next_minutes_and_a_weekly_message_its_next_week() {
    let noon = Utc.with_ymd_and_hms(2027, 1, 12, 12, 0, 0).unwrap();
    let app = TestApp::builder()
        .config(&every_ten_seconds("reps"))
        .at(noon)
        .spawn()
        .await;

    app.plan_ahead().await;

    let planned = app.deliveries().await;
    let often: Vec<_> = planned
        .iter()
        .filter(|d| d.occurrence.source.key() == "trigger:often")
        .collect();
    // Five minutes of a ten-second trigger for one rep ahead, not the 60,000 a week would
    // hold; and looking back for what was missed, five minutes, not the two-hour grace window.
    let ahead = often.iter().filter(|d| d.occurrence.at >= noon).count();
    assert_eq!(ahead, 30, "from noon on");
    assert!(often.len() <= 61, "{} rows in all", often.len());
    let digest_ahead = planned
        .iter()
        .filter(|d| d.occurrence.source.key() == "digest")
        .map(|d| d.occurrence.at)
        .max();
    assert_eq!(
        digest_ahead,
        Some(Utc.with_ymd_and_hms(2027, 1, 18, 8, 0, 0).unwrap()),
        "next Monday's digest is planned"
    );
}
