//! sko-reinforce: a Slack bot that turns a Sales Kickoff into 90 days of practised behaviour.
//!
//! `domain` holds the rules and depends on nothing of ours; `store` (SQLite or PostgreSQL,
//! and in memory for `simulate`) and `slack` (requests in, Web API out) are the edges;
//! `commands` is what people can do, typed or clicked, and what their views show;
//! `scheduler` plans and sends the program's messages through the outbox; `web` is the report
//! on the web behind Sign in with Slack; `app` wires them together for `main` (whose commands live in `src/cli/`) and for the tests.

pub mod app;
pub mod charts;
pub mod clock;
pub mod commands;
pub mod config;
pub mod domain;
pub mod export;
pub mod metrics;
pub mod reload;
pub mod scheduler;
pub mod simulate;
pub mod slack;
pub mod store;
pub mod telemetry;
pub mod web;
