//! The product's rules, free of I/O: the program model, the command grammars and the records
//! reps create. Everything here is a function of its inputs and is unit-tested beside itself.

pub mod absence;
pub mod activity;
pub mod charts;
pub mod checkin;
pub mod coached;
pub mod coaching;
pub mod commitment;
pub mod compose;
pub mod de;
pub mod digest;
pub mod digest_text;
pub mod forms;
pub mod holidays;
pub mod lane;
pub mod members;
pub mod mention;
pub mod message;
pub mod mrkdwn;
pub mod occurrence;
pub mod outcomes;
pub mod pair_schedule;
pub mod pairing;
pub mod people;
pub mod practice;
pub mod program;
pub mod pulse;
pub mod reinforcement;
pub mod reinforcement_text;
pub mod results;
pub mod sample;
pub mod schedule;
pub mod sko;
pub mod validation;
pub mod wall_clock;
pub mod words;

/// Why a command's text could not be understood, worded for the rep who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrammarError {
    pub problem: String,
    pub example: String,
}

impl GrammarError {
    pub fn new(problem: impl Into<String>, example: impl Into<String>) -> Self {
        Self {
            problem: problem.into(),
            example: example.into(),
        }
    }
}

/// Longest free text (commitment, notes) we accept: long enough for a real plan,
/// short enough to read on a phone.
pub const MAX_TEXT_CHARS: usize = 1_000;
