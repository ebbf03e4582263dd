//! Clicks and forms. A click calls the operation its button stands for (the same one the typed
//! command calls), as the person who clicked; the message clicked in then shows what was
//! recorded, or the clicker is told why not. A form is checked field by field, then recorded.

use slack_morphism::prelude::*;

use super::Dispatcher;
use crate::commands::{self, Refusal, clicks};
use crate::domain::coached::{self, CoachingDraft};
use crate::domain::commitment::CommitmentDraft;
use crate::domain::forms;
use crate::domain::message::{Action, parse_coaching_value};
use crate::domain::practice::PracticeDraft;
use crate::domain::pulse;
use crate::slack::modals;

/// How long a form's write may take: Slack closes the form or shows our errors only if we
/// answer within 3 seconds. The store ends a write within 2.5 s (its queue and SQLite's busy
/// retries are bounded), so this is a last guard.
const FORM_WITHIN: std::time::Duration = std::time::Duration::from_millis(2_800);

/// Beside the form's first field when it could not be recorded: the form stays open.
const NOT_SAVED: &str = "Not saved: the bot could not record this just now. Your answers are still here; submit again in a moment.";

/// A form's contents, checked and ready to record.
enum Draft {
    Commitment(CommitmentDraft),
    Practice(PracticeDraft),
    Confidence {
        day: u32,
        ratings: Vec<(String, u8)>,
    },
    Coaching(CoachingDraft),
}

impl Dispatcher {
    /// Button clicks, form submissions and other interactions; the answer is what Slack is
    /// told (empty, or a form's field errors).
    pub async fn interaction(&self, event: SlackInteractionEvent) -> SlackInteractionResponse {
        let kind = match &event {
            SlackInteractionEvent::BlockActions(actions) => {
                self.clicks(actions).await;
                return SlackInteractionResponse::Empty;
            }
            SlackInteractionEvent::ViewSubmission(submission) => {
                return self.submission(submission).await;
            }
            SlackInteractionEvent::ViewClosed(_) => "view_closed",
            SlackInteractionEvent::Shortcut(_) => "shortcut",
            SlackInteractionEvent::MessageAction(_) => "message_action",
            _ => "other",
        };
        tracing::info!(kind, "interaction acknowledged; no handler for it yet");
        SlackInteractionResponse::Empty
    }

    async fn clicks(&self, event: &SlackInteractionBlockActionsEvent) {
        let Some(user) = event.user.as_ref().map(|u| u.id.0.clone()) else {
            tracing::warn!("a button click without a user; ignored");
            return;
        };
        let in_home = matches!(event.container, SlackInteractionActionContainer::View(_));
        for action in event.actions.iter().flatten() {
            if action.action_id.0 == modals::SKILL_PICKER {
                self.show_rubric(event, action);
                continue;
            }
            let Some(kind) = Action::parse(&action.action_id.0) else {
                tracing::info!(action = %action.action_id.0, "a click on a button this version does not know");
                continue;
            };
            // A button carries its value; an option picked from a menu, the option's.
            let picked = action.selected_option.as_ref().map(|o| o.value.as_str());
            if matches!(
                kind,
                Action::LogPractice | Action::LogCoaching | Action::RateSkills
            ) {
                if let Some(form) = self.form_for(kind, action.value.as_deref().or(picked), &user) {
                    self.open_later(event.trigger_id.0.clone(), form);
                }
                continue;
            }
            let value = action.value.as_deref().or(picked).unwrap_or_default();
            let outcome = self.click(&user, kind, value).await;
            if in_home {
                // The tab is drawn again to show the result; it has nowhere to say a refusal.
                if let Err(refusal) = outcome {
                    let why = refusal.tell();
                    tracing::info!(%user, action = kind.id(), %why, "App Home click refused");
                }
                self.publish_home(user.clone());
            } else {
                self.show_click(event, outcome);
            }
        }
    }

    /// The operation behind a button, run as `user`: `Ok` is the line that says what was done.
    async fn click(&self, user: &str, action: Action, value: &str) -> Result<String, Refusal> {
        let program = self.program.load_full();
        let now = self.clock.now();
        let caller = commands::caller(&program, user, now);
        let store = &self.store;
        match action {
            Action::CommitmentDone => clicks::done(store, &caller, value).await,
            Action::PauseWeek => clicks::pause_week(store, &program, &caller).await,
            Action::Resume => commands::sko::resume(store, &caller)
                .await
                .map(|()| format!("*<@{user}>:* back")),
            Action::Snooze => clicks::snooze(store, user, value, now).await,
            Action::ShareWin => clicks::share_win(store, &program, user, value, now).await,
            Action::PulseAnswer => clicks::answer_pulse(store, &program, user, value, now).await,
            Action::AnswerQuestion => {
                commands::quiz::answer(store, &program, user, value, now).await
            }
            Action::CheckinMet | Action::CheckinRescheduled | Action::CheckinMissed => {
                clicks::answer_checkin(store, user, action, value, now).await
            }
            Action::LogPractice | Action::RateSkills | Action::LogCoaching => {
                Err(Refusal::declined("That button opens a form."))
            }
        }
    }

    /// A click's outcome where it was clicked: the line added to the message, or the refusal
    /// told to the clicker alone (through the click's `response_url`).
    fn show_click(
        &self,
        event: &SlackInteractionBlockActionsEvent,
        outcome: Result<String, Refusal>,
    ) {
        let Some(url) = event.response_url.as_ref().map(|u| u.0.to_string()) else {
            return;
        };
        let original = event
            .message
            .as_ref()
            .and_then(|m| m.content.text.clone())
            .unwrap_or_default();
        let gateway = self.gateway.clone();
        self.tasks.spawn(async move {
            let sent = match outcome {
                Ok(line) => {
                    gateway
                        .replace_original(&url, &format!("{original}\n{line}"))
                        .await
                }
                Err(refusal) => gateway.respond(&url, &refusal.tell()).await,
            };
            if let Err(e) = sent {
                tracing::error!(error = %format_args!("{e:#}"), "could not update the clicked message");
            }
        });
    }

    /// A submitted form: checked field by field (problems shown beside their fields), then
    /// recorded exactly as the typed command would be and confirmed in a DM through the
    /// outbox. What cannot be recorded within Slack's 3 seconds is answered in the form, which
    /// stays open with what the person wrote: never closed as if saved.
    async fn submission(
        &self,
        event: &SlackInteractionViewSubmissionEvent,
    ) -> SlackInteractionResponse {
        let SlackView::Modal(modal) = &event.view.view else {
            return SlackInteractionResponse::Empty;
        };
        let callback = modal
            .callback_id
            .as_ref()
            .map(|c| c.0.clone())
            .unwrap_or_default();
        let user = event.user.id.0.clone();
        let program = self.program.load_full();
        let now = self.clock.now();
        let today = commands::caller(&program, &user, now).today();
        let (draft, first_field) = match callback.as_str() {
            modals::COMMIT_FORM => {
                match forms::commit_draft(&modals::commit_form(&event.view), today) {
                    Err(fields) => return modals::errors(fields),
                    Ok(draft) => (Draft::Commitment(draft), "text".to_string()),
                }
            }
            modals::PRACTICE_FORM => match forms::practice_draft(
                &modals::practice_form(&event.view, &program),
                &program.skills,
                &user,
            ) {
                Err(fields) => return modals::errors(fields),
                Ok(draft) => {
                    // A deal that is not the rep's is refused beside it: nothing closes as saved.
                    let caller = commands::caller(&program, &user, now);
                    if let Some(Err(why)) = draft
                        .deal
                        .as_deref()
                        .map(|id| commands::practice::deal_check(&program, &caller, id))
                    {
                        return modals::errors(vec![("deal".to_string(), why)]);
                    }
                    (Draft::Practice(draft), "skill".to_string())
                }
            },
            modals::COACH_FORM => {
                match coached::coaching_draft(modals::coach_form(&event.view), &program.skills) {
                    Err(fields) => return modals::errors(fields),
                    Ok(draft) => {
                        // Refused in the form itself, beside the rep: nothing closes as saved.
                        let caller = commands::caller(&program, &user, now);
                        if let Err(why) =
                            commands::coach::may_coach(&program, &caller, &draft.rep_id)
                        {
                            return modals::errors(vec![("rep".to_string(), why)]);
                        }
                        (Draft::Coaching(draft), "note".to_string())
                    }
                }
            }
            modals::CONFIDENCE_FORM => {
                let (day, picked) = modals::confidence_form(&event.view, &program);
                let Some(day) = day else {
                    tracing::warn!(%user, "a confidence form without its checkpoint day");
                    return SlackInteractionResponse::Empty;
                };
                match pulse::confidence_draft(&picked, &program.skills) {
                    Err(fields) => return modals::errors(fields),
                    Ok(ratings) => (
                        Draft::Confidence { day, ratings },
                        program
                            .skills
                            .first()
                            .map_or_else(String::new, |s| s.id.clone()),
                    ),
                }
            }
            other => {
                tracing::info!(callback = other, "a form this version does not know");
                return SlackInteractionResponse::Empty;
            }
        };
        // Recorded in a task of its own: a write that finishes after the answer still
        // confirms itself in a DM rather than vanishing.
        let this = self.clone();
        let recording = self.tasks.spawn(async move {
            let caller = commands::caller(&program, &user, now);
            let recorded = match draft {
                Draft::Commitment(draft) => {
                    commands::commit::record(&this.store, &program, &caller, draft).await
                }
                Draft::Practice(draft) => {
                    commands::practice::log(&this.store, &program, &caller, draft).await
                }
                Draft::Coaching(draft) => {
                    commands::coach::record(&this.store, &program, &caller, draft).await
                }
                Draft::Confidence { day, ratings } => {
                    clicks::rate_skills(&this.store, &program, &caller, day, &ratings).await
                }
            }?;
            let why = format!("form:{callback}:{user}");
            if let Err(e) = commands::notify(&this.store, &program, &user, &why, &recorded.text, now).await {
                tracing::error!(error = %format_args!("{e:#}"), "could not queue a form's confirmation");
            }
            anyhow::Ok(())
        });
        match tokio::time::timeout(FORM_WITHIN, recording).await {
            Ok(Ok(Ok(()))) => SlackInteractionResponse::Empty,
            Ok(Ok(Err(e))) => {
                tracing::error!(error = %format_args!("{e:#}"), "could not record a form; told the person in the form");
                modals::errors(vec![(first_field.clone(), NOT_SAVED.to_string())])
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "recording a form panicked; told the person in the form");
                modals::errors(vec![(first_field.clone(), NOT_SAVED.to_string())])
            }
            Err(_) => {
                tracing::warn!(
                    "a form was not recorded within Slack's deadline; told the person in the form"
                );
                modals::errors(vec![(first_field.clone(), NOT_SAVED.to_string())])
            }
        }
    }

    /// The form a button opens, if it opens one: *Log practice* the practice form, *Log
    /// coaching* the coaching form filled in for its rep, *Rate my skills* its checkpoint's
    /// confidence form (a day that is no checkpoint opens nothing).
    fn form_for(
        &self,
        kind: Action,
        value: Option<&str>,
        user: &str,
    ) -> Option<(SlackView, &'static str)> {
        let program = self.program.load_full();
        match kind {
            Action::LogPractice => Some((
                modals::practice_view(&program, None, &program.open_deals_of(user)),
                "practice",
            )),
            Action::LogCoaching => {
                let prefill = value.and_then(parse_coaching_value);
                let (rep, criterion) = prefill.map_or((None, None), |(rep, _, c)| (Some(rep), c));
                let view = modals::coach_view(&program, rep.as_deref(), criterion.as_deref());
                Some((view, "coaching"))
            }
            Action::RateSkills => {
                let day = value
                    .and_then(|d| d.parse::<u32>().ok())
                    .filter(|d| program.checkpoints.iter().any(|c| c.day == *d));
                if day.is_none() {
                    tracing::warn!("a Rate my skills click names no checkpoint; nothing opened");
                }
                day.map(|d| (modals::confidence_view(&program, d), "confidence"))
            }
            _ => None,
        }
    }

    /// Opens `form` for the click's `trigger_id`, off the answer to Slack.
    fn open_later(&self, trigger_id: String, (view, form): (SlackView, &'static str)) {
        let gateway = self.gateway.clone();
        self.tasks.spawn(async move {
            if let Err(e) = gateway.open_view(&trigger_id, view).await {
                tracing::error!(error = %format_args!("{e:#}"), form, "could not open a form");
            }
        });
    }

    /// The practice form's skill changed: show that skill's rubric.
    fn show_rubric(
        &self,
        event: &SlackInteractionBlockActionsEvent,
        action: &SlackInteractionActionInfo,
    ) {
        let SlackInteractionActionContainer::View(container) = &event.container else {
            return;
        };
        let skill = action.selected_option.as_ref().map(|o| o.value.clone());
        let user = event
            .user
            .as_ref()
            .map(|u| u.id.0.clone())
            .unwrap_or_default();
        let (view_id, this) = (container.view_id.0.clone(), self.clone());
        self.tasks.spawn(async move {
            let program = this.program.load_full();
            let deals = program.open_deals_of(&user);
            let view = modals::practice_view(&program, skill.as_deref(), &deals);
            if let Err(e) = this.gateway.update_view(&view_id, view).await {
                tracing::error!(error = %format_args!("{e:#}"), "could not show the rubric");
            }
        });
    }
}
