//! sko-reinforce: a Slack bot that turns a Sales Kickoff into 90 days of practised behaviour.

pub mod config;
pub mod domain;
