//! Turning the program's schedule into messages: what each occurrence says (`compose`), the
//! durable outbox and the rate-limited sender that delivers it.

pub mod compose;
