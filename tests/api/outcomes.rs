//! Outcomes from the CRM: reps tie live-deal practice to their own opportunities, by command
//! and by form; anyone else's or an unknown deal is refused with nothing stored.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::helpers::*;

const SAM: &str = "U0EAST002";

/// The example program with emails for Dana and Sam, reading `opportunities.csv`.
fn config() -> String {
    let example = std::fs::read_to_string(example_config_path()).unwrap();
    let with_emails = example
        .replace(
            "slack_id = \"U0EAST001\"\n",
            "slack_id = \"U0EAST001\"\nemail = \"dana.whitfield@example.com\"\n",
        )
        .replace(
            "slack_id = \"U0EAST002\"\n",
            "slack_id = \"U0EAST002\"\nemail = \"sam.okafor@example.com\"\n",
        )
        .replace(
            "slack_id = \"U0WEST001\"\n",
            "slack_id = \"U0WEST001\"\nemail = \"taylor.kim@example.com\"\n",
        );
    format!("{with_emails}\n[outcomes]\ncsv = \"opportunities.csv\"\n")
}

const OPPORTUNITIES: &str = "id,name,owner_email,amount,created,closed,won,account\n\
    006D1,Acme platform renewal,Dana.Whitfield@example.com,48000,2027-01-04,,,Acme\n\
    006D2,Initech expansion,dana.whitfield@example.com,12000,2027-01-12,,,Initech\n\
    006D3,Umbrella pilot,dana.whitfield@example.com,9000,2026-11-02,2027-01-08,true,Umbrella\n\
    006S1,Globex new logo,sam.okafor@example.com,30000,2027-01-05,,,Globex\n";

async fn app() -> TestApp {
    app_with(OPPORTUNITIES).await
}

async fn app_with(opportunities: &str) -> TestApp {
    TestApp::builder()
        .at(wednesday_week_one())
        .config(&config())
        .files(&[
            (
                "people.example.csv",
                &std::fs::read_to_string(
                    example_config_path().with_file_name("people.example.csv"),
                )
                .unwrap(),
            ),
            ("opportunities.csv", opportunities),
        ])
        .spawn()
        .await
}

/// The deal column of every practice log exported, in order.
fn deals_logged(app: &TestApp) -> Vec<String> {
    app.export("practice")
        .iter()
        .map(|r| r[r.len() - 1].to_string())
        .collect()
}

#[tokio::test]
async fn a_rep_ties_live_practice_to_their_own_deal_and_no_one_elses() {
    let app = app().await;

    let reply = app
        .reply(
            REP,
            "/practice",
            "discovery live deal:006D1 asked all four pain questions",
        )
        .await;
    assert!(
        reply.starts_with(
            "Recorded: *Discovery: 4-question pain framework* · live deal · in Acme platform renewal"
        ),
        "{reply}"
    );
    assert_eq!(deals_logged(&app), ["006D1"]);

    // Sam's deal, an id the export does not have, and a rep with no email: refused, and
    // nothing stored; Sam's deal is not described to Dana.
    let theirs = app
        .reply(REP, "/practice", "discovery deal:006S1 asked")
        .await;
    assert!(
        theirs.starts_with("Not recorded. Opportunity `006S1` isn't yours"),
        "{theirs}"
    );
    assert!(
        !theirs.contains("Globex") && !theirs.contains("sam"),
        "{theirs}"
    );
    let unknown = app
        .reply(REP, "/practice", "discovery deal:006XX asked")
        .await;
    assert!(
        unknown.starts_with("Not recorded. I don't find opportunity `006XX`"),
        "{unknown}"
    );
    let no_email = app
        .reply("U0EAST003", "/practice", "discovery deal:006D1 asked")
        .await;
    assert!(
        no_email.starts_with("Not recorded. Your roster entry has no email"),
        "{no_email}"
    );
    assert_eq!(deals_logged(&app), ["006D1"], "nothing more was stored");

    // Sam's own deal is his to name.
    let reply = app.reply(SAM, "/practice", "objections deal:006S1").await;
    assert!(reply.contains("in Globex new logo"), "{reply}");
    assert_eq!(deals_logged(&app), ["006D1", "006S1"]);
}

#[tokio::test]
async fn the_practice_form_offers_the_reps_own_open_deals_and_refuses_anyone_elses() {
    let app = app().await;
    app.post_signed(
        "/slack/commands",
        "application/x-www-form-urlencoded",
        command_body(REP, "/practice", ""),
    )
    .await;
    let view = app.slack.calls_to("views.open")[0].body["view"].clone();
    let deal_block = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == "deal")
        .expect("a deal menu")
        .clone();
    let offered: Vec<(&str, &str)> = deal_block["element"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["value"].as_str().unwrap(),
                o["text"]["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        offered,
        [
            ("006D2", "Initech expansion"),
            ("006D1", "Acme platform renewal")
        ],
        "her open deals, newest first; not her closed one, not Sam's"
    );

    let pick = |v: &str| json!({ "value": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": v }, "value": v } } });
    let roleplay = json!({ "value": { "type": "radio_buttons", "selected_option": { "text": { "type": "plain_text", "text": "Role-play" }, "value": "roleplay" } } });
    // A doctored submission naming Sam's deal is refused beside the menu; nothing is saved.
    let refused: Value = app
        .submit_form(
            REP,
            "practice_form",
            json!({ "skill": pick("discovery"), "context": roleplay, "deal": pick("006S1") }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["response_action"], "errors", "{refused}");
    assert!(
        refused["errors"]["deal"]
            .as_str()
            .unwrap()
            .contains("isn't yours"),
        "{refused}"
    );
    assert!(deals_logged(&app).is_empty());

    // Her own deal, with the radio left on role-play: a deal picked is a live application.
    let response = app
        .submit_form(
            REP,
            "practice_form",
            json!({ "skill": pick("discovery"), "context": roleplay, "deal": pick("006D2") }),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(deals_logged(&app), ["006D2"]);
    let notices = app.notices_delivered().await;
    assert!(
        notices[0].text.contains("live deal · in Initech expansion"),
        "{}",
        notices[0].text
    );
}

/// Seventeen deals of three reps on two teams and one of someone off the roster, in a
/// Salesforce report's order; the report's figures below are worked out by hand from them.
const RESULTS: &str = "id,name,owner_email,amount,created,closed,won\n\
    D1,Dana one,dana.whitfield@example.com,10000,2027-01-12,2027-02-01,true\n\
    D2,Dana two,dana.whitfield@example.com,20000,2027-01-13,2027-02-05,true\n\
    D3,Dana three,dana.whitfield@example.com,5000,2027-01-14,2027-02-08,false\n\
    D4,Dana four,dana.whitfield@example.com,8000,2026-12-15,2027-01-25,true\n\
    D5,Dana five,dana.whitfield@example.com,30000,2027-01-18,,\n\
    S1,Sam one,sam.okafor@example.com,15000,2027-01-12,2027-02-10,true\n\
    S2,Sam two,sam.okafor@example.com,12000,2027-01-15,2027-02-12,true\n\
    S3,Sam three,sam.okafor@example.com,9000,2026-11-20,2027-01-29,false\n\
    S4,Sam four,sam.okafor@example.com,4000,2026-12-01,2027-02-02,false\n\
    T1,Taylor one,taylor.kim@example.com,7000,2027-01-19,2027-02-11,false\n\
    T2,Taylor two,taylor.kim@example.com,6000,2027-01-20,,\n\
    T3,Taylor three,taylor.kim@example.com,3000,2027-01-11,2027-02-01,false\n\
    L1,Last year one,dana.whitfield@example.com,11000,2026-01-20,2026-03-01,true\n\
    L2,Last year two,sam.okafor@example.com,9000,2026-02-01,2026-04-01,false\n\
    L3,Last year three,taylor.kim@example.com,5000,2026-02-10,,\n\
    L4,Day after the span,dana.whitfield@example.com,99999,2026-02-17,,\n\
    L5,Day before the span,dana.whitfield@example.com,99999,2026-01-10,,\n\
    X1,Not on the roster,pat.doe@example.com,50000,2027-01-20,2027-02-01,true\n";

#[tokio::test]
async fn the_program_report_gives_pipeline_win_rates_and_days_to_close_by_team() {
    let app = app_with(RESULTS).await;
    // Wednesday 13 Jan: Dana ties practice to D1–D3 and D5, Sam to S1 and S2; nobody to D4,
    // S3, S4 or Taylor's deals.
    for (rep, deal) in [
        (REP, "D1"),
        (REP, "D2"),
        (REP, "D3"),
        (REP, "D5"),
        (SAM, "S1"),
        (SAM, "S2"),
    ] {
        let reply = app
            .reply(rep, "/practice", &format!("discovery deal:{deal} asked"))
            .await;
        assert!(reply.starts_with("Recorded"), "{reply}");
    }
    // The report of Monday 15 Feb, moved off Presidents' Day to Tuesday, 08:01 New York.
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 2, 16, 13, 1, 0).unwrap());
    app.tick().await;
    let report = app
        .slack
        .posts()
        .into_iter()
        .find(|p| p.channel == "DU0ADMIN01" && p.text.starts_with("*Program report"))
        .expect("the report")
        .text;
    let results: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.starts_with("Results from the CRM"))
        .take(6)
        .collect();
    assert_eq!(
        results,
        [
            "Results from the CRM, Mon 11 Jan to Tue 16 Feb (17 deals owned by these reps; a deal's team is its owner's):",
            "   Pipeline created: 9 deals, 108,000 · same span a year earlier 3 deals, 25,000 (change too few to say)",
            "   Win rate of deals closed: with a logged application 80% (4 of 5 won) · without 20% (1 of 5 won)",
            "   Median days from created to closed: with 25 days (5 deals) · without 41 days (5 deals)",
            "   East: pipeline 6 deals, 92,000 · same span a year earlier 2 deals, 20,000 (change too few to say) · win rate with a logged application 80% (4 of 5 won) · without too few to say (3 deals) · median days with 25 days (5 deals) · without too few to say (3 deals)",
            "   West: pipeline 3 deals, 16,000 · same span a year earlier 1 deal, 5,000 (change too few to say) · win rate with a logged application too few to say (0 deals) · without too few to say (2 deals) · median days with too few to say (0 deals) · without too few to say (2 deals)",
        ],
        "{report}"
    );
    assert!(report.contains("association, not as what the practice caused"));

    // Each figure traces to the export's rows: a spreadsheet gets the same from them.
    let csv = app.export_csv("outcomes");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("opportunity,owner,amount,created,closed,won,applications")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(
        rows.len(),
        18,
        "every row of the file, the one off the roster too"
    );
    for row in [
        "D1,U0EAST001,10000.00,2027-01-12,2027-02-01,true,1",
        "D4,U0EAST001,8000.00,2026-12-15,2027-01-25,true,0",
        "D5,U0EAST001,30000.00,2027-01-18,,,1",
        "T3,U0WEST001,3000.00,2027-01-11,2027-02-01,false,0",
        "X1,,50000.00,2027-01-20,2027-02-01,true,0",
    ] {
        assert!(rows.contains(&row), "{row} in {csv}");
    }

    // The pipeline chart follows the report, to the admin.
    let charts: Vec<String> = app
        .slack
        .shared_files()
        .into_iter()
        .filter(|(_, _, channel, _)| channel == "DU0ADMIN01")
        .map(|(_, title, _, _)| title)
        .collect();
    assert!(
        charts
            .iter()
            .any(|t| t == "Pipeline created by week, against the same weeks a year earlier"),
        "{charts:?}"
    );
}
