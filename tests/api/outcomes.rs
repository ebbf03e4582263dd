//! Outcomes from the CRM: reps tie live-deal practice to their own opportunities, by command
//! and by form; anyone else's or an unknown deal is refused with nothing stored.

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
        );
    format!("{with_emails}\n[outcomes]\ncsv = \"opportunities.csv\"\n")
}

const OPPORTUNITIES: &str = "id,name,owner_email,amount,created,closed,won,account\n\
    006D1,Acme platform renewal,Dana.Whitfield@example.com,48000,2027-01-04,,,Acme\n\
    006D2,Initech expansion,dana.whitfield@example.com,12000,2027-01-12,,,Initech\n\
    006D3,Umbrella pilot,dana.whitfield@example.com,9000,2026-11-02,2027-01-08,true,Umbrella\n\
    006S1,Globex new logo,sam.okafor@example.com,30000,2027-01-05,,,Globex\n";

async fn app() -> TestApp {
    TestApp::builder()
        .config(&config())
        .files(&[
            (
                "people.example.csv",
                &std::fs::read_to_string(
                    example_config_path().with_file_name("people.example.csv"),
                )
                .unwrap(),
            ),
            ("opportunities.csv", OPPORTUNITIES),
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
