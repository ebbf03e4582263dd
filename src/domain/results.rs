//! The kickoff judged by results, as the seeds judge it: from the CRM's opportunities, the
//! pipeline created since the kickoff against the same span a year earlier, and the win rate
//! and days to close of the deals where reps logged an application of a skill against those
//! where they did not. By team, each figure with the deals it stands on; association only.

use std::collections::{BTreeMap, HashMap};

use chrono::{Months, NaiveDate};

use chrono::{DateTime, Utc};

use super::charts::Chart;
use super::digest::RepRecord;
use super::outcomes::Opportunity;
use super::practice::{PracticeContext, PracticeLog};
use super::program::Program;
use super::words::{count, day, percent};

/// Below this many deals a rate, a median or a change is "too few to say".
pub const FEWEST_DEALS: usize = 5;

/// A deal in view: its opportunity, its owner's team, and the first day (program time) a
/// live-deal application was tied to it.
#[derive(Debug, Clone, Copy)]
pub struct Deal<'o> {
    pub opportunity: &'o Opportunity,
    pub team: &'o str,
    pub applied_on: Option<NaiveDate>,
}

impl Deal<'_> {
    /// With a logged application: tied on or before its close (any time while it is open).
    pub fn applied(&self) -> bool {
        self.applied_on
            .is_some_and(|on| before_close(self.opportunity, on))
    }
}

/// Whether an application on `on` came before `deal`'s result: on or before its close, or at
/// any time while it is open.
pub fn before_close(deal: &Opportunity, on: NaiveDate) -> bool {
    deal.closed.is_none_or(|closed| on <= closed)
}

/// The days (program time, by `day_of`) of the live-deal applications tied to each deal.
pub fn applications<'p>(
    practice: impl IntoIterator<Item = &'p PracticeLog>,
    day_of: impl Fn(&PracticeLog) -> NaiveDate,
) -> HashMap<&'p str, Vec<NaiveDate>> {
    let mut out: HashMap<&str, Vec<NaiveDate>> = HashMap::new();
    for p in practice {
        if let (Some(id), PracticeContext::Live) = (&p.deal_id, p.context) {
            out.entry(id.as_str()).or_default().push(day_of(p));
        }
    }
    out
}

/// The deals owned by the people in `owners` (email, lowercase → team), with the first day an
/// application was tied to each.
pub fn deals_of<'o>(
    opportunities: &'o [Opportunity],
    owners: &HashMap<String, &'o str>,
    applications: &HashMap<&str, Vec<NaiveDate>>,
) -> Vec<Deal<'o>> {
    opportunities
        .iter()
        .filter_map(|o| {
            Some(Deal {
                opportunity: o,
                team: owners.get(&o.owner_email)?,
                applied_on: applications
                    .get(o.id.as_str())
                    .and_then(|days| days.iter().min().copied()),
            })
        })
        .collect()
}

/// The deals of `reps` (each under the rep's team), with the practice they tied to them.
pub fn deals_in_view<'p>(program: &'p Program, reps: &[RepRecord]) -> Vec<Deal<'p>> {
    if program.opportunities.is_empty() {
        return Vec::new();
    }
    let owners: HashMap<String, &str> = reps
        .iter()
        .filter_map(|r| {
            let p = program.person(r.slack_id)?;
            Some((
                p.email.as_deref()?.to_lowercase(),
                p.team.as_deref().unwrap_or("no team"),
            ))
        })
        .collect();
    let tz = program.settings.timezone;
    let tied = applications(reps.iter().flat_map(|r| r.practice), |p| {
        p.logged_at.with_timezone(&tz).date_naive()
    });
    deals_of(&program.opportunities, &owners, &tied)
}

/// The day figures at `now` run to: today in program time, or the program's last day once it
/// has ended (the close is composed at the end of that day).
fn as_of(program: &Program, now: DateTime<Utc>) -> NaiveDate {
    let s = &program.settings;
    now.with_timezone(&s.timezone)
        .date_naive()
        .min(s.last_day())
}

/// The report's lines for `reps` as of `now`.
pub fn report_lines(program: &Program, reps: &[RepRecord], now: DateTime<Utc>) -> Vec<String> {
    let kickoff = program.settings.kickoff;
    lines(&deals_in_view(program, reps), kickoff, as_of(program, now))
}

/// The pipeline chart of `deals` as of `now`; none without deals.
pub fn pipeline_chart(program: &Program, deals: &[Deal], now: DateTime<Utc>) -> Option<Chart> {
    (!deals.is_empty()).then(|| Chart::Pipeline {
        title: "Pipeline created by week, against the same weeks a year earlier".into(),
        weeks: pipeline_by_week(deals, program.settings.kickoff, as_of(program, now)),
    })
}

/// The same span a year earlier: from the kickoff to `today`, twelve months back.
fn year_earlier(kickoff: NaiveDate, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
    (back(kickoff), back(today))
}

/// Deals created in a span, and their amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pipeline {
    pub deals: usize,
    pub cents: i64,
}

/// Deals closed in a span: how many, how many won, and the median days from created to closed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Closed {
    pub deals: usize,
    pub won: usize,
    pub median_days: Option<f64>,
}

/// One group's figures (the whole scope, or one team).
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub since_kickoff: Pipeline,
    pub year_before: Pipeline,
    pub with_application: Closed,
    pub without: Closed,
}

/// The figures of `deals` from `kickoff` to `today`, both days included: the whole, then each
/// team in name order.
pub fn figures<'o>(
    deals: &[Deal<'o>],
    kickoff: NaiveDate,
    today: NaiveDate,
) -> (Figures, Vec<(&'o str, Figures)>) {
    let mut teams: BTreeMap<&str, Vec<Deal>> = BTreeMap::new();
    for d in deals {
        teams.entry(d.team).or_default().push(*d);
    }
    let of = |deals: &[Deal]| {
        let created_in = |from: NaiveDate, to: NaiveDate| {
            let mut p = Pipeline::default();
            for d in deals {
                let o = d.opportunity;
                if (from..=to).contains(&o.created) {
                    p.deals += 1;
                    p.cents += o.amount_cents;
                }
            }
            p
        };
        let closed = |applied: bool| {
            let mut days: Vec<i64> = Vec::new();
            let mut won = 0;
            for d in deals.iter().filter(|d| d.applied() == applied) {
                let o = d.opportunity;
                if let (Some(c), Some(w)) = (o.closed, o.won)
                    && (kickoff..=today).contains(&c)
                {
                    days.push((c - o.created).num_days());
                    won += usize::from(w);
                }
            }
            Closed {
                deals: days.len(),
                won,
                median_days: median(&mut days),
            }
        };
        Figures {
            since_kickoff: created_in(kickoff, today),
            year_before: {
                let (from, to) = year_earlier(kickoff, today);
                created_in(from, to)
            },
            with_application: closed(true),
            without: closed(false),
        }
    };
    let by_team = teams.iter().map(|(t, d)| (*t, of(d))).collect();
    (of(deals), by_team)
}

/// The middle value, or the mean of the middle two, as a spreadsheet's MEDIAN.
fn median(values: &mut [i64]) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] + values[n / 2]) as f64 / 2.0),
    }
}

/// Pipeline created in each week since the kickoff (week 1 starts on the kickoff day) up to
/// the week holding `today`, against the same week a year earlier: (week, this year, last
/// year), in whole currency units.
fn pipeline_by_week(deals: &[Deal], kickoff: NaiveDate, today: NaiveDate) -> Vec<(u32, i64, i64)> {
    let weeks = ((today - kickoff).num_days().max(0) / 7 + 1) as u32;
    let (last_kickoff, last_today) = year_earlier(kickoff, today);
    let mut out: Vec<(u32, i64, i64)> = (1..=weeks).map(|w| (w, 0, 0)).collect();
    let week_of = |from: NaiveDate, until: NaiveDate, created: NaiveDate| {
        (from..=until)
            .contains(&created)
            .then(|| ((created - from).num_days() / 7) as usize)
    };
    for d in deals {
        let o = d.opportunity;
        if let Some(w) = week_of(kickoff, today, o.created) {
            out[w].1 += o.amount_cents;
        }
        if let Some(w) = week_of(last_kickoff, last_today, o.created) {
            out[w].2 += o.amount_cents;
        }
    }
    for w in &mut out {
        w.1 = (w.1 + 50) / 100;
        w.2 = (w.2 + 50) / 100;
    }
    out
}

/// Whole currency units with thousands separators: "1,234,500".
pub fn amount(cents: i64) -> String {
    let units = (cents + 50).div_euclid(100);
    let digits = units.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if units < 0 { format!("-{out}") } else { out }
}

/// The report's lines for `deals` as of `today`: nothing when there are none.
pub fn lines(deals: &[Deal], kickoff: NaiveDate, today: NaiveDate) -> Vec<String> {
    if deals.is_empty() {
        return Vec::new();
    }
    let (all, teams) = figures(deals, kickoff, today);
    let mut out = vec![format!(
        "Results from the CRM, {} to {} ({} owned by these reps; a deal's team is its owner's):",
        day(kickoff),
        day(today),
        count(deals.len(), "deal")
    )];
    out.push(format!("   Pipeline created: {}", pipeline(&all)));
    out.push(format!("   Win rate of deals closed: {}", win_rate(&all)));
    out.push(format!(
        "   Median days from created to closed: {}",
        velocity(&all)
    ));
    if teams.len() > 1 {
        for (team, f) in &teams {
            out.push(format!(
                "   {team}: pipeline {} · win rate {} · median days {}",
                pipeline(f),
                win_rate(f),
                velocity(f)
            ));
        }
    }
    out.push(format!(
        "   These deals are compared, not explained: reps who log practice in a deal may differ in other ways, so read a gap as association, not as what the practice caused. Fewer than {FEWEST_DEALS} deals: too few to say."
    ));
    out
}

/// "48 deals, 1,234,000 · a year earlier 39 deals, 1,003,000 (+23% in amount)"
fn pipeline(f: &Figures) -> String {
    let (now, then) = (f.since_kickoff, f.year_before);
    let change = if now.deals < FEWEST_DEALS || then.deals < FEWEST_DEALS || then.cents <= 0 {
        "change too few to say".to_string()
    } else {
        let pct = ((now.cents - then.cents) as f64 / then.cents as f64 * 100.0).round();
        format!("{pct:+}% in amount")
    };
    format!(
        "{}, {} · same span a year earlier {}, {} ({change})",
        count(now.deals, "deal"),
        amount(now.cents),
        count(then.deals, "deal"),
        amount(then.cents)
    )
}

/// "with a logged application 62% (8 of 13 won) · without 40% (10 of 25 won)"
fn win_rate(f: &Figures) -> String {
    let rate = |c: &Closed| {
        if c.deals < FEWEST_DEALS {
            format!("too few to say ({})", count(c.deals, "deal"))
        } else {
            format!("{} ({} of {} won)", percent(c.won, c.deals), c.won, c.deals)
        }
    };
    format!(
        "with a logged application {} · without {}",
        rate(&f.with_application),
        rate(&f.without)
    )
}

/// "with 34 days (13 deals) · without 41.5 days (25 deals)"
fn velocity(f: &Figures) -> String {
    let days = |c: &Closed| match c.median_days {
        Some(m) if c.deals >= FEWEST_DEALS => format!("{m} days ({})", count(c.deals, "deal")),
        _ => format!("too few to say ({})", count(c.deals, "deal")),
    };
    format!(
        "with {} · without {}",
        days(&f.with_application),
        days(&f.without)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn opp(
        id: &str,
        owner: &str,
        amount: i64,
        created: &str,
        closed: Option<(&str, bool)>,
    ) -> Opportunity {
        Opportunity {
            id: id.into(),
            name: format!("Deal {id}"),
            owner_email: owner.into(),
            amount_cents: amount * 100,
            created: date(created),
            closed: closed.map(|(c, _)| date(c)),
            won: closed.map(|(_, w)| w),
            stage: None,
            account: None,
            line: 0,
        }
    }

    #[test]
    fn a_deal_counts_as_applied_only_when_tied_on_or_before_its_close() {
        let o = opp("1", "a", 1, "2027-01-01", Some(("2027-02-01", true)));
        let deal = |on: Option<&str>| Deal {
            opportunity: &o,
            team: "East",
            applied_on: on.map(date),
        };
        assert!(deal(Some("2027-02-01")).applied());
        assert!(!deal(Some("2027-02-02")).applied());
        assert!(!deal(None).applied());
    }

    #[test]
    fn medians_are_a_spreadsheets() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [9, 1, 5]), Some(5.0));
        assert_eq!(median(&mut [10, 1, 4, 7]), Some(5.5));
    }

    #[test]
    fn amounts_read_in_whole_units() {
        assert_eq!(amount(123_450_000), "1,234,500");
        assert_eq!(amount(99_949), "999");
        assert_eq!(amount(0), "0");
    }

    #[test]
    fn weeks_line_up_with_the_same_weeks_a_year_earlier() {
        let opps = [
            opp("1", "a", 100, "2027-01-11", None),
            opp("2", "a", 50, "2027-01-17", None),
            opp("3", "a", 70, "2027-01-18", None),
            opp("4", "a", 30, "2026-01-11", None),
            opp("5", "a", 20, "2026-01-19", None),
            opp("6", "a", 999, "2026-01-10", None),
            opp("7", "a", 999, "2027-01-25", None),
        ];
        let deals: Vec<Deal> = opps
            .iter()
            .map(|o| Deal {
                opportunity: o,
                team: "East",
                applied_on: None,
            })
            .collect();
        assert_eq!(
            pipeline_by_week(&deals, date("2027-01-11"), date("2027-01-20")),
            [(1, 150, 30), (2, 70, 20)]
        );
    }

    #[test]
    fn the_figures_are_what_a_spreadsheet_computes_from_the_same_rows() {
        let won = |c| Some((c, true));
        let lost = |c| Some((c, false));
        let opps = [
            opp("E1", "e", 100, "2027-01-12", won("2027-02-15")),
            opp("E2", "e", 200, "2027-01-20", lost("2027-03-01")),
            opp("E3", "e", 300, "2027-02-01", won("2027-02-21")),
            opp("E4", "e", 800, "2026-12-01", won("2027-01-31")),
            opp("E5", "e", 400, "2027-03-01", None),
            opp("E6", "e", 600, "2026-01-15", won("2026-03-01")),
            opp("W1", "w", 500, "2027-01-15", won("2027-03-15")),
            opp("W2", "w", 700, "2026-02-01", None),
        ];
        let applied = |id: &str| match id {
            "E1" => Some("2027-01-20"),
            "E2" => Some("2027-03-05"), // after it closed: not an application before the result
            "E3" => Some("2027-02-10"),
            "W1" => Some("2027-02-01"),
            _ => None,
        };
        let deals: Vec<Deal> = opps
            .iter()
            .map(|o| Deal {
                opportunity: o,
                team: if o.owner_email == "e" { "East" } else { "West" },
                applied_on: applied(&o.id).map(date),
            })
            .collect();
        let (all, teams) = figures(&deals, date("2027-01-11"), date("2027-04-12"));
        let pipeline = |deals, units: i64| Pipeline {
            deals,
            cents: units * 100,
        };
        let closed = |deals, won, median| Closed {
            deals,
            won,
            median_days: median,
        };
        assert_eq!(
            all,
            Figures {
                since_kickoff: pipeline(5, 1500),
                year_before: pipeline(2, 1300),
                with_application: closed(3, 3, Some(34.0)),
                without: closed(2, 1, Some(50.5)),
            }
        );
        assert_eq!(
            teams,
            [
                (
                    "East",
                    Figures {
                        since_kickoff: pipeline(4, 1000),
                        year_before: pipeline(1, 600),
                        with_application: closed(2, 2, Some(27.0)),
                        without: closed(2, 1, Some(50.5)),
                    }
                ),
                (
                    "West",
                    Figures {
                        since_kickoff: pipeline(1, 500),
                        year_before: pipeline(1, 700),
                        with_application: closed(1, 1, Some(59.0)),
                        without: closed(0, 0, None),
                    }
                ),
            ]
        );
        let text = lines(&deals, date("2027-01-11"), date("2027-04-12")).join("\n");
        assert!(
            text.contains("Pipeline created: 5 deals, 1,500 · same span a year earlier 2 deals, 1,300 (change too few to say)"),
            "{text}"
        );
        assert!(
            text.contains("Win rate of deals closed: with a logged application too few to say (3 deals) · without too few to say (2 deals)"),
            "{text}"
        );
        assert!(
            text.contains("association, not as what the practice caused"),
            "{text}"
        );
    }
}
