//! Writes come first: while the scheduler plans a large roster again, a person's command, form
//! and an admin's reload are recorded within Slack's 3 seconds, because the planner writes a
//! bounded chunk at a time and every write queues for the one writer, first come, first served.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use sko_reinforce::store::{DeliveryStatus, Store};
use tokio_util::sync::CancellationToken;

use super::helpers::*;

const REPS: usize = 5_000;
const ADMIN: &str = "U0CADMIN";
const JOINER: &str = "U0CJOINER";

/// `REPS` reps in UTC with a daily prompt at `hh:mm`, an admin, and `extra` people.
fn roster_config(hh_mm: (u32, u32), extra: &[&str]) -> String {
    let mut c = format!(
        "[program]\nname = \"Writes\"\nkickoff = 2027-01-11\ntimezone = \"UTC\"\n\
         working_days = [\"Mon\",\"Tue\",\"Wed\",\"Thu\",\"Fri\",\"Sat\",\"Sun\"]\n\
         [checkins]\ncron = \"0 0 0 1 1 *\"\n[digest]\ncron = \"0 0 0 1 1 *\"\n\
         [[triggers]]\nname = \"daily\"\ncron = \"0 {} {} * * *\"\naudience = \"reps\"\ntext = \"A prompt.\"\n\
         [[people]]\nslack_id = \"U0CMGR\"\nrole = \"manager\"\n\
         [[people]]\nslack_id = \"{ADMIN}\"\nrole = \"admin\"\n",
        hh_mm.1, hh_mm.0
    );
    for i in 0..REPS {
        c.push_str(&format!(
            "[[people]]\nslack_id = \"U0C{i:05}\"\nrole = \"rep\"\nmanager = \"U0CMGR\"\ntimezone = \"UTC\"\n"
        ));
    }
    for id in extra {
        c.push_str(&format!(
            "[[people]]\nslack_id = \"{id}\"\nrole = \"rep\"\nmanager = \"U0CMGR\"\ntimezone = \"UTC\"\n"
        ));
    }
    c
}

fn tuesday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 12, 7, 0, 0).unwrap()
}

#[tokio::test]
async fn a_command_a_form_and_a_reload_are_recorded_while_a_large_re_plan_is_under_way() {
    let app = TestApp::builder()
        .config(&roster_config((9, 0), &[]))
        .at(tuesday_morning())
        .spawn()
        .await;
    app.plan_ahead().await;
    // Every rep's prompt moves from 09:00 to 09:30: the next plan skips and adds a row for
    // each rep and day planned.
    std::fs::write(&app.config_path, roster_config((9, 30), &[])).unwrap();
    let reloaded = app.reply(ADMIN, "/sko", "reload").await;
    assert!(reloaded.starts_with("Reloaded"), "{reloaded}");
    let store = Store::open(&app.database_url).await.unwrap();
    let planned = store.deliveries().await.unwrap().len();
    assert!(planned >= 2 * REPS, "{planned} rows to plan again");

    let scheduler = app.scheduler.clone();
    let replan = tokio::spawn(async move { scheduler.tick(&CancellationToken::new()).await });
    // Under way: the first chunks of rows it no longer holds are skipped.
    loop {
        let skipped = store
            .outbox_counts()
            .await
            .unwrap()
            .iter()
            .any(|(status, n)| *status == DeliveryStatus::Skipped && *n > 0);
        if skipped {
            break;
        }
        assert!(
            !replan.is_finished(),
            "the re-plan ended before it was seen"
        );
        tokio::task::yield_now().await;
    }

    // A joiner in the file, a command and a form, all at once.
    std::fs::write(&app.config_path, roster_config((9, 30), &[JOINER])).unwrap();
    let form = json!({
        "type": "view_submission", "team": { "id": "T0001" }, "user": { "id": "U0C00002", "team_id": "T0001" },
        "api_app_id": "A0APP", "token": "x", "trigger_id": "1.2.3",
        "view": { "id": "V0FORM", "team_id": "T0001", "type": "modal", "callback_id": "commit_form", "hash": "h",
                  "title": { "type": "plain_text", "text": "Form" }, "blocks": [],
                  "state": { "values": {
                      "text": { "value": { "type": "plain_text_input", "value": "Book 5 demos" } },
                      "kind": { "value": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": "outcome" }, "value": "outcome" } } }
                  } } }
    });
    let started = std::time::Instant::now();
    let (command, form, reload) = tokio::join!(
        app.reply("U0C00001", "/commit", "20 discovery calls by Friday"),
        app.interact(&form),
        app.reply(ADMIN, "/sko", "reload"),
    );
    let answered = started.elapsed();
    let still_planning = !replan.is_finished();

    assert!(answered < std::time::Duration::from_secs(3), "{answered:?}");
    assert!(command.starts_with("Recorded: commitment #1"), "{command}");
    assert_eq!(form.status(), 200);
    assert_eq!(form.text().await.unwrap(), "", "the form closes: saved");
    assert!(reload.starts_with("Reloaded"), "{reload}");
    assert!(
        still_planning,
        "answered while the re-plan was still under way"
    );

    let report = replan.await.unwrap().unwrap();
    assert!(report.skipped >= REPS as u64, "{report:?}");
    assert!(
        app.reply("U0C00001", "/commit", "list")
            .await
            .contains("*#1* 20 discovery calls")
    );
    assert!(
        app.reply("U0C00002", "/commit", "list")
            .await
            .contains("*#1* Book 5 demos")
    );
    // The next tick plans the joiner in.
    app.tick().await;
    let joiner = app.reply(JOINER, "/sko", "status").await;
    assert!(joiner.contains("*Next prompt:*"), "{joiner}");
    store.close().await;
}
