//! The words of each scheduled message, tied to the recipient's own goals (their name, their
//! partner, the week's focus, their open commitments, the skill they practise least), and the
//! one-click buttons under them.

use super::checkin::{CheckinAnswer, Group};
use super::commitment::Commitment;
use super::mrkdwn::{escape, quote};
use super::practice::PracticeLog;
use super::reinforcement::Question;
use chrono::{DateTime, Utc};

/// A scheduled message: its text (also the notification fallback), one-click answers, and
/// the answers that do not fit as buttons, offered in one menu.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub text: String,
    pub buttons: Vec<Button>,
    pub menu: Option<Menu>,
}

impl Message {
    pub fn text(text: String) -> Self {
        Self::with_buttons(text, Vec::new())
    }

    pub fn with_buttons(text: String, buttons: Vec<Button>) -> Self {
        Self {
            text,
            buttons,
            menu: None,
        }
    }
}

/// Buttons that do not fit under a message (Slack shows 25 elements in a row, and a digest
/// may name sixty reps), as one select menu: each option is labelled and valued as its button
/// would be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub prompt: &'static str,
    pub options: Vec<Button>,
}

/// The most options Slack lets a select menu hold.
pub const MENU_OPTIONS: usize = 100;

/// A button under a message: what clicking it records, and about what (`value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub action: Action,
    pub value: String,
}

/// What a click records. The `value` it carries is checked against the clicking user
/// before anything is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CheckinMet,
    CheckinRescheduled,
    CheckinMissed,
    /// App Home: close one of my commitments (the value is its short id).
    CommitmentDone,
    /// App Home: pause my prompts for a week.
    PauseWeek,
    /// App Home: end my pause.
    Resume,
    /// Under a prompt: open the practice form.
    LogPractice,
    /// Under a prompt: send it again tomorrow (the value is its outbox key).
    Snooze,
    /// Under a pulse: how often I still use it (the value is `day|answer`).
    PulseAnswer,
    /// Under a pulse: open the form that rates my confidence in each skill (the value is the
    /// checkpoint's day).
    RateSkills,
    /// Under a manager's digest: open the coaching form for a rep (the value is
    /// [`coaching_value`]: who, their name, the criterion to coach).
    LogCoaching,
    /// Under a reinforcement question: this choice (the value is [`quiz_value`]).
    AnswerQuestion,
    /// Under a live deal's confirmation: post it to the wins channel (the value is when it was
    /// logged, in Unix microseconds; it is looked up among the clicker's own practice).
    ShareWin,
}

impl Action {
    pub const CHECKIN: [Action; 3] = [
        Action::CheckinMet,
        Action::CheckinRescheduled,
        Action::CheckinMissed,
    ];
    const ALL: [Action; 13] = [
        Action::AnswerQuestion,
        Action::CheckinMet,
        Action::CheckinRescheduled,
        Action::CheckinMissed,
        Action::CommitmentDone,
        Action::PauseWeek,
        Action::Resume,
        Action::LogPractice,
        Action::Snooze,
        Action::PulseAnswer,
        Action::RateSkills,
        Action::LogCoaching,
        Action::ShareWin,
    ];

    /// Slack's `action_id`.
    pub fn id(self) -> &'static str {
        match self {
            Action::CheckinMet => "checkin_met",
            Action::CheckinRescheduled => "checkin_rescheduled",
            Action::CheckinMissed => "checkin_missed",
            Action::CommitmentDone => "commitment_done",
            Action::PauseWeek => "pause_week",
            Action::Resume => "resume",
            Action::LogPractice => "log_practice",
            Action::Snooze => "snooze",
            Action::PulseAnswer => "pulse_answer",
            Action::RateSkills => "rate_skills",
            Action::LogCoaching => "log_coaching",
            Action::ShareWin => "share_win",
            Action::AnswerQuestion => "quiz_answer",
        }
    }

    pub fn parse(id: &str) -> Option<Action> {
        Self::ALL.into_iter().find(|a| a.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::CheckinMet => "We met",
            Action::CheckinRescheduled => "Rescheduled",
            Action::CheckinMissed => "Couldn't meet",
            Action::CommitmentDone => "Done",
            Action::PauseWeek => "Pause for a week",
            Action::Resume => "Resume",
            Action::LogPractice => "Log practice",
            Action::Snooze => "Snooze until tomorrow",
            Action::PulseAnswer => "Answer",
            Action::RateSkills => "Rate my skills",
            Action::LogCoaching => "Log coaching",
            Action::ShareWin => "Share with the team",
            Action::AnswerQuestion => "Answer",
        }
    }

    /// The check-in answer it records, for the check-in buttons.
    pub fn checkin_answer(self) -> Option<CheckinAnswer> {
        match self {
            Action::CheckinMet => Some(CheckinAnswer::Met),
            Action::CheckinRescheduled => Some(CheckinAnswer::Rescheduled),
            Action::CheckinMissed => Some(CheckinAnswer::Missed),
            _ => None,
        }
    }
}

/// A reinforcement question as its rep receives it: the skill, the prompt, and one button
/// per choice.
pub fn quiz(question: &Question, skill: &str, asked_at: DateTime<Utc>) -> Message {
    let text = format!(
        "*Quick check · {}*\n{}\n_Tap your answer: the first tap counts._",
        escape(skill),
        escape(&question.prompt)
    );
    let buttons = question
        .choices
        .iter()
        .enumerate()
        .map(|(index, choice)| Button {
            action: Action::AnswerQuestion,
            value: quiz_value(&QuizValue {
                asked_at,
                question: question.id.clone(),
                index,
                choice: choice.clone(),
            }),
        })
        .collect();
    Message::with_buttons(text, buttons)
}

/// What a question's button says: when it was asked, which question, which choice (its place
/// and its words, the words only for the label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizValue {
    pub asked_at: DateTime<Utc>,
    pub question: String,
    pub index: usize,
    pub choice: String,
}

pub fn quiz_value(v: &QuizValue) -> String {
    format!(
        "{}|{}|{}|{}",
        v.asked_at.timestamp_micros(),
        v.question,
        v.index,
        v.choice
    )
}

/// Reads a question's button back; `None` for anything malformed.
pub fn parse_quiz_value(value: &str) -> Option<QuizValue> {
    let mut parts = value.splitn(4, '|');
    let asked_at = DateTime::from_timestamp_micros(parts.next()?.parse().ok()?)?;
    let question = parts.next().filter(|q| !q.is_empty())?.to_string();
    let index = parts.next()?.parse().ok()?;
    let choice = parts.next().unwrap_or_default().to_string();
    Some(QuizValue {
        asked_at,
        question,
        index,
        choice,
    })
}

/// The longest label Slack shows on a button.
const LABEL_CHARS: usize = 75;

/// A "Log coaching" button's value: the rep, their first name (for the label), and the
/// criterion to prefill. Only ever prefills a form, which checks who may coach whom.
pub fn coaching_value(rep: &str, name: &str, criterion: Option<&str>) -> String {
    let name: String = name.replace('|', " ").chars().take(NAME_CHARS).collect();
    let value = format!("{rep}|{name}|{}", criterion.unwrap_or_default());
    // Slack refuses a menu option's value past 150 characters; the form can go without the
    // criterion, not without the rep.
    if value.chars().count() > VALUE_CHARS {
        format!("{rep}|{name}|")
    } else {
        value
    }
}

/// A name in a button's label, short enough for Slack's 75-character labels.
const NAME_CHARS: usize = 40;
/// The longest value Slack keeps in a select menu's option.
const VALUE_CHARS: usize = 150;

pub fn parse_coaching_value(value: &str) -> Option<(String, String, Option<String>)> {
    let mut parts = value.splitn(3, '|');
    let rep = parts.next().filter(|r| super::mention::is_user_id(r))?;
    let name = parts.next().unwrap_or_default();
    let criterion = parts.next().filter(|c| !c.is_empty());
    Some((
        rep.to_string(),
        name.to_string(),
        criterion.map(str::to_string),
    ))
}

/// A check-in's identity inside a button: its members and when it was due.
pub fn checkin_value(members: &Group, due_at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{}|{}",
        members.sorted().key(),
        due_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )
}

/// Reads a button's check-in value back; `None` for anything malformed or forged-looking.
pub fn parse_checkin_value(value: &str) -> Option<(Group, chrono::DateTime<chrono::Utc>)> {
    let (members, due) = value.split_once('|')?;
    let members = Group::from_key(members)?;
    if !(2..=3).contains(&members.len()) || !members.iter().all(|m| super::mention::is_user_id(m)) {
        return None;
    }
    let due = chrono::DateTime::parse_from_rfc3339(due).ok()?.to_utc();
    Some((members, due))
}

/// The check-in buttons, about the check-in identified by `value`.
pub fn checkin_buttons(value: &str) -> Vec<Button> {
    Action::CHECKIN
        .into_iter()
        .map(|action| Button {
            action,
            value: value.to_string(),
        })
        .collect()
}

/// Pulse answers: how often the rep still uses what the kickoff taught.
pub const PULSE_ANSWERS: [(&str, &str); 4] = [
    ("every", "Every call"),
    ("most", "Most calls"),
    ("some", "Some calls"),
    ("not_yet", "Not yet"),
];

impl Button {
    /// What the button shows, in Slack and in a preview alike: its action's words, or for a
    /// pulse the answer's own, or the commitment it closes.
    pub fn label(&self) -> String {
        button_label(self)
    }
}

fn button_label(button: &Button) -> String {
    match button.action {
        Action::PulseAnswer => {
            let answer = button
                .value
                .split_once('|')
                .map(|(_, a)| a)
                .unwrap_or_default();
            PULSE_ANSWERS
                .iter()
                .find(|(v, _)| *v == answer)
                .map_or("Answer", |(_, l)| l)
                .to_string()
        }
        Action::CommitmentDone => format!("Done #{}", button.value),
        Action::AnswerQuestion => parse_quiz_value(&button.value).map_or_else(
            || Action::AnswerQuestion.label().to_string(),
            |v| super::commitment::truncate(&v.choice, LABEL_CHARS),
        ),
        Action::LogCoaching => match parse_coaching_value(&button.value) {
            Some((_, name, _)) if !name.is_empty() => format!("Coach {name}"),
            _ => Action::LogCoaching.label().to_string(),
        },
        other => other.label().to_string(),
    }
}

/// Buttons under a sprint prompt: log practice, close the commitments it names, snooze it.
pub fn prompt_buttons(named_commitments: &[u32], key: &str) -> Vec<Button> {
    let mut buttons = vec![Button {
        action: Action::LogPractice,
        value: String::new(),
    }];
    buttons.extend(named_commitments.iter().map(|seq| Button {
        action: Action::CommitmentDone,
        value: seq.to_string(),
    }));
    buttons.push(Button {
        action: Action::Snooze,
        value: key.to_string(),
    });
    buttons
}

/// The answers under a day-`day` pulse: how often (not on the kickoff day, the baseline,
/// when nothing is in use yet), and *Rate my skills* when the program has skills.
pub fn pulse_buttons(day: u32, has_skills: bool) -> Vec<Button> {
    let how_often = PULSE_ANSWERS
        .iter()
        .filter(|_| day > 1)
        .map(|(v, _)| Button {
            action: Action::PulseAnswer,
            value: format!("{day}|{v}"),
        });
    let rate = has_skills.then(|| Button {
        action: Action::RateSkills,
        value: day.to_string(),
    });
    how_often.chain(rate).collect()
}

/// Placeholders a trigger's text may use.
pub const PLACEHOLDERS: &[&str] = &[
    "first_name",
    "partner",
    "pair",
    "week",
    "focus",
    "open_commitments",
    "least_practised_skill",
];

/// What is known about one recipient when their message is written.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub first_name: Option<String>,
    /// Slack ids of their partner(s) this week.
    pub partners: Vec<String>,
    /// Slack ids of everyone in a pair's group DM.
    pub pair: Vec<String>,
    pub program_week: Option<u32>,
    pub focus: Option<String>,
    pub open_commitments: Vec<Commitment>,
    pub least_practised_skill: Option<String>,
}

/// Open commitments shown inside a prompt: enough to remind, short enough for a phone.
const COMMITMENTS_SHOWN: usize = 3;

/// `template` with every `{placeholder}` filled in from `facts`.
pub fn fill(template: &str, facts: &Facts) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}').map(|end| (&after[..end], end)) {
            Some((name, end)) if PLACEHOLDERS.contains(&name) => {
                out.push_str(&value(name, facts));
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn value(name: &str, f: &Facts) -> String {
    match name {
        "first_name" => f
            .first_name
            .as_deref()
            .map_or_else(|| "there".into(), escape),
        "partner" => mentions(&f.partners).unwrap_or_else(|| "your partner".into()),
        "pair" => mentions(&f.pair).unwrap_or_else(|| "partners".into()),
        "week" => f.program_week.map_or_else(|| "—".into(), |w| w.to_string()),
        "focus" => f
            .focus
            .clone()
            .unwrap_or_else(|| "keep the new habits going in live deals".into()),
        "open_commitments" => open_commitments(&f.open_commitments),
        "least_practised_skill" => f
            .least_practised_skill
            .clone()
            .unwrap_or_else(|| "any skill".into()),
        _ => String::new(),
    }
}

/// "<@A> and <@B>", "<@A>, <@B> and <@C>".
pub fn mentions(ids: &[String]) -> Option<String> {
    let tagged: Vec<String> = ids.iter().map(|id| format!("<@{id}>")).collect();
    match tagged.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [init @ .., last] => Some(format!("{} and {last}", init.join(", "))),
    }
}

fn open_commitments(list: &[Commitment]) -> String {
    if list.is_empty() {
        return "none yet".into();
    }
    let mut shown: Vec<String> = list
        .iter()
        .take(COMMITMENTS_SHOWN)
        .map(|c| format!("#{} {}", c.seq, quote(&c.text, 80)))
        .collect();
    if list.len() > COMMITMENTS_SHOWN {
        shown.push(format!("and {} more", list.len() - COMMITMENTS_SHOWN));
    }
    shown.join("; ")
}

/// The placeholders in `template` that this bot does not know.
pub fn unknown_placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                if !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !PLACEHOLDERS.contains(&name)
                {
                    out.push(name.to_string());
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// "Did you meet?", two working days after the check-in.
pub fn checkin_follow_up(pair: &[String]) -> String {
    format!(
        "{}: did your check-in happen this week? Log what you practised together with `/practice <skill> with @partner`; that counts as meeting.",
        mentions(pair).unwrap_or_else(|| "Partners".into())
    )
}

/// A pressure week: the rep's own plans, written in calmer times.
/// A rep's win as the team sees it in the wins channel: who, which skill, what happened.
pub fn win(skill: &str, win: &PracticeLog) -> String {
    let mut text = format!(
        ":trophy: *A win from <@{}>* — {}, {}",
        win.user_id,
        escape(skill),
        win.context.label()
    );
    if let Some(score) = win.score {
        text.push_str(&format!(" · {score}/5"));
    }
    if let Some(note) = win.notes.as_deref().filter(|n| !n.trim().is_empty()) {
        text.push_str(&format!("\n> {}", quote(note, 500).replace('\n', "\n> ")));
    }
    text
}

pub fn pressure(first_name: Option<&str>, plans: &[Commitment]) -> String {
    let name = first_name.map_or_else(|| "there".into(), escape);
    if plans.is_empty() {
        return format!(
            "Pressure week, {name}. Deals slip and forecasts tighten now, and old habits come back under pressure. Decide today what you'll do instead and write it down: `/commit pressure when a late-stage deal slips I will …`"
        );
    }
    let list: Vec<String> = plans
        .iter()
        .map(|p| format!("• {}", quote(&p.text, 300)))
        .collect();
    format!(
        "Pressure week, {name}. You decided in advance how you'd handle moments like this:\n{}\nWhich one will you use this week? Share it with your partner for support.",
        list.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::commitment::{CommitmentKind, CommitmentStatus};

    fn commitment(seq: u32, text: &str) -> Commitment {
        Commitment {
            user_id: "U1".into(),
            seq,
            text: text.into(),
            target: None,
            due: None,
            kind: CommitmentKind::Performance,
            status: CommitmentStatus::Open,
            week: Some(1),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            done_at: None,
        }
    }

    #[test]
    fn a_question_has_a_button_per_choice_that_reads_back_what_was_asked() {
        let q = Question {
            id: "q1".into(),
            skill: "discovery".into(),
            prompt: "Which <first>?".into(),
            choices: vec!["Situation | context".into(), "Budget".into()],
            correct: "Situation | context".into(),
            explain: None,
        };
        let asked = chrono::TimeZone::with_ymd_and_hms(&Utc, 2027, 1, 12, 15, 30, 0).unwrap();
        let m = quiz(&q, "Discovery", asked);
        assert!(
            m.text.contains("Which &lt;first&gt;?"),
            "escaped: {}",
            m.text
        );
        let labels: Vec<String> = m.buttons.iter().map(Button::label).collect();
        assert_eq!(labels, ["Situation | context", "Budget"]);
        let back = parse_quiz_value(&m.buttons[0].value).unwrap();
        assert_eq!(
            (back.asked_at, back.question.as_str(), back.index),
            (asked, "q1", 0)
        );
        assert_eq!(parse_quiz_value("nonsense|q1|0|x"), None);
        assert_eq!(parse_quiz_value("1|q1|x|y"), None);
    }

    #[test]
    fn placeholders_are_filled_from_the_recipients_own_facts() {
        let facts = Facts {
            first_name: Some("Dana".into()),
            partners: vec!["U0TAYLOR".into()],
            program_week: Some(2),
            focus: Some("Refinement".into()),
            open_commitments: (1..=5)
                .map(|i| commitment(i, &format!("goal {i}")))
                .collect(),
            least_practised_skill: Some("Objection handling".into()),
            ..Facts::default()
        };
        let text = fill(
            "Week {week}: {focus}. {first_name}, meet {partner}. Open: {open_commitments}. Try {least_practised_skill}. {unknown} {",
            &facts,
        );
        assert_eq!(
            text,
            "Week 2: Refinement. Dana, meet <@U0TAYLOR>. Open: #1 goal 1; #2 goal 2; #3 goal 3; and 2 more. Try Objection handling. {unknown} {"
        );
    }

    #[test]
    fn what_people_wrote_is_quoted_as_text_never_as_a_link() {
        let disguised = "<https://evil.example|your CRM> update after each call";
        let facts = Facts {
            first_name: Some("<!channel>".into()),
            open_commitments: vec![commitment(1, disguised)],
            ..Facts::default()
        };
        let prompt = fill("{first_name}: {open_commitments}", &facts);
        assert_eq!(
            prompt,
            "&lt;!channel&gt;: #1 &lt;https://evil.example|your CRM&gt; update after each call"
        );
        let plans = [commitment(2, disguised)];
        let pressure = pressure(Some("Dana"), &plans);
        assert!(
            pressure.contains("• &lt;https://evil.example|your CRM&gt; update"),
            "{pressure}"
        );
        assert!(!pressure.contains("<https://"), "{pressure}");
    }

    #[test]
    fn missing_facts_read_naturally() {
        let text = fill(
            "Hi {first_name}, {partner}: {open_commitments}, {focus}",
            &Facts::default(),
        );
        assert_eq!(
            text,
            "Hi there, your partner: none yet, keep the new habits going in live deals"
        );
    }

    #[test]
    fn pairs_and_trios_are_named() {
        assert_eq!(
            mentions(&["A".into(), "B".into(), "C".into()]).unwrap(),
            "<@A>, <@B> and <@C>"
        );
    }

    #[test]
    fn unknown_placeholders_are_found() {
        assert_eq!(
            unknown_placeholders("{first_name} {frist_name} {} {a b} {week"),
            ["frist_name"]
        );
    }

    #[test]
    fn checkin_values_round_trip_and_refuse_forgeries() {
        let due = chrono::DateTime::parse_from_rfc3339("2027-01-12T15:00:00Z")
            .unwrap()
            .to_utc();
        let value = checkin_value(&Group::from(["U0B", "U0A"]), due);
        assert_eq!(value, "U0A+U0B|2027-01-12T15:00:00Z");
        assert_eq!(
            parse_checkin_value(&value),
            Some((Group::from(["U0A", "U0B"]), due))
        );
        for forged in [
            "",
            "U0A|2027",
            "U0A|2027-01-12T15:00:00Z",
            "u0a+U0B|2027-01-12T15:00:00Z",
            "U0A+U0B+U0C+U0D|2027-01-12T15:00:00Z",
            "U0A+U0B|yesterday",
            "U0A+'; DROP TABLE checkins;--|2027-01-12T15:00:00Z",
        ] {
            assert_eq!(parse_checkin_value(forged), None, "{forged}");
        }
        assert_eq!(Action::parse("checkin_met"), Some(Action::CheckinMet));
        assert_eq!(
            Action::parse("commitment_done"),
            Some(Action::CommitmentDone)
        );
        assert_eq!(Action::parse("launch_rockets"), None);
    }

    #[test]
    fn pressure_week_brings_back_the_reps_own_plans() {
        let text = pressure(
            Some("Sam"),
            &[commitment(4, "when a deal slips I call the champion first")],
        );
        assert!(text.contains("• when a deal slips I call the champion first"));
        assert!(pressure(None, &[]).contains("/commit pressure"));
    }
}
