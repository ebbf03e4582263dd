//! Practice logs: a role-play or a live-deal application of a skill, and the grammar of
//! `/practice <skill> [with @partner] [score N] [live|roleplay] [share] [notes]`.

use super::mention::{self, Mention};
use super::program::Skill;
use super::{GrammarError, MAX_TEXT_CHARS, commitment::truncate};

/// How far back practice counts as recent: who is still practising at a checkpoint, and the
/// rubric scores that choose what to coach next.
pub const RECENT_DAYS: i64 = 14;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PracticeContext {
    Roleplay,
    Live,
}

impl PracticeContext {
    pub fn as_str(self) -> &'static str {
        match self {
            PracticeContext::Roleplay => "roleplay",
            PracticeContext::Live => "live",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "roleplay" => Some(Self::Roleplay),
            "live" => Some(Self::Live),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PracticeContext::Roleplay => "role-play",
            PracticeContext::Live => "live deal",
        }
    }
}

/// A practice log as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeLog {
    pub user_id: String,
    pub skill_id: String,
    pub context: PracticeContext,
    pub partner_id: Option<String>,
    pub score: Option<u8>,
    pub notes: Option<String>,
    /// Scores per rubric criterion, when given through the practice form.
    pub rubric: Vec<(String, u8)>,
    pub week: Option<u32>,
    pub logged_at: chrono::DateTime<chrono::Utc>,
    /// The CRM opportunity a live-deal application was made in (`deal:<id>`).
    pub deal_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeDraft {
    pub skill_id: String,
    pub partner: Option<String>,
    /// Overall rubric score, 1–5.
    pub score: Option<u8>,
    pub context: PracticeContext,
    pub notes: Option<String>,
    pub rubric: Vec<(String, u8)>,
    /// The rep asked to post it to the team's wins channel.
    pub share: bool,
    /// The opportunity it was applied in, as the rep named it; checked against the CRM's
    /// opportunities before anything is stored.
    pub deal: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PracticeCommand {
    Help,
    List,
    Log(PracticeDraft),
}

pub const PRACTICE_EXAMPLE: &str =
    "/practice discovery with @dana score 4 live asked all four pain questions";

/// Parses the text after `/practice` against the program's skills.
pub fn parse(text: &str, skills: &[Skill]) -> Result<PracticeCommand, GrammarError> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(GrammarError::new(
            format!("That is {chars} characters; keep a practice log under {MAX_TEXT_CHARS}."),
            PRACTICE_EXAMPLE,
        ));
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.first().map(|w| w.to_lowercase()).as_deref() {
        None | Some("help" | "?") => return Ok(PracticeCommand::Help),
        Some("list" | "ls") if words.len() == 1 => return Ok(PracticeCommand::List),
        _ => {}
    }

    let (skill_id, mut i) = skill_prefix(&words, skills)?;
    let mut draft = PracticeDraft {
        skill_id,
        partner: None,
        score: None,
        context: PracticeContext::Roleplay,
        notes: None,
        rubric: Vec::new(),
        share: false,
        deal: None,
    };
    while let Some(word) = words.get(i) {
        let lower = word.to_lowercase();
        let lower = lower.trim_end_matches([',', ';']);
        match lower {
            "with" => {
                let next = words.get(i + 1).copied().unwrap_or("");
                draft.partner = Some(partner(next)?);
                i += 2;
            }
            "score" | "scored" => {
                let next = words.get(i + 1).copied().unwrap_or("");
                draft.score = Some(score(next)?);
                i += 2;
            }
            _ if lower.starts_with("deal:") => {
                // `deal:<id>` or `deal: <id>`; the id keeps its case, as the CRM spells it.
                let (id, used) = match word.get(5..).unwrap_or_default() {
                    "" => (words.get(i + 1).copied().unwrap_or(""), 2),
                    id => (id, 1),
                };
                draft.deal = Some(deal(id)?);
                draft.context = PracticeContext::Live;
                i += used;
            }
            "live" | "live-deal" | "deal" => {
                draft.context = PracticeContext::Live;
                i += 1;
            }
            "roleplay" | "role-play" | "rp" => {
                draft.context = PracticeContext::Roleplay;
                i += 1;
            }
            "share" => {
                draft.share = true;
                i += 1;
            }
            "-" | "—" | "–" | ":" | "notes" | "notes:" => {
                i += 1;
                break;
            }
            _ if mention::parse(word).is_some() => {
                draft.partner = Some(partner(word)?);
                i += 1;
            }
            _ if looks_like_score(lower) => {
                draft.score = Some(score(lower)?);
                i += 1;
            }
            _ => break,
        }
    }
    let notes = words[i.min(words.len())..].join(" ");
    draft.notes = (!notes.is_empty()).then_some(notes);
    Ok(PracticeCommand::Log(draft))
}

/// The longest run of leading words (up to four) that names exactly one skill.
fn skill_prefix(words: &[&str], skills: &[Skill]) -> Result<(String, usize), GrammarError> {
    // Only words that could be part of a name: not options, mentions, scores or punctuation.
    let max = words
        .iter()
        .take(4)
        .take_while(|w| {
            let lower = w.to_lowercase();
            w.chars().any(char::is_alphanumeric)
                && !OPTION_WORDS.contains(&lower.as_str())
                && !lower.starts_with("deal:")
                && !looks_like_score(&lower)
                && mention::parse(w).is_none()
        })
        .count();
    if max == 0 {
        return Err(GrammarError::new(
            format!(
                "Start with the skill you practised. The skills in this program are:\n{}",
                skill_list(skills)
            ),
            PRACTICE_EXAMPLE,
        ));
    }
    let mut ambiguous = None;
    for n in (1..=max).rev() {
        let candidate = words[..n].join(" ");
        match match_skill(&candidate, skills) {
            SkillMatch::One(skill) => return Ok((skill.id.clone(), n)),
            SkillMatch::Many(names) if ambiguous.is_none() => ambiguous = Some((candidate, names)),
            _ => {}
        }
    }
    let list = skill_list(skills);
    let asked = words.first().copied().unwrap_or_default();
    Err(match ambiguous {
        Some((candidate, names)) => GrammarError::new(
            format!(
                "`{}` could be {}. Which one?\n{list}",
                truncate(&candidate, 40),
                names.join(" or ")
            ),
            PRACTICE_EXAMPLE,
        ),
        None => GrammarError::new(
            format!(
                "I don't know the skill `{}`. The skills in this program are:\n{list}",
                truncate(asked, 40)
            ),
            PRACTICE_EXAMPLE,
        ),
    })
}

const OPTION_WORDS: &[&str] = &[
    "with",
    "score",
    "scored",
    "live",
    "live-deal",
    "deal",
    "roleplay",
    "role-play",
    "rp",
    "share",
    "notes",
    "notes:",
];

pub fn skill_list(skills: &[Skill]) -> String {
    skills
        .iter()
        .map(|s| format!("• `{}` — {}", s.id, s.name))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug)]
pub enum SkillMatch<'a> {
    One(&'a Skill),
    Many(Vec<String>),
    None,
}

/// Forgiving: the id, an alias, the name, the start of the name, or a near-miss spelling.
pub fn match_skill<'a>(query: &str, skills: &'a [Skill]) -> SkillMatch<'a> {
    let q = normalise(query);
    if q.is_empty() {
        return SkillMatch::None;
    }
    let exact: Vec<&Skill> = skills
        .iter()
        .filter(|s| {
            normalise(&s.id) == q
                || normalise(&s.name) == q
                || s.aliases.iter().any(|a| normalise(a) == q)
        })
        .collect();
    let tiers: [&dyn Fn(&Skill) -> bool; 3] = [
        &|s| {
            q.len() >= 3 && (normalise(&s.name).starts_with(&q) || normalise(&s.id).starts_with(&q))
        },
        &|s| q.len() >= 4 && s.name.split_whitespace().any(|w| normalise(w) == q),
        &|s| {
            q.len() >= 5
                && std::iter::once(&s.id)
                    .chain(&s.aliases)
                    .chain(std::iter::once(&s.name))
                    .any(|n| strsim::levenshtein(&normalise(n), &q) <= 2)
        },
    ];
    let mut found = exact;
    for tier in tiers {
        if !found.is_empty() {
            break;
        }
        found = skills.iter().filter(|s| tier(s)).collect();
    }
    match found.as_slice() {
        [] => SkillMatch::None,
        [one] => SkillMatch::One(one),
        many => SkillMatch::Many(many.iter().map(|s| s.name.clone()).collect()),
    }
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn partner(word: &str) -> Result<String, GrammarError> {
    let example = "/practice discovery with @dana";
    match mention::parse(word) {
        Some(Mention::User(id)) => Ok(id),
        Some(Mention::Unresolved(name)) => Err(GrammarError::new(
            format!(
                "I couldn't tell who @{} is. Type @ and pick them from Slack's list so the name turns into a link.",
                truncate(&name, 40)
            ),
            example,
        )),
        Some(Mention::Broken) | None => Err(GrammarError::new(
            "`with` needs a person: type @ and pick your partner from Slack's list.",
            example,
        )),
    }
}

fn looks_like_score(word: &str) -> bool {
    word.ends_with("/5") && word.len() <= 4
}

/// The longest opportunity id accepted; CRM ids are far shorter (Salesforce's are 18).
const DEAL_ID_MAX: usize = 100;

fn deal(id: &str) -> Result<String, GrammarError> {
    let example = "/practice discovery live deal:0065g00000XyZ12 asked all four pain questions";
    let id = id.trim_end_matches([',', ';']);
    if id.is_empty() {
        return Err(GrammarError::new(
            "`deal:` needs the opportunity's id from your CRM, right after the colon.",
            example,
        ));
    }
    if id.chars().count() > DEAL_ID_MAX || id.chars().any(char::is_control) {
        return Err(GrammarError::new(
            format!(
                "`{}` isn't an opportunity id: copy the id from the opportunity in your CRM.",
                truncate(id, 40)
            ),
            example,
        ));
    }
    Ok(id.to_string())
}

fn score(word: &str) -> Result<u8, GrammarError> {
    let digits = word.trim_end_matches("/5");
    digits
        .parse::<u8>()
        .ok()
        .filter(|n| (1..=5).contains(n))
        .ok_or_else(|| {
            GrammarError::new(
                format!(
                    "A score is a number from 1 to 5 on the rubric; `{}` isn't.",
                    truncate(word, 20)
                ),
                "/practice discovery score 4",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::program::Criterion;

    fn skills() -> Vec<Skill> {
        let skill = |id: &str, name: &str, aliases: &[&str]| Skill {
            id: id.into(),
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            rubric: vec![Criterion {
                criterion: "c".into(),
                good: "g".into(),
            }],
        };
        vec![
            skill(
                "discovery",
                "Discovery: 4-question pain framework",
                &["pain"],
            ),
            skill("objections", "Objection handling", &[]),
            skill("value-story", "Value storytelling", &["story"]),
            skill("next-steps", "Mutual next steps", &[]),
        ]
    }

    fn log(text: &str) -> PracticeDraft {
        match parse(text, &skills()) {
            Ok(PracticeCommand::Log(d)) => d,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn share_is_asked_for_by_the_word_and_never_assumed() {
        let d = log("discovery live share CFO named the cost");
        assert!(d.share);
        assert_eq!(d.notes.as_deref(), Some("CFO named the cost"));
        let d = log("discovery share live 4/5");
        assert!(d.share && d.context == PracticeContext::Live && d.score == Some(4));
        // In the notes, the word is the rep's own.
        let d = log("discovery live we agreed to share the plan with legal");
        assert!(!d.share);
        assert_eq!(
            d.notes.as_deref(),
            Some("we agreed to share the plan with legal")
        );
        assert!(!log("discovery live").share);
    }

    #[test]
    fn a_deal_is_named_by_its_crm_id_and_makes_it_live() {
        let d = log("discovery deal:0065g00000XyZ12 asked all four pain questions");
        assert_eq!(d.deal.as_deref(), Some("0065g00000XyZ12"));
        assert_eq!(d.context, PracticeContext::Live);
        assert_eq!(d.notes.as_deref(), Some("asked all four pain questions"));
        let d = log("objections live score 4 Deal: 88121 CFO pushed on price");
        assert_eq!(d.deal.as_deref(), Some("88121"));
        assert_eq!(d.score, Some(4));
        assert_eq!(d.notes.as_deref(), Some("CFO pushed on price"));
        // "deal" alone still only means live.
        let d = log("discovery deal asked");
        assert_eq!((d.deal, d.context), (None, PracticeContext::Live));
        let e = parse("discovery live deal:", &skills()).unwrap_err();
        assert!(e.problem.contains("opportunity's id"), "{}", e.problem);
    }

    #[test]
    fn full_grammar() {
        let d = log("discovery with <@U0DANA|dana> score 4 live asked all four pain questions");
        assert_eq!(d.skill_id, "discovery");
        assert_eq!(d.partner.as_deref(), Some("U0DANA"));
        assert_eq!(d.score, Some(4));
        assert_eq!(d.context, PracticeContext::Live);
        assert_eq!(d.notes.as_deref(), Some("asked all four pain questions"));
    }

    #[test]
    fn options_in_any_order_and_defaults() {
        let d = log("objections 3/5 <@U0BOB> roleplay");
        assert_eq!(
            (d.skill_id.as_str(), d.score, d.partner.as_deref()),
            ("objections", Some(3), Some("U0BOB"))
        );
        let d = log("story");
        assert_eq!(d.skill_id, "value-story");
        assert_eq!(d.context, PracticeContext::Roleplay);
        assert_eq!((d.partner, d.score, d.notes), (None, None, None));
    }

    #[test]
    fn skill_names_are_matched_forgivingly() {
        let cases = [
            ("discovery", "discovery"),
            ("Discovery", "discovery"),
            ("pain", "discovery"),
            ("objection handling live", "objections"),
            ("objection", "objections"),
            ("objectoins", "objections"),
            ("value storytelling", "value-story"),
            ("value-story", "value-story"),
            ("next steps", "next-steps"),
            ("mutual", "next-steps"),
        ];
        for (text, id) in cases {
            assert_eq!(log(text).skill_id, id, "{text:?}");
        }
    }

    #[test]
    fn unknown_skill_lists_the_skills() {
        let err = parse("negotiation score 3", &skills()).unwrap_err();
        assert!(err.problem.contains("`negotiation`"), "{}", err.problem);
        assert!(
            err.problem.contains("`objections` — Objection handling"),
            "{}",
            err.problem
        );
    }

    #[test]
    fn mistakes_say_what_was_expected() {
        let cases = [
            ("discovery score 7", "1 to 5"),
            ("discovery score", "1 to 5"),
            ("discovery with dana", "needs a person"),
            ("discovery with", "needs a person"),
            ("discovery with @dana", "couldn't tell who @dana"),
            ("discovery <@U0DANA", "needs a person"),
            ("discovery <@>", "needs a person"),
            ("with <@U0DANA> score 4", "Start with the skill"),
        ];
        for (text, problem) in cases {
            let err = parse(text, &skills()).unwrap_err();
            assert!(err.problem.contains(problem), "{text:?}: {}", err.problem);
        }
    }

    #[test]
    fn help_list_and_hostile_input() {
        assert_eq!(parse("", &skills()), Ok(PracticeCommand::Help));
        assert_eq!(parse("list", &skills()), Ok(PracticeCommand::List));
        assert!(
            parse(&"a".repeat(5_000), &skills())
                .unwrap_err()
                .problem
                .contains("5000")
        );
        let d = log("discovery '); DROP TABLE practice_logs;-- 🎯");
        assert_eq!(
            d.notes.as_deref(),
            Some("'); DROP TABLE practice_logs;-- 🎯")
        );
        assert!(parse("🎯🎯🎯", &skills()).is_err());
        assert!(parse("xx", &[]).is_err());
    }
}
