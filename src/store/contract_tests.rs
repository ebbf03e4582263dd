//! The store's contract: the scheduler's part on every implementation (SQLite, PostgreSQL and
//! the in-memory store `simulate` runs on); on each database, the statements the two write
//! differently (lists of people, a member of a group, claims), the upserts, and the answers
//! that must come once however many replicas ask at once.

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use futures_util::future::join_all;

use super::testing::stores;
use super::{
    Claim, Delivery, DeliveryStatus, DirectoryStore, Fence, Holder, MemoryStore, PairStore,
    RecordStore, RosterStore, SchedulerStore, Settled, Snoozed, Store,
};
use crate::domain::absence::SlackStatus;
use crate::domain::checkin::{CheckinAnswer, Group};
use crate::domain::commitment::{CommitmentInput, CommitmentKind};
use crate::domain::compose::Involved;
use crate::domain::lane::Lane;
use crate::domain::practice::{PracticeContext, PracticeLog};
use crate::domain::schedule::{Occurrence, PairSchedule, Recipient, Source};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 11, 13, 30, 0).unwrap()
}

fn occurrence(source: Source, recipient: Recipient, at: DateTime<Utc>) -> Occurrence {
    Occurrence {
        source,
        recipient,
        at,
        // New York's 08:30: the offset must come back as it went in.
        local: at.with_timezone(&FixedOffset::west_opt(5 * 3600).unwrap()),
        program_week: 1,
    }
}

async fn leased(store: &impl SchedulerStore, now: DateTime<Utc>) -> i64 {
    store
        .hold_lease(
            &Holder {
                id: "a".into(),
                host: "test".into(),
                pid: 1,
            },
            now,
            now + Duration::seconds(12),
        )
        .await
        .unwrap()
        .unwrap()
}

/// Every row, as each implementation keeps them: what the contract checks against.
trait Rows {
    async fn rows(&self) -> Vec<Delivery>;
}

impl Rows for Store {
    async fn rows(&self) -> Vec<Delivery> {
        self.deliveries().await.unwrap()
    }
}

impl Rows for MemoryStore {
    async fn rows(&self) -> Vec<Delivery> {
        self.all_rows()
    }
}

/// The scheduler's store, on SQLite, on PostgreSQL (when a server is named) and in memory
/// (`simulate`): one contract, so a preview shows what `serve` sends.
#[tokio::test]
async fn the_scheduler_store_keeps_one_contract_on_every_implementation() {
    for (db, store) in stores().await {
        plans_on(db, &store).await;
        sends_on(db, &store).await;
        remembers_on(db, &store).await;
    }
    plans_on("memory", &MemoryStore::default()).await;
    sends_on("memory", &MemoryStore::default()).await;
    remembers_on("memory", &MemoryStore::default()).await;
}

fn status_of(rows: &[Delivery], o: &Occurrence) -> (DeliveryStatus, Option<String>) {
    let row = rows
        .iter()
        .find(|d| d.key == o.key())
        .unwrap_or_else(|| panic!("{} is in the outbox", o.key()));
    (row.status, row.last_error.clone())
}

async fn plans_on(db: &str, store: &(impl SchedulerStore + Rows)) {
    let t = t0();
    let epoch = leased(store, t).await;
    let fence = Fence { holder: "a", epoch };
    let group = Recipient::Group(Group::from(["U0AAA", "U0BBB"]));
    let planned = [
        occurrence(Source::Checkin, group.clone(), t + Duration::hours(1)),
        occurrence(Source::Pressure, Recipient::Person("U0BBB".into()), t),
        occurrence(
            Source::Pressure,
            Recipient::Person("U0CCC".into()),
            t + Duration::hours(2),
        ),
    ];
    assert_eq!(
        store.plan_state().await.unwrap(),
        None,
        "{db}: never planned"
    );
    let marks = [
        (Lane::Checkins, t + Duration::hours(6)),
        (Lane::Pressure, t + Duration::days(8)),
    ];
    assert_eq!(store.enqueue(&planned, &marks, t, fence).await.unwrap(), 3);
    assert_eq!(
        store
            .enqueue(&planned, &marks[..1], t, fence)
            .await
            .unwrap(),
        0,
        "{db}: planned once"
    );
    let state = store.plan_state().await.unwrap().unwrap();
    assert_eq!(
        state.lanes,
        marks.iter().cloned().collect(),
        "{db}: each lane its own mark"
    );
    assert_eq!(store.next_due_at().await.unwrap(), Some(t), "{db}");
    assert_eq!(
        store.unopened_recipients(10).await.unwrap().len(),
        3,
        "{db}"
    );
    store.remember_dm_channel("U0BBB", "D1").await.unwrap();
    store.remember_dm_channel("U0BBB", "D2").await.unwrap();
    assert_eq!(
        store.dm_channel("U0BBB").await.unwrap().as_deref(),
        Some("D2"),
        "{db}"
    );
    assert_eq!(
        store.unopened_recipients(10).await.unwrap().len(),
        2,
        "{db}"
    );

    // A re-plan that no longer holds U0CCC's prompt skips it, with the change as reason, and
    // its marks become the lanes.
    store.ask_for_replan("U0CCC paused").await.unwrap();
    let replan = store.plan_state().await.unwrap().unwrap().replan.unwrap();
    let kept = &planned[..2];
    let lanes = [(Lane::Checkins, t + Duration::days(1))];
    let (added, skipped) = store
        .replan(kept, t, &lanes, &replan, t, fence)
        .await
        .unwrap();
    assert_eq!(
        (added, skipped),
        (0, 1),
        "{db}: only what changed is written"
    );
    let state = store.plan_state().await.unwrap().unwrap();
    assert_eq!(state.lanes, lanes.iter().cloned().collect(), "{db}");
    assert_eq!(state.replan, None, "{db}");
    let rows = store.rows().await;
    assert_eq!(
        status_of(&rows, &planned[2]),
        (
            DeliveryStatus::Skipped,
            Some("no longer planned: U0CCC paused".into())
        ),
        "{db}"
    );

    // U0CCC is back before it was due: the same message comes back, once.
    store.ask_for_replan("U0CCC resumed").await.unwrap();
    let replan = store.plan_state().await.unwrap().unwrap().replan.unwrap();
    let (added, skipped) = store
        .replan(&planned, t, &lanes, &replan, t, fence)
        .await
        .unwrap();
    assert_eq!((added, skipped), (1, 0), "{db}");
    assert_eq!(
        status_of(&store.rows().await, &planned[2]),
        (DeliveryStatus::Pending, None),
        "{db}"
    );
    // Once its time has passed, a skipped message stays skipped.
    store.ask_for_replan("U0CCC paused").await.unwrap();
    let replan = store.plan_state().await.unwrap().unwrap().replan.unwrap();
    store
        .replan(kept, t, &lanes, &replan, t, fence)
        .await
        .unwrap();
    let late = t + Duration::hours(3);
    store.enqueue(&planned, &lanes, late, fence).await.unwrap();
    assert_eq!(
        status_of(&store.rows().await, &planned[2]).0,
        DeliveryStatus::Skipped,
        "{db}"
    );

    // A plan under a lost lease is refused.
    let stale = Fence {
        holder: "a",
        epoch: epoch + 1,
    };
    assert!(store.enqueue(kept, &lanes, t, stale).await.is_err(), "{db}");
    assert!(
        store
            .replan(kept, t, &lanes, &replan, t, stale)
            .await
            .is_err(),
        "{db}"
    );

    assert_eq!(store.skip_stale(late, late).await.unwrap(), 2, "{db}");
    let rows = store.rows().await;
    assert!(
        rows.iter().all(|d| d.status == DeliveryStatus::Skipped),
        "{db}: {rows:?}"
    );
}

async fn sends_on(db: &str, store: &(impl SchedulerStore + Rows)) {
    let t = t0();
    let epoch = leased(store, t).await;
    let fence = Fence { holder: "a", epoch };
    let dana = Recipient::Person("U0AAA".into());
    let prompt = |name: &str, at| occurrence(Source::Trigger(name.into()), dana.clone(), at);
    let planned = [
        prompt("early", t - Duration::minutes(5)),
        prompt("early", t),
        prompt("later", t + Duration::hours(1)),
    ];
    let marks = [(Lane::Trigger("early".into()), t + Duration::days(1))];
    store.enqueue(&planned, &marks, t, fence).await.unwrap();
    assert_eq!(
        store.skip_superseded(t).await.unwrap(),
        1,
        "{db}: the earlier of two due"
    );

    let claim = Claim {
        by: "a",
        until: t + Duration::seconds(12),
    };
    let due = store.claim_due(claim, t, 10).await.unwrap();
    assert_eq!(due.len(), 1, "{db}: only what is due");
    assert_eq!(due[0].occurrence, planned[1], "{db}: read back as written");
    let other = Claim { by: "b", ..claim };
    assert!(
        store.claim_due(other, t, 10).await.unwrap().is_empty(),
        "{db}: claimed"
    );
    assert!(
        !store
            .mark_sending(due[0].id, "b", "hi", "D1", t)
            .await
            .unwrap(),
        "{db}: only the claimer sends"
    );
    assert!(
        store
            .mark_sending(due[0].id, "a", "hi", "D1", t)
            .await
            .unwrap()
    );
    assert_eq!(
        store.interrupted_deliveries("a", t).await.unwrap().len(),
        1,
        "{db}"
    );
    store.mark_sent(due[0].id, "1.0001", t).await.unwrap();
    assert!(
        store
            .interrupted_deliveries("a", t)
            .await
            .unwrap()
            .is_empty(),
        "{db}"
    );

    let later = t + Duration::hours(1);
    let due = store.claim_due(claim, later, 10).await.unwrap();
    store
        .mark_retry(due[0].id, later + Duration::minutes(1), "HTTP 500", later)
        .await
        .unwrap();
    assert_eq!(
        store.next_due_at().await.unwrap(),
        Some(later + Duration::minutes(1)),
        "{db}"
    );
    store
        .mark_final(due[0].id, Settled::Failed, "gone", later)
        .await
        .unwrap();
    assert_eq!(store.next_due_at().await.unwrap(), None, "{db}");
    let rows = store.rows().await;
    let sent = rows.iter().find(|d| d.key == planned[1].key()).unwrap();
    assert_eq!(
        (
            sent.status,
            sent.text.as_deref(),
            sent.slack_ts.as_deref(),
            sent.attempts
        ),
        (DeliveryStatus::Sent, Some("hi"), Some("1.0001"), 1),
        "{db}"
    );
}

async fn remembers_on(db: &str, store: &impl SchedulerStore) {
    let t = t0();
    let pair = Group::from(["U0BBB", "U0AAA"]);
    store.record_checkin(&pair, Some(1), t).await.unwrap();
    store.record_checkin(&pair, Some(1), t).await.unwrap();
    let activity = store
        .activity_of(
            &Involved::all_of(vec!["U0AAA".into()]),
            t - Duration::days(7),
        )
        .await
        .unwrap();
    assert_eq!(activity.checkins().len(), 1, "{db}: recorded once");

    let pairs = PairSchedule::new([(1, vec![pair.to_vec()])].into());
    assert!(store.stored_pairs().await.unwrap().is_none(), "{db}");
    let epoch = leased(store, t).await;
    let fence = Fence { holder: "a", epoch };
    store.store_pairs(&pairs, fence).await.unwrap();
    let remade = PairSchedule::new([(1, vec![vec!["U0AAA".into(), "U0CCC".into()]])].into());
    store.store_pairs(&remade, fence).await.unwrap();
    // Only the replica that plans makes pairs.
    let stale = Fence {
        holder: "a",
        epoch: epoch + 1,
    };
    assert!(store.store_pairs(&pairs, stale).await.is_err(), "{db}");
    assert_eq!(
        store
            .stored_pairs()
            .await
            .unwrap()
            .map(|p| p.weeks().clone()),
        Some(remade.weeks().clone()),
        "{db}: the pairs as last made"
    );

    store
        .remember_slack_user("U0AAA", Some("Europe/Paris"), None, t)
        .await
        .unwrap();
    store
        .remember_slack_user("U0AAA", Some("Asia/Tokyo"), None, t)
        .await
        .unwrap();
    assert_eq!(
        store.slack_timezones().await.unwrap(),
        [("U0AAA".to_string(), "Asia/Tokyo".to_string())],
        "{db}"
    );
    assert!(
        store
            .slack_users_fetched_at()
            .await
            .unwrap()
            .contains_key("U0AAA")
    );
    store
        .remember_email_lookup("dana@acme.com", Some("U0AAA"), t)
        .await
        .unwrap();
    store
        .remember_email_lookup("dana@acme.com", None, t)
        .await
        .unwrap();
    assert_eq!(
        store.email_lookups().await.unwrap()["dana@acme.com"],
        (None, t),
        "{db}: the latest look-up"
    );
    let away = SlackStatus {
        emoji: ":palm_tree:".into(),
        text: "Vacation".into(),
        expires: Some(t + Duration::days(3)),
    };
    assert_eq!(
        store.remember_status("U0AAA", &away, t).await.unwrap(),
        None,
        "{db}"
    );
    assert_eq!(
        store.remember_status("U0AAA", &away, t).await.unwrap(),
        Some(away.clone()),
        "{db}"
    );
    assert_eq!(
        store.slack_statuses().await.unwrap()["U0AAA"].0,
        away,
        "{db}"
    );
    store.channel_named("sko-wins").await.unwrap();
    store
        .remember_channel_name("sko-wins", "C1", t)
        .await
        .unwrap();
    assert_eq!(
        store.channel_named("sko-wins").await.unwrap().as_deref(),
        Some("C1"),
        "{db}"
    );
}

#[tokio::test]
async fn a_request_or_a_snooze_asked_at_once_through_several_replicas_is_queued_once() {
    for (db, store) in stores().await {
        let t = t0();
        let win = occurrence(
            Source::Win {
                user: "U0AAA".into(),
                logged_at: 1,
            },
            Recipient::Person("U0BBB".into()),
            t,
        );
        let asked = join_all((0..6).map(|i| {
            let (store, mut win) = (store.clone(), win.clone());
            // Each ask is its own instant, so its own key: only the (source, recipient) is shared.
            win.local += Duration::milliseconds(i);
            async move { store.request_post(&win, Some("🎉"), t).await.unwrap() }
        }))
        .await;
        assert_eq!(asked.iter().filter(|q| **q).count(), 1, "{db}: {asked:?}");

        let sent = store.deliveries().await.unwrap().remove(0);
        let snoozes = join_all((0..4).map(|_| {
            let (store, key) = (store.clone(), sent.key.clone());
            async move {
                store
                    .snooze(&key, "U0BBB", t, t + Duration::days(1))
                    .await
                    .unwrap()
            }
        }))
        .await;
        let queued = snoozes.iter().filter(|s| **s == Snoozed::Queued).count();
        assert_eq!(queued, 1, "{db}: {snoozes:?}");
        assert_eq!(
            store
                .snooze(&sent.key, "U0CCC", t, t + Duration::days(1))
                .await
                .unwrap(),
            Snoozed::NotTheirs,
            "{db}"
        );
    }
}

#[tokio::test]
async fn answers_events_and_what_slack_said_are_kept_once_and_replaced_in_place() {
    for (db, store) in stores().await {
        let t = t0();
        let pair = Group::from(["U0BBB", "U0AAA"]);
        store.record_checkin(&pair, Some(1), t).await.unwrap();
        store.record_checkin(&pair, Some(1), t).await.unwrap();
        let answers = join_all((0..4).map(|_| {
            let store = store.clone();
            let pair = pair.clone();
            async move {
                store
                    .answer_checkin(&pair, t, CheckinAnswer::Met, t)
                    .await
                    .unwrap()
            }
        }))
        .await;
        let recorded = answers
            .iter()
            .filter(|a| **a == super::Answered::Recorded)
            .count();
        assert_eq!(recorded, 1, "{db}: {answers:?}");
        assert!(store.record_pulse("U0AAA", 30, "most", t).await.unwrap());
        assert!(!store.record_pulse("U0AAA", 30, "most", t).await.unwrap());
        assert!(store.record_pulse("U0AAA", 30, "every", t).await.unwrap());
        let rated = |n: u8| vec![("discovery".to_string(), n), ("objections".to_string(), 4)];
        store
            .record_confidence("U0AAA", 30, &rated(6), t)
            .await
            .unwrap();
        // Asked again: the later answer replaces the first, skill by skill.
        let later = t + Duration::minutes(5);
        store
            .record_confidence("U0AAA", 30, &rated(8), later)
            .await
            .unwrap();
        let mut kept: Vec<(String, u8)> = store
            .confidence_of_people(&serde_json::to_string(&["U0AAA"]).unwrap())
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.skill_id, c.value))
            .collect();
        kept.sort();
        assert_eq!(
            kept,
            [("discovery".to_string(), 8), ("objections".to_string(), 4)],
            "{db}"
        );
        assert_eq!(store.all_confidence().await.unwrap().len(), 2, "{db}");
        assert!(store.first_delivery("Ev1", "app_mention", t).await.unwrap());
        assert!(!store.first_delivery("Ev1", "app_mention", t).await.unwrap());

        let ids = serde_json::to_string(&["U0AAA", "U0ZZZ"]).unwrap();
        let checkins = store.checkins_of_people(&ids).await.unwrap();
        assert_eq!(checkins.len(), 1, "{db}");
        assert_eq!(checkins[0].answer, Some(CheckinAnswer::Met), "{db}");
        assert_eq!(
            store.pulse_answers_of_people(&ids).await.unwrap(),
            [("U0AAA".to_string(), 30, "every".to_string())],
            "{db}"
        );

        let input = CommitmentInput {
            text: "20 calls".into(),
            target: None,
            due: None,
            kind: CommitmentKind::Performance,
            week: Some(1),
        };
        store.add_commitment("U0AAA", &input, t).await.unwrap();
        store
            .add_practice(&PracticeLog {
                user_id: "U0AAA".into(),
                skill_id: "discovery".into(),
                context: PracticeContext::Roleplay,
                partner_id: Some("U0BBB".into()),
                score: Some(4),
                notes: None,
                rubric: vec![("questions".into(), 4)],
                week: Some(1),
                logged_at: t,
                deal_id: Some("006A1".into()),
            })
            .await
            .unwrap();
        let people = ["U0AAA".to_string(), "U0ZZZ".to_string()];
        assert_eq!(store.commitments_of_people(&people).await.unwrap().len(), 1);
        let practice = store.practice_of_people(&people, t).await.unwrap();
        assert_eq!(practice[0].rubric, [("questions".to_string(), 4)], "{db}");
        assert_eq!(practice[0].deal_id.as_deref(), Some("006A1"), "{db}");
        store
            .activity_of(
                &Involved::all_of(vec!["U0AAA".into()]),
                t - Duration::days(7),
            )
            .await
            .unwrap();

        let pairs = PairSchedule::new([(1, vec![pair.to_vec()])].into());
        let fence = Fence {
            holder: "a",
            epoch: leased(&store, t).await,
        };
        store.store_pairs(&pairs, fence).await.unwrap();
        assert_eq!(
            store.stored_group_of("U0AAA", 3).await.unwrap(),
            Some(pair.clone()),
            "{db}"
        );
        assert_eq!(store.stored_group_of("U0ZZZ", 3).await.unwrap(), None);
        store
            .remember_slack_user("U0AAA", Some("Asia/Tokyo"), None, t)
            .await
            .unwrap();
        assert_eq!(
            store.slack_timezone("U0AAA").await.unwrap().as_deref(),
            Some("Asia/Tokyo"),
            "{db}"
        );
        store
            .set_pause("U0AAA", t.date_naive().succ_opt(), t)
            .await
            .unwrap();
        assert_eq!(store.pauses().await.unwrap().len(), 1, "{db}");
    }
}
