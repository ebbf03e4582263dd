//! `simulate` previews the whole program from the example config, with no tokens and no
//! network, the same way every time.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");

fn simulate(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sko-reinforce"))
        .args(["simulate", "--config", EXAMPLE])
        .args(args)
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("SLACK_BOT_TOKEN")
        .env_remove("SLACK_APP_TOKEN")
        .env("SKO__SLACK__API_BASE_URL", "http://127.0.0.1:9/api")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn jsonl(args: &[&str]) -> Vec<Value> {
    simulate(&[&["--format", "jsonl"], args].concat())
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn of<'a>(messages: &'a [Value], recipient: &str, kind: &str) -> Vec<&'a Value> {
    messages
        .iter()
        .filter(|m| m["recipient"] == recipient && m["kind"] == kind)
        .collect()
}

#[test]
fn jsonl_lines_carry_the_spec_fields_in_time_order() {
    let messages = jsonl(&[]);
    assert!(messages.len() > 500, "a full program: {}", messages.len());
    let mut last = String::new();
    for m in &messages {
        let at = m["at"].as_str().unwrap();
        assert!(at.ends_with('Z'), "UTC: {at}");
        assert!(at >= last.as_str(), "ordered by at");
        last = at.to_string();
        let local =
            chrono::DateTime::parse_from_rfc3339(m["local_time"].as_str().unwrap()).unwrap();
        assert_eq!(
            local.to_utc(),
            chrono::DateTime::parse_from_rfc3339(at).unwrap().to_utc()
        );
        assert!(m["recipient"].as_str().unwrap().starts_with(['U', 'C']));
        assert!(m["week"].is_null() || (1..=4).contains(&m["week"].as_u64().unwrap()));
        let text = m["text"].as_str().unwrap();
        assert!(
            !text.is_empty() && !text.contains("{first_name}") && !text.contains("{focus}"),
            "{text}"
        );
    }
    let kinds: BTreeSet<&str> = messages
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["checkin", "digest", "prompt", "pressure", "pulse", "quiz"])
    );
}

#[test]
fn the_jsonl_written_as_it_goes_holds_every_message_the_text_preview_counts() {
    for args in [&[][..], &["--sample-activity"][..]] {
        let streamed = jsonl(args).len();
        let text = simulate(args);
        let counted = text
            .lines()
            .nth(1)
            .and_then(|header| header.split(" · ").nth(1))
            .and_then(|messages| messages.strip_suffix(" messages"))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("a count in the text preview's header: {text}"));
        assert_eq!(streamed, counted, "{args:?}");
    }
}

#[test]
fn the_same_config_always_gives_the_same_preview() {
    assert_eq!(
        simulate(&["--format", "jsonl"]),
        simulate(&["--format", "jsonl"])
    );
    assert_eq!(simulate(&[]), simulate(&[]));
}

#[test]
fn each_rep_gets_their_own_prompts_on_their_own_clock() {
    let messages = jsonl(&[]);
    // Riya works from Kolkata: her first Monday prompt is at 08:30 her time, on kickoff day.
    let riya = of(&messages, "U0EAST005", "prompt");
    assert_eq!(riya[0]["local_time"], "2027-01-11T08:30:00+05:30");
    assert!(
        riya[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Week 1: Application. Riya,"),
        "{}",
        riya[0]
    );
    // Application-week nudge only in week 1; refinement coaching to pairs in week 2.
    assert_eq!(
        messages
            .iter()
            .filter(|m| m["text"]
                .as_str()
                .unwrap()
                .starts_with("Halfway through Application week"))
            .count(),
        14,
        "twelve reps in the config, two more in people.example.csv"
    );
    let refinement: Vec<&Value> = messages
        .iter()
        .filter(|m| m["text"].as_str().unwrap().starts_with("Refinement week"))
        .collect();
    assert_eq!(
        refinement.len(),
        14,
        "six pairs, both partners, and the pair the two in people.example.csv make"
    );
    assert!(refinement.iter().all(|m| m["week"] == 2));
    // The kickoff's baseline and the day 30/60/90 pulses reach every rep.
    assert_eq!(
        messages.iter().filter(|m| m["kind"] == "pulse").count(),
        4 * 14
    );
    // The wins channel gets one post each sprint Friday.
    assert_eq!(
        messages
            .iter()
            .filter(|m| m["recipient"] == "C0SKOWINS")
            .count(),
        4
    );
}

#[test]
fn pairs_are_brought_together_and_asked_afterwards() {
    let messages = jsonl(&[]);
    let dana = of(&messages, "U0EAST001", "checkin");
    assert!(
        dana[0]["text"]
            .as_str()
            .unwrap()
            .contains("<@U0EAST001> and <@U0WEST001>"),
        "{}",
        dana[0]
    );
    assert!(dana.iter().any(|m| {
        m["text"]
            .as_str()
            .unwrap()
            .contains("did your check-in happen")
    }));
}

#[test]
fn a_manager_digest_covers_only_their_own_reps() {
    let messages = jsonl(&[]);
    // The digests themselves; each is followed by its chart, a file with a title.
    let is_chart = |m: &Value| m["source"] == "team-chart" || m["source"] == "adoption-chart";
    let from = |source: &str| -> Vec<&Value> {
        of(&messages, "U0MGREAST", "digest")
            .into_iter()
            .filter(|m| m["source"] == source)
            .collect()
    };
    let priya = from("digest");
    assert!(!priya.is_empty());
    assert_eq!(
        from("team-chart").len(),
        priya.len(),
        "one chart with each digest"
    );
    // The close reports her team, by team, with the adoption chart.
    let close = from("close");
    assert_eq!(close.len(), 1);
    let close = close[0]["text"].as_str().unwrap();
    assert!(
        close.contains("by team: East") && !close.contains("West"),
        "{close}"
    );
    assert_eq!(from("adoption-chart").len(), 1);
    for d in &priya {
        let text = d["text"].as_str().unwrap();
        assert!(
            text.contains("<@U0EAST001>") && text.contains("<@U0EAST006>"),
            "{text}"
        );
        assert!(!text.contains("<@U0WEST"), "another manager's rep: {text}");
    }
    assert!(
        of(&messages, "U0ADMIN01", "digest")
            .iter()
            .filter(|m| !is_chart(m))
            .all(
                |m| m["text"].as_str().unwrap().starts_with("*Program report")
                    || m["source"] == "close"
            )
    );
    assert!(
        of(&messages, "U0EAST001", "digest").is_empty(),
        "reps get no digest"
    );
}

#[test]
fn managers_get_week_ones_digest_moved_off_the_holiday_and_presidents_day_s_too() {
    let messages = jsonl(&[]);
    let days: Vec<&str> = of(&messages, "U0MGREAST", "digest")
        .iter()
        .map(|m| &m["local_time"].as_str().unwrap()[..16])
        .collect();
    // Kickoff Monday has nothing to report yet; 18 Jan is MLK Day, so week 1's digest comes
    // on Tuesday at the same time; 15 Feb (Presidents' Day) moves the same way.
    assert_eq!(days[0], "2027-01-19T08:00", "{days:?}");
    assert!(days.contains(&"2027-02-16T08:00"), "{days:?}");
    assert!(
        !days
            .iter()
            .any(|d| d.starts_with("2027-01-18") || d.starts_with("2027-02-15"))
    );
    let week_one = &of(&messages, "U0MGREAST", "digest")[0];
    assert!(
        week_one["text"].as_str().unwrap().contains("<@U0EAST001>"),
        "{week_one}"
    );
}

#[test]
fn from_and_days_choose_the_window() {
    let messages = jsonl(&["--from", "2027-03-22", "--days", "7"]);
    assert!(!messages.is_empty());
    assert!(messages.iter().all(|m| {
        let local = m["local_time"].as_str().unwrap();
        ("2027-03-22".."2027-03-29").contains(&&local[..10])
    }));
    assert_eq!(
        messages.iter().filter(|m| m["kind"] == "pressure").count(),
        14,
        "week 11 is a pressure week for all 14 reps"
    );
}

#[test]
fn the_text_preview_reads_week_by_week() {
    let text = simulate(&[]);
    assert!(
        text.starts_with("FY27 SKO: Discovery that sticks — simulated 90 days from Mon 11 Jan"),
        "{}",
        &text[..200]
    );
    for heading in [
        "═══ Week 1 — Application",
        "═══ Week 2 — Refinement",
        "═══ Week 3 — Optimization",
        "═══ Week 4 — Integration",
        "═══ Week 13",
    ] {
        assert!(text.contains(heading), "{heading}");
    }
    assert!(text.contains("→ Riya Kapoor"));
    assert!(text.contains("@Taylor Kim"), "mentions read as names");
}

#[test]
fn a_regional_holiday_is_kept_by_the_people_on_that_calendar_only() {
    let messages = jsonl(&[]);
    let on_republic_day = |who: &str| {
        messages.iter().any(|m| {
            m["recipient"] == who
                && m["kind"] == "checkin"
                && m["local_time"].as_str().unwrap().starts_with("2027-01-26")
        })
    };
    assert!(
        !on_republic_day("U0EAST005"),
        "Riya's pair runs on her Indian calendar"
    );
    assert!(on_republic_day("U0EAST001"), "Dana's pair meets as usual");
}

#[test]
fn sample_activity_fills_the_digests_and_reports_the_same_way_every_time() {
    let plain = jsonl(&[]);
    let sampled = jsonl(&["--sample-activity"]);
    assert_eq!(sampled, jsonl(&["--sample-activity"]), "deterministic");

    // The same schedule: every prompt, check-in, pulse and digest planned without it is sent
    // with it too; only a "did you meet?" to a pair that practised together is not needed, and
    // a question goes only when the answers so far leave one due.
    let key = |m: &Value| {
        (
            m["at"].to_string(),
            m["recipient"].to_string(),
            m["source"].to_string(),
        )
    };
    let with: BTreeSet<_> = sampled.iter().map(key).collect();
    for m in &plain {
        assert!(
            with.contains(&key(m)) || m["source"] == "checkin-followup" || m["source"] == "quiz",
            "sent without sample activity only: {m}"
        );
    }

    // Week 3's digest to Priya quotes commitments and deals, and coaches a criterion.
    let digest = sampled
        .iter()
        .find(|m| {
            m["recipient"] == "U0MGREAST"
                && m["kind"] == "digest"
                && m["text"].as_str().unwrap().contains("week 3")
        })
        .expect("Priya's week-3 digest");
    let text = digest["text"].as_str().unwrap();
    for expected in [
        "commitments 1 made · 1 done",
        "Latest live deal (",
        "Coach next: ",
        " — *",
        "check-ins 4/6 kept",
    ] {
        assert!(text.contains(expected), "expected {expected:?} in {text}");
    }
    assert!(!text.contains("0 practice reps"), "{text}");
    // A quiet rep is named, and a fading one shows in the numbers by week 5.
    assert!(
        sampled
            .iter()
            .any(|m| m["kind"] == "digest" && m["text"].as_str().unwrap().contains(":zzz: Quiet")),
        "someone is quiet"
    );
    // The day-30 report has adoption figures.
    let report = sampled
        .iter()
        .filter(|m| m["recipient"] == "U0ADMIN01")
        .map(|m| m["text"].as_str().unwrap())
        .find(|t| t.contains("Day 30: still practising"))
        .expect("a report with day-30 adoption");
    assert!(report.contains('%'), "{report}");
}

#[test]
fn charts_are_written_as_png_files_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let charts = dir.path().join("charts");
    let text = simulate(&[
        "--sample-activity",
        "--days",
        "40",
        "--charts",
        charts.to_str().unwrap(),
    ]);
    assert!(
        text.contains("📊 Your team's practice by week (chart: 2027-01-25-team-practice.png)"),
        "{text}"
    );
    let mut files: Vec<String> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert!(
        files.contains(&"2027-01-25-team-practice-U0MGREAST.png".to_string()),
        "{files:?}"
    );
    // The adoption chart only once a checkpoint (day 30, Tue 9 Feb) has figures.
    let adoption: Vec<&String> = files
        .iter()
        .filter(|f| f.contains("adoption-by-skill-U0ADMIN01"))
        .collect();
    assert_eq!(
        adoption,
        ["2027-02-16-adoption-by-skill-U0ADMIN01.png"],
        "{files:?}"
    );
    for f in &files {
        let bytes = std::fs::read(charts.join(f)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{f} is a PNG");
    }
    // Without --charts, nothing is written and the preview is the same.
    let without = simulate(&["--sample-activity", "--days", "40"]);
    assert!(without == text, "the preview changed with --charts");
}
