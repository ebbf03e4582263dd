//! The store's contract, on each database it runs on: the statements the two databases write
//! differently (lists of people, a member of a group, claims), the upserts, and the answers
//! that must come once however many replicas ask at once.

use super::{
    ChannelStore, DirectoryStore, LeaseStore, OutboxStore, PairStore, PlanStore, RecordStore,
    RosterStore,
};
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use futures_util::future::join_all;

use super::testing::stores;
use super::{DeliveryStatus, Fence, Snoozed, Store};
use crate::domain::absence::SlackStatus;
use crate::domain::commitment::{CommitmentInput, CommitmentKind};
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

async fn leased(store: &Store, now: DateTime<Utc>) -> i64 {
    store
        .hold_lease("a", now, now + Duration::seconds(12))
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn the_outbox_plans_finds_and_skips_alike_on_every_database() {
    for (db, store) in stores().await {
        let t = t0();
        let epoch = leased(&store, t).await;
        let fence = Fence { holder: "a", epoch };
        let group = Recipient::Group(vec!["U0AAA".into(), "U0BBB".into()]);
        let planned = [
            occurrence(Source::Checkin, group.clone(), t + Duration::hours(1)),
            occurrence(Source::Pressure, Recipient::Person("U0BBB".into()), t),
            occurrence(Source::Pressure, Recipient::Person("U0CCC".into()), t),
        ];
        assert_eq!(store.enqueue(&planned, t, t, fence).await.unwrap(), 3);
        assert_eq!(
            store.enqueue(&planned, t, t, fence).await.unwrap(),
            0,
            "{db}: planned once"
        );

        let for_b = store.planned_for("U0BBB", t, 10).await.unwrap();
        assert_eq!(for_b.len(), 2, "{db}: U0BBB's own and its group's");
        assert_eq!(
            for_b[1].occurrence, planned[0],
            "{db}: read back as written"
        );
        assert_eq!(
            store.unopened_recipients(10).await.unwrap().len(),
            3,
            "{db}"
        );
        store.remember_dm_channel("U0BBB", "D1").await.unwrap();
        store.remember_dm_channel("U0BBB", "D2").await.unwrap();
        assert_eq!(
            store.dm_channel("U0BBB").await.unwrap().as_deref(),
            Some("D2")
        );
        assert_eq!(store.next_due_at().await.unwrap(), Some(t), "{db}");

        // A re-plan that no longer holds U0CCC's prompt skips it, with the change as reason.
        store.ask_for_replan("U0CCC paused").await.unwrap();
        let replan = store.plan_state().await.unwrap().unwrap().replan.unwrap();
        let kept = &planned[..2];
        let until = t + Duration::days(1);
        let (added, skipped) = store
            .replan(kept, t, until, &replan, t, fence)
            .await
            .unwrap();
        assert_eq!((added, skipped), (0, 1), "{db}");
        let state = store.plan_state().await.unwrap().unwrap();
        assert_eq!((state.planned_until, state.replan), (until, None), "{db}");

        // A plan under a lost lease is refused.
        let stale = Fence {
            holder: "a",
            epoch: epoch + 1,
        };
        assert!(store.enqueue(kept, t, t, stale).await.is_err(), "{db}");

        let later = t + Duration::hours(3);
        assert_eq!(store.skip_stale(later, later).await.unwrap(), 2, "{db}");
        let counts = store.outbox_counts().await.unwrap();
        assert_eq!(counts, [(DeliveryStatus::Skipped, 3)], "{db}");
    }
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
        let pair = ["U0BBB".to_string(), "U0AAA".to_string()];
        store.record_checkin(&pair, Some(1), t).await.unwrap();
        store.record_checkin(&pair, Some(1), t).await.unwrap();
        let answers = join_all((0..4).map(|_| {
            let store = store.clone();
            let pair = pair.clone();
            async move { store.answer_checkin(&pair, t, "met", t).await.unwrap() }
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
        assert!(store.first_delivery("Ev1", "app_mention", t).await.unwrap());
        assert!(!store.first_delivery("Ev1", "app_mention", t).await.unwrap());

        let ids = serde_json::to_string(&["U0AAA", "U0ZZZ"]).unwrap();
        let checkins = store.checkins_of_people(&ids).await.unwrap();
        assert_eq!(checkins.len(), 1, "{db}");
        assert_eq!(checkins[0].answer.as_deref(), Some("met"), "{db}");
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
            })
            .await
            .unwrap();
        assert_eq!(store.commitments_of_people(&ids).await.unwrap().len(), 1);
        let practice = store.practice_of_people(&ids, t).await.unwrap();
        assert_eq!(practice[0].rubric, [("questions".to_string(), 4)], "{db}");
        store
            .activity_of(&["U0AAA".into()], t - Duration::days(7))
            .await
            .unwrap();

        let pairs = PairSchedule::new([(1, vec![pair.to_vec()])].into());
        store.store_pairs(&pairs).await.unwrap();
        store.store_pairs(&pairs).await.unwrap();
        assert_eq!(
            store.stored_group_of("U0AAA", 3).await.unwrap(),
            Some(pair.to_vec()),
            "{db}"
        );
        assert_eq!(store.stored_group_of("U0ZZZ", 3).await.unwrap(), None);

        store
            .remember_slack_user("U0AAA", Some("Europe/Paris"), None, t)
            .await
            .unwrap();
        store
            .remember_slack_user("U0AAA", Some("Asia/Tokyo"), None, t)
            .await
            .unwrap();
        assert_eq!(
            store.slack_timezone("U0AAA").await.unwrap().as_deref(),
            Some("Asia/Tokyo"),
            "{db}"
        );
        let away = SlackStatus {
            emoji: ":palm_tree:".into(),
            text: "Vacation".into(),
            expires: Some(t + Duration::days(3)),
        };
        assert_eq!(
            store.remember_status("U0AAA", &away, t).await.unwrap(),
            None
        );
        assert_eq!(
            store.remember_status("U0AAA", &away, t).await.unwrap(),
            Some(away),
            "{db}"
        );
        store
            .set_pause("U0AAA", t.date_naive().succ_opt(), t)
            .await
            .unwrap();
        assert_eq!(store.pauses().await.unwrap().len(), 1, "{db}");
    }
}
