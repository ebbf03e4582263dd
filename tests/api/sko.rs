//! `/sko`: status, pause and resume, and the admin-only reload and preview.

use chrono::{TimeZone, Utc};

use super::helpers::*;

const ADMIN: &str = "U0ADMIN01";

#[tokio::test]
async fn status_shows_the_week_partner_next_check_in_and_streak() {
    let app = TestApp::builder().spawn().await;
    // A running bot has planned the days ahead; the status reads them there.
    app.plan_ahead().await;

    let before = app.reply(REP, "/sko", "status").await;
    assert!(
        before.contains("*This week:* week 1 — Application"),
        "{before}"
    );
    assert!(before.contains("*Partner:* <@U0WEST001>"), "{before}");
    assert!(
        before.contains("*Next check-in:* Tue 19 Jan 10:00"),
        "{before}"
    );
    assert!(
        before.contains("*Next prompt:* Wed 13 Jan 14:00"),
        "{before}"
    );
    assert!(before.contains("*Practice streak:* none yet"), "{before}");

    app.reply(REP, "/practice", "discovery live").await;
    app.reply(REP, "/commit", "20 calls").await;
    let after = app.reply(REP, "/sko", "status").await;
    assert!(after.contains("*Practice streak:* 1 week"), "{after}");
    assert!(
        after.contains("*Practice this week:* 1 (1 in live deals)"),
        "{after}"
    );
    assert!(after.contains("*Open commitments:* 1"), "{after}");
    assert!(
        app.reply(REP, "/sko", "")
            .await
            .contains("/sko pause until")
    );
}

#[tokio::test]
async fn a_pause_stops_the_reps_messages_tells_the_partner_and_triples_them_up() {
    let app = TestApp::builder().spawn().await;

    let reply = app.reply(REP, "/sko", "pause until 2027-02-01").await;
    assert!(
        reply.starts_with("Paused: no prompts, questions, pulses or check-ins until Mon 1 Feb"),
        "{reply}"
    );
    let notices = app.notices_delivered().await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].channel, "DU0WEST001");
    assert!(
        notices[0]
            .text
            .contains("<@U0EAST001> is away until Mon 1 Feb"),
        "{}",
        notices[0].text
    );
    assert!(
        app.reply(REP, "/sko", "status")
            .await
            .contains("*Paused* until Mon 1 Feb")
    );

    // Tuesday 19 Jan, 10:01 New York: Taylor meets with another pair; Dana gets nothing.
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 19, 15, 1, 0).unwrap());
    app.tick().await;
    let posts = app.slack.posts();
    assert!(
        posts.iter().all(|p| !p.channel.contains("U0EAST001")),
        "nothing to Dana: {:?}",
        posts.iter().map(|p| &p.channel).collect::<Vec<_>>()
    );
    let trio = posts
        .iter()
        .find(|p| p.channel.starts_with('G') && p.channel.contains("U0WEST001"))
        .expect("Taylor still has a check-in");
    assert_eq!(
        trio.channel.matches('U').count(),
        3,
        "a trio: {}",
        trio.channel
    );

    let back = app.reply(REP, "/sko", "resume").await;
    assert!(back.starts_with("Welcome back"), "{back}");
    assert!(!app.reply(REP, "/sko", "status").await.contains("Paused"));
}

#[tokio::test]
async fn a_pause_needs_a_future_date_within_ninety_days() {
    let app = TestApp::builder().spawn().await;
    for (text, problem) in [
        ("pause until 2027-01-01", "not in the future"),
        ("pause for 20 weeks", "more than 90 days"),
        ("pause", "Until when?"),
    ] {
        let reply = app.reply(REP, "/sko", text).await;
        assert!(reply.contains(problem), "{text}: {reply}");
    }
    assert!(!app.reply(REP, "/sko", "status").await.contains("Paused"));
}

#[tokio::test]
async fn only_admins_reload_and_preview() {
    let app = TestApp::builder().spawn().await;
    app.plan_ahead().await;
    for text in ["reload", "preview <@U0EAST001|dana>"] {
        let refused = app.reply(REP, "/sko", text).await;
        assert!(
            refused.starts_with("Only the program's admins can"),
            "{text}: {refused}"
        );
        assert!(refused.contains("<@U0ADMIN01>"));
    }

    let reloaded = app.reply(ADMIN, "/sko", "reload").await;
    assert!(
        reloaded.starts_with("Reloaded: FY27 SKO: Discovery that sticks: 15 people"),
        "{reloaded}"
    );

    let preview = app.reply(ADMIN, "/sko", "preview <@U0EAST001|dana>").await;
    assert!(
        preview.starts_with("*What <@U0EAST001> receives in the next 7 days*"),
        "{preview}"
    );
    assert!(
        preview.contains("Fri 15 Jan 16:00 _prompt_ — End of week 1, Dana."),
        "{preview}"
    );
    assert!(preview.contains("Tue 19 Jan 10:00 _checkin_"), "{preview}");
    assert!(
        app.reply(ADMIN, "/sko", "preview <@U0NOBODY|x>")
            .await
            .contains("not in this program's roster")
    );
}

#[tokio::test]
async fn a_preview_shows_automatic_pairs_but_never_writes_them() {
    use sko_reinforce::store::{PairStore, Store};
    let root = env!("CARGO_MANIFEST_DIR");
    let example = std::fs::read_to_string(format!("{root}/config.example.toml")).unwrap();
    // The example with its listed pairs taken out: the bot makes them.
    let auto = example
        .split("\n\n")
        .filter(|block| !block.starts_with("[[pairs]]"))
        .collect::<Vec<_>>()
        .join("\n\n")
        .replace("[pairing]\nmode = \"config\"", "[pairing]\nmode = \"auto\"");
    let roster = std::fs::read_to_string(format!("{root}/people.example.csv")).unwrap();
    let app = TestApp::builder()
        .config(&auto)
        .files(&[("people.example.csv", &roster)])
        .spawn()
        .await;
    let pairs_kept = || async {
        let store = Store::open(&app.database_url).await.unwrap();
        let kept = store.stored_pairs().await.unwrap();
        store.close().await;
        kept
    };

    // Before any tick no replica holds the lease: the preview makes the pairs to read
    // them, and keeps none.
    let preview = app.reply(ADMIN, "/sko", "preview <@U0EAST001|dana>").await;
    assert!(preview.contains("<@U0EAST001>"), "{preview}");
    assert!(pairs_kept().await.is_none(), "a preview wrote the pairs");

    // The scheduler, holding the lease, makes and keeps them.
    app.tick().await;
    assert!(
        pairs_kept().await.is_some(),
        "the scheduler keeps its pairs"
    );
}
