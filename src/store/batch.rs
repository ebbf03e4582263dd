//! Group commit: writes that arrive while another is in progress wait for it, then go to the
//! database together, in one statement and one transaction, and each caller gets its own
//! answer once that transaction has committed. Alone, a write goes at once; under load, the
//! cost of a round trip to SQLite's thread and of a commit is shared by the whole group.

use std::future::Future;

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

/// The most writes in one statement: bounds the JSON bound to it and the wait behind it.
const MAX_BATCH: usize = 256;

type Job<I, O> = (I, oneshot::Sender<anyhow::Result<O>>);

pub(super) struct Batcher<I, O> {
    jobs: mpsc::Sender<Job<I, O>>,
}

impl<I, O> Clone for Batcher<I, O> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
        }
    }
}

impl<I, O> std::fmt::Debug for Batcher<I, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Batcher")
    }
}

impl<I: Clone + Send + 'static, O: Send + 'static> Batcher<I, O> {
    /// Starts the writer task. `write` must answer one output per input, in order, or fail
    /// the whole group; a failed group is then written one by one, so one bad row cannot
    /// fail its neighbours.
    pub(super) fn spawn<F, Fut>(pool: SqlitePool, write: F) -> Self
    where
        F: Fn(SqlitePool, Vec<I>) -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<Vec<O>>> + Send,
    {
        let (jobs, mut queue) = mpsc::channel::<Job<I, O>>(MAX_BATCH * 4);
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(MAX_BATCH);
            while queue.recv_many(&mut group, MAX_BATCH).await > 0 {
                let (inputs, answers): (Vec<I>, Vec<_>) = group.drain(..).unzip();
                let written = write(pool.clone(), inputs.clone())
                    .await
                    .and_then(|outputs| {
                        anyhow::ensure!(
                            outputs.len() == inputs.len(),
                            "a group write answered the wrong number of rows"
                        );
                        Ok(outputs)
                    });
                match written {
                    Ok(outputs) => {
                        for (answer, output) in answers.into_iter().zip(outputs) {
                            let _ = answer.send(Ok(output));
                        }
                    }
                    Err(e) if inputs.len() == 1 => {
                        let _ = answers.into_iter().next().map(|a| a.send(Err(e)));
                    }
                    Err(_) => {
                        for (input, answer) in inputs.into_iter().zip(answers) {
                            let one = write(pool.clone(), vec![input]).await;
                            let _ = answer.send(one.and_then(|mut v| {
                                v.pop()
                                    .ok_or_else(|| anyhow::anyhow!("a write answered nothing"))
                            }));
                        }
                    }
                }
            }
        });
        Self { jobs }
    }

    /// Queues one write and waits until its group has committed.
    pub(super) async fn write(&self, input: I) -> anyhow::Result<O> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send((input, answer))
            .await
            .map_err(|_| anyhow::anyhow!("the database writer has stopped"))?;
        answered
            .await
            .map_err(|_| anyhow::anyhow!("the database writer stopped before answering"))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Doubles each number in one "statement", failing the whole group if any is negative.
    async fn double(_: SqlitePool, group: Vec<i64>) -> anyhow::Result<Vec<i64>> {
        anyhow::ensure!(group.iter().all(|n| *n >= 0), "negative");
        Ok(group.into_iter().map(|n| n * 2).collect())
    }

    #[tokio::test]
    async fn each_caller_gets_its_own_answer_and_one_bad_input_fails_alone() {
        let pool = SqlitePool::connect("sqlite::memory:").await.unwrap();
        let batcher = Batcher::spawn(pool, double);
        // Sent together, so they can land in one group with the bad one.
        let answers = futures_util::future::join_all([3, -1, 5].map(|n| batcher.write(n))).await;

        assert_eq!(answers[0].as_ref().unwrap(), &6);
        assert!(answers[1].is_err());
        assert_eq!(answers[2].as_ref().unwrap(), &10);
    }
}
