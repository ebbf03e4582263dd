//! Several replicas on one database: one scheduler at a time (the lease's holder) plans and
//! sends; a standby takes over when the holder dies (once its lease runs out) or stops cleanly
//! (at once); a holder that lost the lease writes no plan; commands are answered by either.

use chrono::{DateTime, TimeZone, Utc};
use tokio_util::sync::CancellationToken;

use sko_reinforce::clock::Clock;
use sko_reinforce::store::{Holder, LeaseStore, Store};

use super::helpers::*;

/// Monday 11 Jan 2027 (kickoff), 08:31 in New York: the four New York reps' 08:30 prompts.
fn monday_0831_new_york() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 11, 13, 31, 0).unwrap()
}

/// Two replicas of the example program on one `backend` database, at Monday 08:31 in New
/// York: `a` started first.
async fn two_replicas(backend: Backend) -> (TestApp, TestApp) {
    let a = TestApp::builder()
        .on(backend)
        .at(monday_0831_new_york())
        .spawn()
        .await;
    let b = TestApp::builder().beside(&a).spawn().await;
    (a, b)
}

fn each_once(app: &TestApp) -> usize {
    let per_key = app.slack.posts_per_key();
    assert!(
        per_key.values().all(|n| *n == 1),
        "duplicates: {per_key:#?}"
    );
    per_key.len()
}

#[tokio::test]
async fn only_the_lease_holder_plans_and_sends_and_a_standby_takes_over_when_it_dies() {
    for backend in Backend::each() {
        only_the_lease_holder_plans_and_sends_and_a_standby_takes_over_when_it_dies_on(backend)
            .await;
    }
}

async fn only_the_lease_holder_plans_and_sends_and_a_standby_takes_over_when_it_dies_on(
    backend: Backend,
) {
    eprintln!("on {backend:?}"); // shown when it fails
    let (a, b) = two_replicas(backend).await;

    assert_eq!(a.tick().await.sent, 4, "the first to ask holds the lease");
    let standby = b.tick().await;
    assert_eq!(
        standby,
        Default::default(),
        "the other stands by: {standby:?}"
    );
    b.housekeep().await;
    assert!(
        b.slack.calls_to("users.info").is_empty(),
        "a standby calls Slack for nothing"
    );
    assert_eq!(each_once(&a), 4);

    // `a` dies: no clean stop, so no lease given up (dropping it would stop it cleanly). Its
    // lease holds until it runs out: nothing moves meanwhile.
    std::mem::forget(a);
    b.clock.advance(chrono::Duration::seconds(5));
    assert_eq!(b.tick().await, Default::default());
    b.clock.advance(chrono::Duration::seconds(10));
    b.tick().await;
    assert!(
        b.metrics().await.contains(&format!(
            "sko_scheduler_lease_held{{replica=\"{}\"}} 1",
            b.scheduler.replica().id
        )),
        "b holds the lease now"
    );

    // An hour later it is 08:31 in Chicago: Quinn's prompt, sent by b, once.
    b.clock.advance(chrono::Duration::hours(1));
    assert_eq!(b.tick().await.sent, 1);
    assert_eq!(each_once(&b), 5);
}

#[tokio::test]
async fn a_clean_stop_hands_the_lease_over_at_once() {
    for backend in Backend::each() {
        a_clean_stop_hands_the_lease_over_at_once_on(backend).await;
    }
}

async fn a_clean_stop_hands_the_lease_over_at_once_on(backend: Backend) {
    eprintln!("on {backend:?}"); // shown when it fails
    let (a, b) = two_replicas(backend).await;
    a.tick().await;
    assert_eq!(b.tick().await, Default::default());

    a.stop().await;

    b.clock.advance(chrono::Duration::hours(1));
    assert_eq!(b.tick().await.sent, 1, "no wait for the lease to run out");
    assert_eq!(each_once(&b), 5);
    let metrics = b.metrics().await;
    assert!(
        metrics.contains(&format!(
            "sko_scheduler_lease_epoch{{replica=\"{}\"}} 2",
            b.scheduler.replica().id
        )),
        "/metrics names the holder and its epoch: {metrics}"
    );
}

#[tokio::test]
async fn a_holder_that_lost_the_lease_writes_no_plan() {
    for backend in Backend::each() {
        a_holder_that_lost_the_lease_writes_no_plan_on(backend).await;
    }
}

async fn a_holder_that_lost_the_lease_writes_no_plan_on(backend: Backend) {
    eprintln!("on {backend:?}"); // shown when it fails
    let (a, b) = two_replicas(backend).await;
    a.tick().await;
    // `a` stalls past its lease (a long pause, a partition) and `b` takes over.
    b.clock.advance(chrono::Duration::seconds(13));
    b.tick().await;
    // `a` wakes, still believing it holds the lease for a moment: its plan is refused.
    a.reply(REP, "/sko", "pause for 1 week").await;
    let refused = a.scheduler.tick(&CancellationToken::new()).await;
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("lease (epoch 1) was lost"),
        "fenced by its epoch"
    );
}

#[tokio::test]
async fn either_replica_answers_commands_on_the_same_data() {
    for backend in Backend::each() {
        either_replica_answers_commands_on_the_same_data_on(backend).await;
    }
}

async fn either_replica_answers_commands_on_the_same_data_on(backend: Backend) {
    eprintln!("on {backend:?}"); // shown when it fails
    let (a, b) = two_replicas(backend).await;

    a.reply(REP, "/commit", "20 discovery calls by Friday")
        .await;
    let listed = b.reply(REP, "/commit", "list").await;

    assert!(listed.contains("*#1* 20 discovery calls"), "{listed}");
    let second = b.reply(REP, "/commit", "demo the new deck").await;
    assert!(second.starts_with("Recorded: commitment #2"), "{second}");
}

#[tokio::test]
async fn an_event_delivered_to_both_replicas_is_handled_once() {
    for backend in Backend::each() {
        an_event_delivered_to_both_replicas_is_handled_once_on(backend).await;
    }
}

async fn an_event_delivered_to_both_replicas_is_handled_once_on(backend: Backend) {
    eprintln!("on {backend:?}"); // shown when it fails
    let (a, b) = two_replicas(backend).await;
    let opened = app_home_opened("Ev0BOTH", REP);

    assert_eq!(a.event(&opened, None).await.status(), 200);
    a.slack.wait_for("views.publish", 1).await;
    assert_eq!(b.event(&opened, Some(1)).await.status(), 200);

    // b acknowledged the retry without publishing the Home again. A later event of b's, for
    // someone else, is published after anything the retry would have started.
    b.event(&app_home_opened("Ev0LATER", PARTNER), None).await;
    let published = b.slack.wait_for("views.publish", 2).await;
    let to = |user: &str| {
        published
            .iter()
            .filter(|c| c.body["user_id"] == user)
            .count()
    };
    assert_eq!((to(REP), to(PARTNER)), (1, 1), "{published:#?}");
}

#[tokio::test]
async fn a_process_restarted_after_a_crash_takes_over_at_once_on_sqlite_only() {
    for backend in Backend::each() {
        eprintln!("on {backend:?}"); // shown when it fails
        let app = TestApp::builder()
            .on(backend)
            .at(monday_0831_new_york())
            .spawn()
            .await;
        // A lease held until well after now by an earlier process on this host that has
        // ended (SIGKILLed: it gave nothing up).
        let ended = std::process::Command::new("true").spawn().unwrap();
        let pid = ended.id();
        let mut ended = ended;
        ended.wait().unwrap();
        let me = app.scheduler.replica();
        let dead = Holder {
            id: format!("{}-{pid}-dead", me.host),
            host: me.host.clone(),
            pid,
        };
        let store = Store::open(&app.database_url).await.unwrap();
        let now = app.clock.now();
        let held = store
            .hold_lease(&dead, now, now + chrono::Duration::seconds(12))
            .await
            .unwrap();
        assert!(held.is_some());

        let report = app.tick().await;

        match backend {
            // One host's file: the dead holder cannot renew, so its lease is not waited for.
            Backend::Sqlite => assert_eq!(report.sent, 4, "{report:?}"),
            // Replicas on other hosts: only the lease's end decides.
            Backend::Postgres => assert_eq!(report, Default::default()),
        }
        store.close().await;
    }
}
