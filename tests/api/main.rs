//! End-to-end tests: the real server, a real SQLite file (or PostgreSQL database), a fake Slack
//! over HTTP.

mod browser;
mod chaos;
mod coaching;
mod commands;
mod crash;
mod delivery;
mod digests;
mod engine;
mod events;
mod fake_oidc;
mod fake_slack;
mod forms;
mod helpers;
mod home;
mod interactions;
mod lifecycle;
mod malformed;
mod manifest;
mod metrics;
mod outcomes;
mod planning_load;
mod prompt_buttons;
mod reinforcement;
mod replicas;
mod roster;
mod scale;
mod secrets;
mod security;
mod sending;
mod sko;
mod socket;
mod web;
mod wins;
mod writes;
