//! Slack at the edges: requests in (verified, then dispatched to the commands and events they
//! carry) and the Web API out. Transports share [`dispatch::Dispatcher`].

pub mod blocks;
pub mod dispatch;
pub mod gateway;
pub mod home;
pub mod http;
pub mod modals;
pub mod socket;
pub mod verify;
