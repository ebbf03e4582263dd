//! A rep's tap on a reinforcement question: the first answer counts, is fed to the memory
//! model, and the message says right or wrong with the explanation and when it comes back.

use chrono::{DateTime, Utc};

use super::Refusal;
use super::render::escape;
use crate::domain::message::parse_quiz_value;
use crate::domain::program::{Program, Role};
use crate::domain::reinforcement::{Answer, Asked, Question};
use crate::domain::words::day;
use crate::store::{QuizAnswered, Store};

/// Records `user`'s answer from a question's button; `Ok` is the verdict shown under it.
pub async fn answer(
    store: &Store,
    program: &Program,
    user: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<String, Refusal> {
    let unknown =
        || Refusal::declined("That button doesn't answer a question I know; nothing was recorded.");
    let v = parse_quiz_value(value).ok_or_else(unknown)?;
    let question = program
        .questions
        .iter()
        .find(|q| q.id == v.question)
        .ok_or_else(unknown)?;
    let choice = question.choices.get(v.index).ok_or_else(unknown)?;
    let person = program
        .person(user)
        .filter(|p| p.role == Role::Rep)
        .ok_or_else(|| {
            Refusal::declined("Questions are for the program's reps; nothing was recorded.")
        })?;
    if v.asked_at > now {
        return Err(unknown());
    }
    let tz = person.timezone.unwrap_or(program.settings.timezone);
    let asked = Asked {
        rep: user.into(),
        question: question.id.as_str().into(),
        skill: question.skill.as_str().into(),
        asked_at: v.asked_at,
        asked_on: v.asked_at.with_timezone(&tz).date_naive(),
        answer: None,
    };
    let today = now.with_timezone(&tz).date_naive();
    let right = *choice == question.correct;
    match store
        .answer_question(&asked, choice, right, now, today, &program.reinforcement)
        .await?
    {
        QuizAnswered::First(a) => Ok(verdict(question, &a)),
        QuizAnswered::Already(first) => Err(Refusal::Declined(format!(
            "You answered this one already (“{}”); the first answer counts.",
            escape(&first.choice)
        ))),
    }
}

/// Right or wrong, the right answer, the explanation, and when the question comes back.
pub fn verdict(q: &Question, a: &Answer) -> String {
    let mut out = if a.correct {
        format!("✅ *Right:* {}", escape(&q.correct))
    } else {
        format!(
            "❌ *Not quite.* You chose “{}”; the answer is *{}*.",
            escape(&a.choice),
            escape(&q.correct)
        )
    };
    if let Some(explain) = &q.explain {
        out.push_str(&format!("\n{}", escape(explain)));
    }
    out.push_str(&format!(
        "\n_Back on {}{}._",
        day(a.next_due),
        if a.correct {
            ", to keep it"
        } else {
            ": sooner, as it slipped"
        }
    ));
    out
}
