//! Opportunities from the CRM, as sales ops export them: one a row, in the CRM's own column
//! names mapped onto ours. Read once at the edge into typed values; every problem is named by
//! its line and column, so one pass fixes the file.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::people::{CsvLines, CsvProblem, push};

/// `[outcomes]`: where the opportunities are, and what the CRM calls our columns.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomesConfig {
    /// A CSV file, relative to the config file.
    pub csv: Option<String>,
    /// Our column name → the export's header, e.g. `id = "Opportunity ID"`.
    #[serde(default)]
    pub columns: HashMap<String, String>,
}

/// One opportunity. Amounts are kept in cents, so sums are exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opportunity {
    pub id: String,
    pub name: String,
    pub owner_email: String,
    pub amount_cents: i64,
    pub created: NaiveDate,
    pub closed: Option<NaiveDate>,
    /// `None` while the deal is open.
    pub won: Option<bool>,
    pub stage: Option<String>,
    pub account: Option<String>,
    /// Its line in the file, for messages about it.
    pub line: usize,
}

pub const REQUIRED: [&str; 7] = [
    "id",
    "name",
    "owner_email",
    "amount",
    "created",
    "closed",
    "won",
];
pub const OPTIONAL: [&str; 2] = ["stage", "account"];

/// The opportunities whose owner is nobody in `emails` (the roster's and `[[people]]`'s,
/// lower case): they count for no team and no rep.
pub fn unknown_owners<'o>(
    opportunities: &'o [Opportunity],
    emails: &std::collections::HashSet<String>,
) -> Vec<&'o Opportunity> {
    opportunities
        .iter()
        .filter(|o| !emails.contains(&o.owner_email))
        .collect()
}

/// Why a deal named with a practice log cannot be tied to it. Nothing about a deal that is not
/// the rep's is said, not even whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealRefusal {
    /// The program reads no opportunities (`[outcomes]` is not set).
    NoOpportunities,
    /// The rep's roster entry has no email, so their deals cannot be told apart.
    NoEmail,
    /// No opportunity has this id.
    Unknown,
    /// The opportunity is someone else's.
    NotTheirs,
}

impl DealRefusal {
    /// What to tell the rep, naming the id they gave.
    pub fn explain(self, id: &str) -> String {
        match self {
            DealRefusal::NoOpportunities => "This program doesn't read opportunities from your CRM yet, so a deal can't be named. Log it without `deal:`, or ask your enablement admin to set up `[outcomes]`.".to_string(),
            DealRefusal::NoEmail => "Your roster entry has no email, so I can't tell which opportunities are yours. Ask your enablement admin to add it; meanwhile log it without `deal:`.".to_string(),
            DealRefusal::Unknown => format!("I don't find opportunity `{id}` in the CRM export. Copy its id from the opportunity in your CRM (the export may not have it yet), or log it without `deal:`."),
            DealRefusal::NotTheirs => format!("Opportunity `{id}` isn't yours in the CRM export, so it can't be tied to your practice. Name one of your own opportunities, or log it without `deal:`."),
        }
    }
}

/// The opportunity `id`, if it is `rep_email`'s (emails compared without case).
pub fn rep_deal<'o>(
    opportunities: &'o [Opportunity],
    id: &str,
    rep_email: Option<&str>,
) -> Result<&'o Opportunity, DealRefusal> {
    if opportunities.is_empty() {
        return Err(DealRefusal::NoOpportunities);
    }
    let email = rep_email.ok_or(DealRefusal::NoEmail)?;
    let deal = opportunities
        .iter()
        .find(|o| o.id == id)
        .ok_or(DealRefusal::Unknown)?;
    if deal.owner_email.eq_ignore_ascii_case(email) {
        Ok(deal)
    } else {
        Err(DealRefusal::NotTheirs)
    }
}

/// The rep's open opportunities, newest first.
pub fn open_deals_of<'o>(
    opportunities: &'o [Opportunity],
    rep_email: &str,
) -> Vec<&'o Opportunity> {
    let mut open: Vec<&Opportunity> = opportunities
        .iter()
        .filter(|o| o.won.is_none() && o.owner_email.eq_ignore_ascii_case(rep_email))
        .collect();
    open.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
    open
}

/// Reads an opportunities export: a header naming the columns (ours, or the CRM's as
/// `columns` maps them; any order and case), then one opportunity a row. All or nothing: any
/// problem, and the file is refused with every problem listed.
pub fn parse_opportunities_csv(
    text: &str,
    columns: &HashMap<String, String>,
) -> Result<Vec<Opportunity>, Vec<CsvProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut problems = Vec::new();
    for ours in columns.keys() {
        if !REQUIRED.iter().chain(&OPTIONAL).any(|c| c == ours) {
            push(
                &mut problems,
                1,
                None,
                format!(
                    "[outcomes.columns] maps `{ours}`, which is not one of ours: {}",
                    REQUIRED
                        .iter()
                        .chain(&OPTIONAL)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_lowercase).collect(),
        Err(e) => {
            push(
                &mut problems,
                1,
                None,
                format!("the header cannot be read ({e})"),
            );
            return Err(problems);
        }
    };
    // Where each of our columns is: under the CRM's name when mapped, else our own.
    let mut at: HashMap<&'static str, usize> = HashMap::new();
    for c in REQUIRED.iter().chain(&OPTIONAL) {
        let wanted = columns.get(*c).map_or(c.to_string(), |h| h.to_lowercase());
        if let Some(i) = header.iter().position(|h| *h == wanted) {
            at.insert(c, i);
        } else if REQUIRED.contains(c) {
            push(
                &mut problems,
                1,
                None,
                format!(
                    "column `{wanted}` (our `{c}`) is missing; name it in the header, or map it in [outcomes.columns]"
                ),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let lines = CsvLines::of(text);
    let mut out = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                push(
                    &mut problems,
                    lines.at(e.position()),
                    None,
                    format!("the row cannot be read ({e})"),
                );
                continue;
            }
        };
        let line = lines.at(record.position());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let get = |c: &str| {
            at.get(c)
                .and_then(|&i| record.get(i))
                .filter(|v| !v.is_empty())
        };
        let id = get("id").map(str::to_string);
        match &id {
            None => push(
                &mut problems,
                line,
                Some("id"),
                "the opportunity id is empty".into(),
            ),
            Some(i) => {
                if let Some(first) = ids.insert(i.clone(), line) {
                    push(
                        &mut problems,
                        line,
                        Some("id"),
                        format!("`{i}` is already on line {first}"),
                    );
                }
            }
        }
        let owner = get("owner_email").map(str::to_ascii_lowercase);
        if owner.as_deref().is_none_or(|o| !o.contains('@')) {
            push(
                &mut problems,
                line,
                Some("owner_email"),
                format!(
                    "`{}` is not an email address; the owner is matched to the roster by email",
                    get("owner_email").unwrap_or_default()
                ),
            );
        }
        let amount = match get("amount") {
            None => Some(0),
            Some(a) => {
                let cents = cents(a);
                if cents.is_none() {
                    push(
                        &mut problems,
                        line,
                        Some("amount"),
                        format!("`{a}` is not an amount; write it as 12500 or 12,500.00"),
                    );
                }
                cents
            }
        };
        let mut date = |column: &'static str, required: bool| match get(column) {
            None if required => {
                push(
                    &mut problems,
                    line,
                    Some(column),
                    "the date is empty; use YYYY-MM-DD".into(),
                );
                None
            }
            None => Some(None),
            Some(d) => match day(d) {
                Some(d) => Some(Some(d)),
                None => {
                    push(
                        &mut problems,
                        line,
                        Some(column),
                        format!("`{d}` is not a date; use YYYY-MM-DD"),
                    );
                    None
                }
            },
        };
        let created = date("created", true).flatten();
        let closed = date("closed", false);
        let won = match get("won").map(str::to_ascii_lowercase).as_deref() {
            None => Some(None),
            Some("true" | "yes" | "1" | "won") => Some(Some(true)),
            Some("false" | "no" | "0" | "lost") => Some(Some(false)),
            Some(other) => {
                push(
                    &mut problems,
                    line,
                    Some("won"),
                    format!("`{other}` is not true, false or empty (open)"),
                );
                None
            }
        };
        if let (Some(Some(_)), Some(None)) = (won, closed) {
            push(
                &mut problems,
                line,
                Some("closed"),
                "a won or lost deal needs its close date".into(),
            );
        }
        if let (
            Some(id),
            Some(owner_email),
            Some(amount_cents),
            Some(created),
            Some(closed),
            Some(won),
        ) = (id, owner, amount, created, closed, won)
        {
            if closed.is_some_and(|c| c < created) {
                push(
                    &mut problems,
                    line,
                    Some("closed"),
                    "it closed before it was created".into(),
                );
                continue;
            }
            out.push(Opportunity {
                name: get("name").unwrap_or(&id).to_string(),
                id,
                owner_email,
                amount_cents,
                created,
                // An open deal's close date is only the forecast.
                closed: closed.filter(|_| won.is_some()),
                won,
                stage: get("stage").map(str::to_string),
                account: get("account").map(str::to_string),
                line,
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// "12,500.00", "$12500", "12500.5", "-5.25" → cents; `None` for anything else.
fn cents(raw: &str) -> Option<i64> {
    let clean: String = raw
        .chars()
        .filter(|c| !matches!(c, ',' | '$' | '€' | '£' | ' '))
        .collect();
    let (sign, digits) = match clean.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, clean.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || fraction.len() > 2 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    Some(sign * whole.checked_mul(100)?.checked_add(fraction)?)
}

/// `YYYY-MM-DD`, and the same with a time after it (some exports add one).
fn day(raw: &str) -> Option<NaiveDate> {
    let date = raw.get(..10).unwrap_or(raw);
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn salesforce() -> HashMap<String, String> {
        [
            ("id", "Opportunity ID"),
            ("name", "Opportunity Name"),
            ("owner_email", "Opportunity Owner: Email"),
            ("amount", "Amount"),
            ("created", "Created Date"),
            ("closed", "Close Date"),
            ("won", "Won"),
            ("stage", "Stage"),
            ("account", "Account Name"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    #[test]
    fn a_salesforce_report_is_read_through_its_own_column_names() {
        let text = "\u{feff}Opportunity Name,Opportunity ID,Account Name,Opportunity Owner: Email,Amount,Created Date,Close Date,Won,Stage\n\
            Acme renewal,006A1,Acme,Dana@Example.com,\"12,500.00\",2027-01-12,2027-02-20,true,Closed Won\n\
            \n\
            Globex new,006A2,Globex,sam@example.com,$8000,2026-12-01,2027-03-31,,Negotiation\n";
        let opps = parse_opportunities_csv(text, &salesforce()).unwrap();
        assert_eq!(opps.len(), 2);
        assert_eq!(
            (
                opps[0].id.as_str(),
                opps[0].owner_email.as_str(),
                opps[0].amount_cents,
                opps[0].won
            ),
            ("006A1", "dana@example.com", 1_250_000, Some(true))
        );
        assert_eq!(opps[0].closed, NaiveDate::from_ymd_opt(2027, 2, 20));
        assert_eq!((opps[1].won, opps[1].closed, opps[1].line), (None, None, 4));
        assert_eq!(opps[1].account.as_deref(), Some("Globex"));
    }

    #[test]
    fn every_bad_row_is_named_by_line_and_column() {
        let text = "id,name,owner_email,amount,created,closed,won\n\
            1,A,dana@example.com,12k,2027-01-12,,\n\
            2,B,nobody,100,12/01/2027,,maybe\n\
            1,C,sam@example.com,100,2027-01-12,,true\n\
            4,D,sam@example.com,100,2027-01-12,2027-01-01,false\n";
        let problems = parse_opportunities_csv(text, &HashMap::new()).unwrap_err();
        let said: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {}: {}", p.line, p.column.unwrap_or("-"), p.message))
            .collect();
        for expected in [
            "2: amount: `12k` is not an amount",
            "3: owner_email: `nobody` is not an email address",
            "3: created: `12/01/2027` is not a date; use YYYY-MM-DD",
            "3: won: `maybe` is not true, false or empty (open)",
            "4: id: `1` is already on line 2",
            "4: closed: a won or lost deal needs its close date",
            "5: closed: it closed before it was created",
        ] {
            assert!(
                said.iter().any(|s| s.starts_with(expected)),
                "{expected} in {said:#?}"
            );
        }
    }

    #[test]
    fn a_missing_or_misnamed_column_is_named_with_what_to_do() {
        let mut columns = HashMap::new();
        columns.insert("identifier".to_string(), "Opportunity ID".to_string());
        columns.insert("id".to_string(), "Opp ID".to_string());
        let problems = parse_opportunities_csv("name,owner_email\n", &columns).unwrap_err();
        let said: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            said.iter()
                .any(|m| m.starts_with("[outcomes.columns] maps `identifier`"))
        );
        assert!(
            said.iter()
                .any(|m| m.starts_with("column `opp id` (our `id`) is missing"))
        );
        assert!(
            said.iter()
                .any(|m| m.starts_with("column `amount` (our `amount`) is missing"))
        );
    }

    #[test]
    fn amounts_are_exact_in_cents() {
        assert_eq!(cents("12,500.5"), Some(1_250_050));
        assert_eq!(cents("0.99"), Some(99));
        assert_eq!(cents("1.234"), None);
        assert_eq!(cents("abc"), None);
        assert_eq!(cents("-5.25"), Some(-525));
    }

    #[test]
    fn a_rep_ties_practice_only_to_their_own_deals() {
        let text = "id,name,owner_email,amount,created,closed,won\n\
            A1,Acme,dana@example.com,100,2027-01-02,,\n\
            A2,Globex,sam@example.com,100,2027-01-03,,\n\
            A3,Initech,dana@example.com,100,2027-01-05,,\n\
            A4,Umbrella,dana@example.com,100,2027-01-04,2027-01-20,true\n";
        let opps = parse_opportunities_csv(text, &HashMap::new()).unwrap();
        let dana = Some("Dana@Example.com");
        assert_eq!(rep_deal(&opps, "A1", dana).map(|o| o.line), Ok(2));
        assert_eq!(rep_deal(&opps, "A2", dana), Err(DealRefusal::NotTheirs));
        assert_eq!(rep_deal(&opps, "a1", dana), Err(DealRefusal::Unknown));
        assert_eq!(rep_deal(&opps, "A1", None), Err(DealRefusal::NoEmail));
        assert_eq!(rep_deal(&[], "A1", dana), Err(DealRefusal::NoOpportunities));
        // Someone else's deal is refused without saying whose.
        assert!(!DealRefusal::NotTheirs.explain("A2").contains("sam"));
        let open: Vec<&str> = open_deals_of(&opps, "dana@example.com")
            .iter()
            .map(|o| o.id.as_str())
            .collect();
        assert_eq!(open, ["A3", "A1"]);
    }
}
