//! Accountability pairs made by the bot: new pairs each sprint, nobody paired with a past
//! partner while an unused pairing exists, across teams where possible, a trio when the count
//! is odd so nobody is left out, and people who are away skipped. Deterministic for a seed.

use std::collections::{HashMap, HashSet};

/// A rep who can be paired this sprint.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub slack_id: String,
    pub team: Option<String>,
}

/// Two people who have been partners before, stored in a canonical order.
pub fn met(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// Every pairing inside `groups`.
pub fn meetings(groups: &[Vec<String>]) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    for g in groups {
        for (i, a) in g.iter().enumerate() {
            for b in &g[i + 1..] {
                out.insert(met(a, b));
            }
        }
    }
    out
}

/// `groups` made for a roster that has since changed, fitted to the reps on it now: leavers
/// are taken out; joiners, and anyone whose partners all left, pair up with each other, and
/// the odd one out joins the smallest group as a third. Groups that lost nobody are kept.
pub fn fit(groups: &[Vec<String>], reps: &[String]) -> Vec<Vec<String>> {
    let on_roster: HashSet<&str> = reps.iter().map(String::as_str).collect();
    let mut kept: Vec<Vec<String>> = Vec::new();
    let mut placed: HashSet<&str> = HashSet::new();
    let mut unplaced: Vec<String> = Vec::new();
    for g in groups {
        let here: Vec<String> = g
            .iter()
            .filter(|m| on_roster.contains(m.as_str()) && placed.insert(m.as_str()))
            .cloned()
            .collect();
        match here.len() {
            0 => {}
            1 => unplaced.extend(here),
            _ => kept.push(here),
        }
    }
    unplaced.extend(
        reps.iter()
            .filter(|r| !placed.contains(r.as_str()))
            .cloned(),
    );
    let mut unplaced = unplaced.into_iter();
    while let Some(a) = unplaced.next() {
        match unplaced.next() {
            Some(b) => kept.push(vec![a, b]),
            // Alone on the roster, there is nobody to pair with yet.
            None => {
                if let Some(smallest) = kept.iter_mut().min_by_key(|g| g.len()) {
                    smallest.push(a);
                }
            }
        }
    }
    kept
}

const ATTEMPTS: usize = 300;
/// Rosters up to this size get the exact search for a fresh grouping.
const EXACT_UP_TO: usize = 300;
/// Round-robin rounds tried before the greedy attempts.
const CIRCLE_ROUNDS: usize = 64;

/// Groups of two (and one of three when the count is odd) for `people`, avoiding `history`.
pub fn make_pairs(
    people: &[Candidate],
    history: &HashSet<(String, String)>,
    seed: u64,
) -> Vec<Vec<String>> {
    if people.len() < 2 {
        return Vec::new();
    }
    // Past partners by position, so that a check is a lookup, not two allocations.
    let position: HashMap<&str, usize> = people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.slack_id.as_str(), i))
        .collect();
    let past: HashSet<(usize, usize)> = history
        .iter()
        .filter_map(|(a, b)| {
            let (a, b) = (*position.get(a.as_str())?, *position.get(b.as_str())?);
            Some((a.min(b), a.max(b)))
        })
        .collect();
    let have_met = |a: usize, b: usize| past.contains(&(a.min(b), a.max(b)));
    let cost = |a: usize, b: usize| -> u32 {
        let repeat = if have_met(a, b) { 1_000 } else { 0 };
        let (ta, tb) = (&people[a].team, &people[b].team);
        repeat + u32::from(ta.is_some() && ta == tb)
    };
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut best: Option<(u32, Vec<Vec<usize>>)> = None;
    // The round-robin ("circle") rounds of the sorted roster never repeat each other, so they
    // guarantee a fresh pairing while the roster is stable; random greedy rounds cover changes.
    let mut sorted: Vec<usize> = (0..people.len()).collect();
    sorted.sort_by(|a, b| people[*a].slack_id.cmp(&people[*b].slack_id));
    let spare = (sorted.len() % 2 == 1).then(|| sorted[sorted.len() - 1]);
    let even = &sorted[..sorted.len() - sorted.len() % 2];
    let circle = circle_rounds(even).take(CIRCLE_ROUNDS).map(|mut round| {
        if let Some(s) = spare {
            place_odd_one(&mut round, s, cost);
        }
        round
    });
    // The exact search looks at every pair at every step: for rosters beyond a few hundred
    // the rounds and the greedy attempts decide alone.
    let fresh = (people.len() <= EXACT_UP_TO)
        .then(|| fresh_grouping(people.len(), |a, b| !have_met(a, b), cost))
        .flatten();
    let attempts = if people.len() <= EXACT_UP_TO {
        ATTEMPTS
    } else {
        3
    };
    let candidates = fresh
        .into_iter()
        .chain(circle)
        .chain((0..attempts).map(|_| {
            let mut order: Vec<usize> = (0..people.len()).collect();
            rng.shuffle(&mut order);
            greedy(&order, cost)
        }));
    for groups in candidates {
        let total: u32 = groups
            .iter()
            .map(|g| {
                (0..g.len())
                    .flat_map(|i| (i + 1..g.len()).map(move |j| (g[i], g[j])))
                    .map(|(a, b)| cost(a, b))
                    .sum::<u32>()
            })
            .sum();
        if best.as_ref().is_none_or(|(c, _)| total < *c) {
            best = Some((total, groups));
        }
        if total == 0 {
            break;
        }
    }
    let mut out: Vec<Vec<String>> = best
        .map(|(_, groups)| groups)
        .unwrap_or_default()
        .into_iter()
        .map(|g| {
            let mut ids: Vec<String> = g.into_iter().map(|i| people[i].slack_id.clone()).collect();
            ids.sort();
            ids
        })
        .collect();
    out.sort();
    out
}

/// How many steps the exact search may take before the heuristics decide alone.
const SEARCH_BUDGET: usize = 200_000;

/// A grouping of `n` people where nobody meets a past partner, if one exists (and the search
/// finishes within its budget). Preferred partners (low `cost`) are tried first.
fn fresh_grouping(
    n: usize,
    allowed: impl Fn(usize, usize) -> bool,
    cost: impl Fn(usize, usize) -> u32,
) -> Option<Vec<Vec<usize>>> {
    struct Search<'a> {
        allowed: &'a dyn Fn(usize, usize) -> bool,
        cost: &'a dyn Fn(usize, usize) -> u32,
        steps: usize,
    }
    impl Search<'_> {
        fn run(&mut self, free: &mut Vec<usize>, groups: &mut Vec<Vec<usize>>) -> bool {
            self.steps += 1;
            if self.steps > SEARCH_BUDGET {
                return false;
            }
            match free.len() {
                0 => return true,
                1 => {
                    let odd = free[0];
                    let fits: Vec<usize> = (0..groups.len())
                        .filter(|g| groups[*g].iter().all(|m| (self.allowed)(odd, *m)))
                        .collect();
                    if let Some(g) = fits.into_iter().min_by_key(|g| {
                        groups[*g].iter().map(|m| (self.cost)(odd, *m)).sum::<u32>()
                    }) {
                        groups[g].push(odd);
                        return true;
                    }
                    return false;
                }
                _ => {}
            }
            // The person with the fewest possible partners goes first: dead ends show early.
            let options = |a: usize, free: &[usize]| {
                free.iter()
                    .filter(|b| **b != a && (self.allowed)(a, **b))
                    .count()
            };
            let (pos, _) = free
                .iter()
                .enumerate()
                .min_by_key(|(_, a)| options(**a, free))
                .expect("two or more free");
            let a = free.remove(pos);
            let mut partners: Vec<usize> = free
                .iter()
                .copied()
                .filter(|b| (self.allowed)(a, *b))
                .collect();
            partners.sort_by_key(|b| (self.cost)(a, *b));
            // With an odd count one person may stay free, so `a` may also wait for the trio.
            for b in partners {
                let at = free.iter().position(|x| *x == b).expect("b is free");
                free.remove(at);
                groups.push(vec![a, b]);
                if self.run(free, groups) {
                    return true;
                }
                groups.pop();
                free.insert(at, b);
            }
            let solved = free.len().is_multiple_of(2) && {
                // `a` as the odd one out: everyone else pairs, then `a` joins a group.
                let mut rest = free.clone();
                let before = groups.len();
                let ok = self.run(&mut rest, groups) && {
                    let mut last = vec![a];
                    self.run(&mut last, groups)
                };
                if !ok {
                    groups.truncate(before);
                }
                ok
            };
            if !solved {
                free.insert(pos, a);
            }
            solved
        }
    }
    let mut search = Search {
        allowed: &allowed,
        cost: &cost,
        steps: 0,
    };
    let mut groups = Vec::new();
    search
        .run(&mut (0..n).collect(), &mut groups)
        .then_some(groups)
}

/// Pairs in `order`, each with the cheapest partner left; an odd one out joins the group
/// where they cost least.
fn greedy(order: &[usize], cost: impl Fn(usize, usize) -> u32) -> Vec<Vec<usize>> {
    let mut left: Vec<usize> = order.to_vec();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    while left.len() >= 2 {
        let a = left.remove(0);
        // The first partner who costs nothing will do: a large roster is then linear.
        let (mut pos, mut least) = (0, u32::MAX);
        for (i, b) in left.iter().enumerate() {
            let c = cost(a, *b);
            if c < least {
                (pos, least) = (i, c);
            }
            if c == 0 {
                break;
            }
        }
        let b = left.remove(pos);
        groups.push(vec![a, b]);
    }
    if let Some(odd) = left.pop() {
        place_odd_one(&mut groups, odd, cost);
    }
    groups
}

/// The odd one out joins the group where they would meet the fewest past partners.
fn place_odd_one(groups: &mut [Vec<usize>], odd: usize, cost: impl Fn(usize, usize) -> u32) {
    if let Some(g) = groups
        .iter_mut()
        .min_by_key(|g| g.iter().map(|m| cost(odd, *m)).sum::<u32>())
    {
        g.push(odd);
    }
}

/// The rounds of a round-robin over an even number of `ids`: no pairing appears twice.
fn circle_rounds(ids: &[usize]) -> impl Iterator<Item = Vec<Vec<usize>>> + '_ {
    let (fixed, rest) = ids.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
    (0..rest.len()).map(move |r| {
        let mut ring: Vec<usize> = rest.to_vec();
        ring.rotate_left(r);
        let mut round = vec![vec![fixed, ring[0]]];
        for i in 1..=ring.len() / 2 {
            round.push(vec![ring[i], ring[ring.len() - i]]);
        }
        round
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn people(n: usize, teams: usize) -> Vec<Candidate> {
        (0..n)
            .map(|i| Candidate {
                slack_id: format!("U{i:03}"),
                team: Some(format!("T{}", i % teams.max(1))),
            })
            .collect()
    }

    fn check_cover(groups: &[Vec<String>], people: &[Candidate]) {
        let mut seen: Vec<&String> = groups.iter().flatten().collect();
        seen.sort();
        let mut all: Vec<&String> = people.iter().map(|p| &p.slack_id).collect();
        all.sort();
        assert_eq!(seen, all, "everyone exactly once");
        let trios = groups.iter().filter(|g| g.len() == 3).count();
        assert!(groups.iter().all(|g| (2..=3).contains(&g.len())));
        assert_eq!(trios, people.len() % 2, "a trio only for an odd count");
    }

    #[test]
    fn pairs_cross_teams_when_they_can() {
        let groups = make_pairs(&people(12, 2), &HashSet::new(), 7);
        assert_eq!(groups.len(), 6);
        for g in &groups {
            let teams: HashSet<char> = g.iter().map(|id| id.chars().last().unwrap()).collect();
            let index = |id: &str| id[1..].parse::<usize>().unwrap() % 2;
            assert_ne!(index(&g[0]), index(&g[1]), "{g:?} {teams:?}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_pairs() {
        let a = make_pairs(&people(9, 3), &HashSet::new(), 42);
        let b = make_pairs(&people(9, 3), &HashSet::new(), 42);
        assert_eq!(a, b);
    }

    /// Every way to split `ids` into pairs (and one trio when odd), checked one by one.
    fn brute_force_fresh_exists(ids: &[String], history: &HashSet<(String, String)>) -> bool {
        fn go(left: &[String], trio_left: bool, history: &HashSet<(String, String)>) -> bool {
            let Some((a, rest)) = left.split_first() else {
                return true;
            };
            for i in 0..rest.len() {
                if history.contains(&met(a, &rest[i])) {
                    continue;
                }
                let mut r: Vec<String> = rest.to_vec();
                let b = r.remove(i);
                if go(&r, trio_left, history) {
                    return true;
                }
                if trio_left {
                    for j in 0..r.len() {
                        if history.contains(&met(a, &r[j])) || history.contains(&met(&b, &r[j])) {
                            continue;
                        }
                        let mut r2 = r.clone();
                        r2.remove(j);
                        if go(&r2, false, history) {
                            return true;
                        }
                    }
                }
            }
            false
        }
        go(ids, ids.len() % 2 == 1, history)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn everyone_is_placed_once_and_odd_counts_make_one_trio(n in 2usize..40, teams in 1usize..5, seed in any::<u64>()) {
            let ps = people(n, teams);
            check_cover(&make_pairs(&ps, &HashSet::new(), seed), &ps);
        }

        #[test]
        fn no_one_meets_a_past_partner_while_a_new_one_is_possible(n in 2usize..11, teams in 1usize..4, seed in any::<u64>()) {
            let ps = people(n, teams);
            let mut history = HashSet::new();
            for sprint in 0..6u64 {
                let groups = make_pairs(&ps, &history, seed.wrapping_add(sprint));
                check_cover(&groups, &ps);
                let now = meetings(&groups);
                let ids: Vec<String> = ps.iter().map(|p| p.slack_id.clone()).collect();
                if brute_force_fresh_exists(&ids, &history) {
                    prop_assert!(now.is_disjoint(&history), "sprint {sprint}: repeats {:?} though a fresh grouping exists", now.intersection(&history).collect::<Vec<_>>());
                }
                history.extend(now);
            }
        }

    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// With r past sprints everyone still has n − 1 − r unused partners; from n ≥ 8 that is at
        /// least half the team, which guarantees a fresh grouping for all four sprints.
        #[test]
        fn four_fresh_sprints_for_a_real_sized_team(n in 8usize..40, teams in 1usize..4, seed in any::<u64>()) {
            let ps = people(n, teams);
            let mut history = HashSet::new();
            for sprint in 0..4u64 {
                let groups = make_pairs(&ps, &history, seed.wrapping_add(sprint));
                let now = meetings(&groups);
                prop_assert!(now.is_disjoint(&history), "n={n} sprint {sprint}");
                history.extend(now);
            }
        }

        #[test]
        fn people_away_are_left_out_and_the_rest_still_paired(n in 3usize..25, away in 0usize..3, seed in any::<u64>()) {
            let mut ps = people(n, 2);
            let gone: Vec<Candidate> = ps.drain(..away.min(n - 2)).collect();
            let groups = make_pairs(&ps, &HashSet::new(), seed);
            check_cover(&groups, &ps);
            prop_assert!(groups.iter().flatten().all(|id| gone.iter().all(|g| &g.slack_id != id)));
        }
    }
}
