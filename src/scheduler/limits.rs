//! Slack's rate limits, kept by the sender itself: one message a second per channel, a global
//! rate, each other method within its tier, `Retry-After` honoured per method; and the backoff
//! of a retry. Pure: times come in, the slot to wait for goes out.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

/// How many global slots a late sender may make up by sending sooner than the spacing.
const CATCH_UP_SLOTS: u32 = 3;

/// Slack's Web API methods the sender calls, each with its own rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    PostMessage,
    /// Tier 3: about 50 a minute.
    ConversationsOpen,
    /// Tier 3.
    ConversationsHistory,
    /// Tier 2: about 20 a minute.
    ConversationsList,
    /// Tier 4: about 100 a minute.
    UsersInfo,
    /// Tier 3.
    UsersLookupByEmail,
    /// Tier 4.
    UsersProfileGet,
    /// A file shared: `files.getUploadURLExternal` and `files.completeUploadExternal`, Tier 4.
    FilesUpload,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::PostMessage => "chat.postMessage",
            Method::ConversationsOpen => "conversations.open",
            Method::ConversationsHistory => "conversations.history",
            Method::ConversationsList => "conversations.list",
            Method::UsersInfo => "users.info",
            Method::UsersLookupByEmail => "users.lookupByEmail",
            Method::UsersProfileGet => "users.profile.get",
            Method::FilesUpload => "files.completeUploadExternal",
        }
    }

    /// (burst, calls a minute after it): in any minute at most the two together, which is
    /// the method's tier, so none is refused. `chat.postMessage` is paced per channel and by
    /// the global rate instead.
    fn budget(self) -> Option<(f64, f64)> {
        match self {
            Method::PostMessage => None,
            Method::ConversationsOpen
            | Method::ConversationsHistory
            | Method::UsersLookupByEmail => Some((10.0, 40.0)),
            Method::ConversationsList => Some((5.0, 15.0)),
            Method::UsersInfo | Method::UsersProfileGet | Method::FilesUpload => Some((20.0, 80.0)),
        }
    }
}

/// A token bucket: `tokens` left at `at`, refilled at the method's rate up to its burst.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Spacing of calls: messages per channel and overall, other methods within their tier, and
/// any method held after a 429. Pure bookkeeping over instants.
#[derive(Debug)]
pub struct RateLimiter {
    per_channel: Duration,
    global: Duration,
    /// Off in simulations, where time is not real and nothing is rate limited.
    paced: bool,
    next_global: Option<Instant>,
    /// When the last messages of one second's worth go, oldest first: a late sender making up
    /// its slots never puts more than the rate into any one second.
    last_second: VecDeque<Instant>,
    per_second: usize,
    next_in_channel: HashMap<String, Instant>,
    buckets: HashMap<Method, Bucket>,
    /// Per method, after a 429: nothing before this instant.
    blocked: HashMap<Method, Instant>,
}

impl RateLimiter {
    pub fn new(per_channel: Duration, global_per_second: f64) -> Self {
        Self {
            per_channel,
            global: Duration::from_secs_f64(1.0 / global_per_second.max(0.001)),
            paced: true,
            next_global: None,
            last_second: VecDeque::new(),
            per_second: (global_per_second.ceil() as usize).max(1),
            next_in_channel: HashMap::new(),
            buckets: HashMap::new(),
            blocked: HashMap::new(),
        }
    }

    /// No spacing at all: for a simulation, whose clock is not the one calls take time on.
    pub fn unpaced() -> Self {
        Self {
            paced: false,
            ..Self::new(Duration::ZERO, 1.0)
        }
    }

    /// The earliest instant `method` may be called, reserved for the call.
    pub fn reserve_call(&mut self, method: Method, now: Instant) -> Instant {
        if !self.paced {
            return now;
        }
        let held = self.blocked.get(&method).map_or(now, |b| now.max(*b));
        let Some((burst, per_minute)) = method.budget() else {
            return held;
        };
        let per_second = per_minute / 60.0;
        let bucket = self.buckets.entry(method).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refilled =
            bucket.tokens + now.saturating_duration_since(bucket.at).as_secs_f64() * per_second;
        // Taking a token that is not there yet reserves the time it comes.
        let tokens = refilled.min(burst) - 1.0;
        *bucket = Bucket { tokens, at: now };
        let wait = if tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-tokens / per_second)
        };
        held.max(now + wait)
    }

    /// Reserves a call of `method` only if one may go now.
    pub fn try_reserve_call(&mut self, method: Method, now: Instant) -> bool {
        let held = self.blocked.get(&method).is_some_and(|b| *b > now);
        let empty = method.budget().is_some_and(|(burst, per_minute)| {
            self.buckets.get(&method).is_some_and(|b| {
                let refilled = b.tokens
                    + now.saturating_duration_since(b.at).as_secs_f64() * per_minute / 60.0;
                refilled.min(burst) < 1.0
            })
        });
        if held || empty {
            return false;
        }
        self.reserve_call(method, now);
        true
    }

    /// The earliest instant a message may go to `channel`, reserved for it.
    pub fn reserve(&mut self, channel: &str, now: Instant) -> Instant {
        if !self.paced {
            return now;
        }
        // Keep to the global schedule: a message a little late (a slow answer, a busy disk)
        // leaves its slot to the next one instead of pushing every later one back, so the
        // rate holds on average; after a pause, the schedule starts again from now.
        let mut slot = match self.next_global {
            Some(g) if now <= g + self.global * CATCH_UP_SLOTS => g,
            _ => now,
        };
        if let Some(b) = self.blocked.get(&Method::PostMessage) {
            slot = slot.max(*b);
        }
        if self.last_second.len() == self.per_second
            && let Some(first) = self.last_second.pop_front()
        {
            slot = slot.max(first + Duration::from_secs(1));
        }
        self.last_second.push_back(slot.max(now));
        // A channel that must wait (its second a message, a 429) waits alone: the global
        // schedule moves on for the others.
        let at = self
            .next_in_channel
            .get(channel)
            .map_or(slot, |c| slot.max(*c));
        self.next_global = Some(slot + self.global);
        self.next_in_channel
            .insert(channel.to_string(), at + self.per_channel);
        // Forget channels whose spacing has long passed, so the map stays small.
        if self.next_in_channel.len() > 10_000 {
            self.next_in_channel.retain(|_, t| *t > now);
        }
        at
    }

    /// A 429 on a post to `channel`: nothing more to it until `retry_after` has passed, while
    /// other channels go on.
    pub fn hold_channel(&mut self, channel: &str, retry_after: Duration, now: Instant) {
        let until = now + retry_after;
        let next = self
            .next_in_channel
            .entry(channel.to_string())
            .or_insert(until);
        *next = (*next).max(until);
    }

    /// A 429 on `method`: hold every call of it until `retry_after` has passed.
    pub fn block(&mut self, method: Method, retry_after: Duration, now: Instant) {
        let until = now + retry_after;
        let entry = self.blocked.entry(method).or_insert(until);
        *entry = (*entry).max(until);
        if method == Method::PostMessage {
            self.next_global = Some(self.next_global.map_or(until, |g| g.max(until)));
        }
    }

    pub fn blocked_until(&self, method: Method) -> Option<Instant> {
        self.blocked.get(&method).copied()
    }
}

/// Exponential backoff with equal jitter: attempt 1 waits half to all of `base`, then 2×,
/// 4×, … capped.
pub fn backoff(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(16)));
    let ceiling = exp.min(cap);
    // Half fixed, half random: never immediately, never all at once.
    ceiling.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_a_second_per_channel_and_a_global_rate() {
        let start = Instant::now();
        let mut r = RateLimiter::new(Duration::from_secs(1), 10.0);
        let a1 = r.reserve("D1", start);
        let b1 = r.reserve("D2", start);
        let a2 = r.reserve("D1", start);
        assert_eq!(a1, start);
        assert_eq!(b1 - start, Duration::from_millis(100), "global 10/s");
        assert_eq!(
            a2 - start,
            Duration::from_secs(1),
            "same channel waits a second"
        );
    }

    #[test]
    fn a_late_message_does_not_push_back_every_later_one() {
        let start = Instant::now();
        let tenth = Duration::from_millis(100);
        let mut r = RateLimiter::new(Duration::from_secs(1), 10.0);
        assert_eq!(r.reserve("D1", start), start);
        // Asked 150 ms late for the second slot: it goes now, the third keeps its time.
        assert_eq!(r.reserve("D2", start + tenth + tenth / 2), start + tenth);
        assert_eq!(
            r.reserve("D3", start + tenth + tenth / 2),
            start + 2 * tenth
        );
        // Idle for a while: no burst to make up for it.
        let later = start + Duration::from_secs(60);
        assert_eq!(r.reserve("D4", later), later);
        assert_eq!(r.reserve("D5", later), later + tenth);
    }

    #[test]
    fn making_up_late_slots_never_puts_more_than_the_rate_into_one_second() {
        let start = Instant::now();
        let tenth = Duration::from_millis(100);
        let mut r = RateLimiter::new(Duration::from_secs(1), 10.0);
        // Ten on time, a pause of two and a half slots, then twenty asked at once: the first
        // three take the slots the pause left, all going at once, right before the rest.
        let mut sent: Vec<Instant> = Vec::new();
        for (i, now) in std::iter::repeat_n(start, 10)
            .chain(std::iter::repeat_n(start + tenth * 12 + tenth / 2, 20))
            .enumerate()
        {
            sent.push(r.reserve(&format!("D{i}"), now).max(now));
        }
        sent.sort();
        for (i, t) in sent.iter().enumerate() {
            let in_second = sent[i..]
                .iter()
                .take_while(|later| **later < *t + Duration::from_secs(1))
                .count();
            assert!(
                in_second <= 10,
                "{in_second} within a second of message {i}"
            );
        }
    }

    #[test]
    fn a_429_holds_the_method() {
        let start = Instant::now();
        let mut r = RateLimiter::new(Duration::from_secs(1), 100.0);
        r.block(Method::PostMessage, Duration::from_secs(30), start);
        assert_eq!(r.reserve("D9", start) - start, Duration::from_secs(30));
        assert!(
            r.blocked_until(Method::ConversationsOpen).is_none(),
            "other methods are not held"
        );
        r.block(Method::ConversationsOpen, Duration::from_secs(20), start);
        assert_eq!(
            r.reserve_call(Method::ConversationsOpen, start) - start,
            Duration::from_secs(20),
            "every method waits out its own 429"
        );
    }

    #[test]
    fn other_methods_keep_within_their_tier_after_a_burst() {
        let start = Instant::now();
        let mut r = RateLimiter::new(Duration::from_secs(1), 100.0);
        // conversations.open: a burst of 10, then 40 a minute.
        let opens: Vec<u128> = (0..13)
            .map(|_| (r.reserve_call(Method::ConversationsOpen, start) - start).as_millis())
            .collect();
        assert_eq!(opens, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1500, 3000, 4500]);
        assert!(!r.try_reserve_call(Method::ConversationsOpen, start));
        assert!(
            r.try_reserve_call(Method::UsersInfo, start),
            "tiers are per method"
        );
        let minute = start + Duration::from_secs(60);
        let more = (0..100)
            .filter(|_| r.reserve_call(Method::ConversationsOpen, start) < minute)
            .count();
        assert!(13 + more <= 50, "Tier 3 is 50 a minute: {}", 13 + more);
    }

    #[test]
    fn a_429_on_a_post_holds_its_channel_only() {
        let start = Instant::now();
        let mut r = RateLimiter::new(Duration::from_secs(1), 100.0);
        r.hold_channel("D1", Duration::from_secs(5), start);
        assert_eq!(r.reserve("D1", start) - start, Duration::from_secs(5));
        assert!(r.reserve("D2", start) - start < Duration::from_secs(1));
    }

    #[test]
    fn an_unpaced_limiter_never_waits() {
        let start = Instant::now();
        let mut r = RateLimiter::unpaced();
        assert_eq!(r.reserve("D1", start), start);
        assert_eq!(r.reserve("D1", start), start);
        assert_eq!(r.reserve_call(Method::ConversationsOpen, start), start);
    }

    #[test]
    fn backoff_grows_caps_and_jitters() {
        let base = Duration::from_secs(10);
        let cap = Duration::from_secs(600);
        assert_eq!(backoff(1, base, cap, 1.0), Duration::from_secs(10));
        assert_eq!(backoff(1, base, cap, 0.0), Duration::from_secs(5));
        assert_eq!(backoff(3, base, cap, 1.0), Duration::from_secs(40));
        assert_eq!(backoff(30, base, cap, 1.0), cap);
    }
}
