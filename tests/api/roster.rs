//! A roster kept where admins keep it: `roster.csv` people found in Slack by email, joiners and
//! leavers applied to a running program, and Slack statuses that say someone is away.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;
use sko_reinforce::clock::Clock;
use sko_reinforce::store::DeliveryStatus;

use crate::fake_slack::FakeSlack;
use crate::helpers::*;

const CONFIG: &str = r#"
[program]
name = "SKO"
kickoff = 2027-01-11
timezone = "America/New_York"

[roster]
csv = "people.csv"

[pairing]
mode = "auto"

[[triggers]]
name = "daily"
cron = "0 30 8 * * Mon-Fri"
audience = "reps"
text = "Week {week}, {first_name}: one live conversation with the new questions today."
"#;

const HEADER: &str = "email,name,role,manager_email,team,timezone,calendar\n";
const ADMIN: &str = "ops@acme.com,Olu Ops,admin,,Ops,America/New_York,\n";
const BOSS: &str = "boss@acme.com,Pat Boss,manager,,East,America/New_York,\n";

fn rep(name: &str) -> String {
    format!(
        "{}@acme.com,{name} Rep,rep,boss@acme.com,East,America/New_York,\n",
        name.to_lowercase()
    )
}

fn roster(reps: &[&str]) -> String {
    let mut csv = format!("{HEADER}{ADMIN}{BOSS}");
    for r in reps {
        csv.push_str(&rep(r));
    }
    csv
}

fn id(name: &str) -> String {
    format!("U0{}", name.to_uppercase())
}

/// A fake Slack that knows everyone in `names` (and the admin and manager) by email.
async fn slack_knowing(names: &[&str]) -> FakeSlack {
    let slack = FakeSlack::start().await;
    slack.add_user_email("ops@acme.com", "U0OPS");
    slack.add_user_email("boss@acme.com", "U0BOSS");
    for n in names {
        slack.add_user_email(&format!("{}@acme.com", n.to_lowercase()), &id(n));
    }
    slack
}

/// The app at the kickoff morning, with `reps` (and the admin and manager) in `people.csv`.
async fn start_with(slack: FakeSlack, reps: &[&str]) -> TestApp {
    TestApp::builder()
        .config(CONFIG)
        .files(&[("people.csv", &roster(reps))])
        .slack(slack)
        .at(kickoff_morning())
        .spawn()
        .await
}

/// Monday 11 January 2027, 07:00 in New York: the kickoff, before its first prompt.
fn kickoff_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 11, 12, 0, 0).unwrap()
}

/// New York 08:30 on day `day` of January 2027, a minute after the daily prompt.
fn after_prompt(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, day, 13, 31, 0).unwrap()
}

/// Runs the scheduler until `end`, waking it whenever it has work, as its own loop would.
async fn run_until(app: &TestApp, end: DateTime<Utc>) {
    loop {
        app.tick().await;
        let now = app.clock.now();
        match app.scheduler.next_wake().await.unwrap() {
            Some(next) if next < end => app.clock.set(next.max(now + Duration::seconds(1))),
            _ => break,
        }
    }
    app.clock.set(end);
    app.tick().await;
}

fn dm_posts(app: &TestApp, user: &str) -> Vec<String> {
    app.slack
        .posts()
        .into_iter()
        .filter(|p| p.channel == format!("D{user}"))
        .map(|p| p.text)
        .collect()
}

/// The group DMs a check-in went to, as their members.
fn checkin_groups(app: &TestApp) -> Vec<Vec<String>> {
    app.slack
        .posts()
        .into_iter()
        .filter(|p| p.key.as_deref().is_some_and(|k| k.starts_with("checkin|")))
        .map(|p| {
            p.channel
                .trim_start_matches('G')
                .split('_')
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn people_listed_by_email_are_found_in_slack_and_the_unknown_are_named() {
    let slack = slack_knowing(&["Ana", "Ben"]).await;
    let app = start_with(slack, &["Ana", "Ben", "Ghost"]).await;

    app.housekeep().await;
    assert_eq!(
        app.slack.calls_to("users.lookupByEmail").len(),
        5,
        "everyone on the roster is looked up once"
    );
    run_until(&app, after_prompt(11)).await;
    assert_eq!(
        dm_posts(&app, "U0ANA"),
        ["Week 1, Ana: one live conversation with the new questions today."]
    );
    assert_eq!(dm_posts(&app, "U0BEN").len(), 1);

    // The same day, nobody is looked up again; the unknown one is named on the admin's Home.
    app.housekeep().await;
    assert_eq!(app.slack.calls_to("users.lookupByEmail").len(), 5);
    let view = home_of(&app, "U0OPS", "Ev0HOME1").await;
    assert!(view.contains("4 of 5"), "{view}");
    assert!(
        view.contains("ghost@acme.com (Ghost Rep, line 6)"),
        "{view}"
    );
    assert!(view.contains("Slack has nobody with this email"), "{view}");

    // A day later each email is asked about again, and a new account is found.
    app.slack.add_user_email("ghost@acme.com", "U0GHOST");
    app.clock.set(after_prompt(12));
    app.housekeep().await;
    assert_eq!(app.slack.calls_to("users.lookupByEmail").len(), 10);
    run_until(&app, after_prompt(13)).await;
    assert_eq!(
        dm_posts(&app, "U0GHOST"),
        ["Week 1, Ghost: one live conversation with the new questions today."]
    );
}

#[tokio::test]
async fn lookups_keep_within_the_method_tier_and_leave_the_rest_to_later_rounds() {
    let names: Vec<String> = (0..30).map(|i| format!("R{i:02}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let slack = slack_knowing(&names).await;
    slack.enforce_tiers();
    let app = start_with(slack, &names).await;

    app.housekeep().await;
    let first_round = app.slack.calls_to("users.lookupByEmail").len();
    assert_eq!(
        first_round, 10,
        "a round takes the method's burst, not the whole roster"
    );
    app.housekeep().await;
    let second_round = app.slack.calls_to("users.lookupByEmail").len() - first_round;
    assert!(
        second_round <= 1,
        "an immediate round waits for the tier: {second_round}"
    );
    assert_eq!(
        app.slack.refused("users.lookupByEmail"),
        0,
        "no call over the tier"
    );
    // Those found so far are in the program already; the rest join as they are found.
    let home = home_of(&app, "U0OPS", "Ev0FOUND").await;
    assert!(!home.contains("not in this program's roster yet"), "{home}");
    assert!(home.contains(" still to look up"), "{home}");
}

#[tokio::test]
async fn a_429_on_lookups_holds_the_method_and_marks_nobody_unknown() {
    let slack = slack_knowing(&["Ana", "Ben"]).await;
    slack.rate_limit_next("users.lookupByEmail", 30);
    let app = start_with(slack, &["Ana", "Ben"]).await;

    app.housekeep().await;
    assert_eq!(
        app.slack.calls_to("users.lookupByEmail").len(),
        1,
        "after the 429 the round asks nothing more of that method"
    );
    app.housekeep().await;
    assert_eq!(
        app.slack.calls_to("users.lookupByEmail").len(),
        1,
        "still held"
    );
    let home = home_of(&app, "U0ANA", "Ev0HELD").await;
    assert!(
        home.contains("not in this program's roster yet"),
        "nobody found yet: {home}"
    );
}

/// The Home tab `user` is shown, as text.
async fn home_of(app: &TestApp, user: &str, event_id: &str) -> String {
    let before = app.slack.calls_to("views.publish").len();
    app.event(&app_home_opened(event_id, user), None).await;
    let calls = app.slack.wait_for("views.publish", before + 1).await;
    calls
        .into_iter()
        .rev()
        .find(|c| c.body["user_id"] == user)
        .expect("the Home")
        .body["view"]
        .to_string()
}

#[tokio::test]
async fn a_reload_that_adds_and_removes_people_applies_to_the_running_program() {
    let slack = slack_knowing(&["Ana", "Ben", "Cy", "Dee", "Eve"]).await;
    let app = start_with(slack, &["Ana", "Ben", "Cy", "Dee"]).await;
    app.housekeep().await;
    run_until(&app, after_prompt(11)).await;
    assert_eq!(
        dm_posts(&app, "U0BEN").len(),
        1,
        "Ben is on the roster on Monday"
    );

    // Monday noon: the new export has Eve, and Ben has left.
    std::fs::write(
        app.dir.path().join("people.csv"),
        roster(&["Ana", "Cy", "Dee", "Eve"]),
    )
    .unwrap();
    let reply = app.reply("U0OPS", "/sko", "reload").await;
    assert!(reply.starts_with("Reloaded"), "{reply}");
    app.housekeep().await;
    run_until(&app, after_prompt(12)).await;

    let ben: Vec<_> = app
        .deliveries()
        .await
        .into_iter()
        .filter(|d| d.occurrence.recipient.key() == "U0BEN" && d.status != DeliveryStatus::Sent)
        .collect();
    assert!(!ben.is_empty());
    assert!(
        ben.iter().all(|d| d.status == DeliveryStatus::Skipped
            && d.last_error.as_deref() == Some("left the roster")),
        "{ben:?}"
    );
    assert_eq!(dm_posts(&app, "U0BEN").len(), 1, "nothing reaches a leaver");
    assert_eq!(
        dm_posts(&app, "U0EVE"),
        ["Week 1, Eve: one live conversation with the new questions today."],
        "a joiner gets the week's messages from then on"
    );
    // Tuesday's check-ins: everyone on the roster is in one group, Ben in none.
    run_until(&app, Utc.with_ymd_and_hms(2027, 1, 12, 15, 1, 0).unwrap()).await;
    let groups = checkin_groups(&app);
    let mut members: Vec<String> = groups.iter().flatten().cloned().collect();
    members.sort();
    assert_eq!(members, ["U0ANA", "U0CY", "U0DEE", "U0EVE"], "{groups:?}");
    assert!(groups.iter().all(|g| g.len() >= 2), "{groups:?}");
}

#[tokio::test]
async fn a_slack_status_that_says_away_pauses_until_it_expires() {
    let slack = slack_knowing(&["Ana", "Ben", "Cy", "Dee"]).await;
    // Ana: vacationing until Thursday 14 January, 00:00 in New York.
    let back = Utc.with_ymd_and_hms(2027, 1, 14, 5, 0, 0).unwrap();
    slack.set_status("U0ANA", ":palm_tree:", "Vacationing", back.timestamp());
    slack.set_status("U0BEN", ":spiral_calendar_pad:", "In a meeting", 0);
    let app = start_with(slack, &["Ana", "Ben", "Cy", "Dee"]).await;
    app.housekeep().await;
    assert!(!app.slack.calls_to("users.profile.get").is_empty());
    run_until(&app, after_prompt(14)).await;

    assert_eq!(
        dm_posts(&app, "U0ANA"),
        ["Week 1, Ana: one live conversation with the new questions today."],
        "nothing while away; Thursday's prompt once back"
    );
    assert_eq!(
        dm_posts(&app, "U0BEN").len(),
        4,
        "a meeting is not an absence"
    );
    let groups = checkin_groups(&app);
    assert!(
        groups.iter().all(|g| !g.contains(&"U0ANA".to_string())),
        "{groups:?}"
    );
    let mut members: Vec<String> = groups.iter().flatten().cloned().collect();
    members.sort();
    assert_eq!(
        members,
        ["U0BEN", "U0CY", "U0DEE"],
        "Ana's partner meets with the others"
    );

    // Cy sets an away status with no end: a user_change event pauses him at once.
    let event = json!({
        "token": "x", "team_id": "T0001", "api_app_id": "A0APP", "type": "event_callback",
        "event_id": "Ev0CHANGE1", "event_time": 1_800_000_000,
        "event": { "type": "user_change", "event_ts": "1800000000.000100", "cache_ts": 1_800_000_000,
            "user": { "id": "U0CY", "tz": "America/New_York",
                "profile": { "status_emoji": ":face_with_thermometer:", "status_text": "Sick", "status_expiration": 0 } } }
    });
    assert_eq!(app.event(&event, None).await.status(), 200);
    app.tick().await;
    let cy: Vec<_> = app
        .deliveries()
        .await
        .into_iter()
        .filter(|d| d.occurrence.recipient.key() == "U0CY" && d.status == DeliveryStatus::Skipped)
        .collect();
    assert!(!cy.is_empty());
    assert!(
        cy.iter().all(|d| d
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("U0CY is away by their Slack status"))),
        "{cy:?}"
    );
}

#[tokio::test]
async fn a_replica_standing_by_answers_the_people_the_lease_holder_found() {
    let slack = slack_knowing(&["Ana"]).await;
    let a = start_with(slack, &["Ana"]).await;
    let b = TestApp::builder().beside(&a).spawn().await;
    a.tick().await;
    let before = b.reply(&id("Ana"), "/commit", "one call").await;
    assert!(
        before.contains("You're not in this program's roster yet"),
        "{before}"
    );

    a.housekeep().await; // the holder finds Ana by email
    b.tick().await; // b stands by, and follows

    let after = b.reply(&id("Ana"), "/commit", "two calls").await;
    assert!(
        !after.contains("You're not in this program's roster yet"),
        "b knows Ana now: {after}"
    );
}
