//! Prometheus metrics at `/metrics`: requests by endpoint and status with a latency histogram,
//! deliveries by outcome, Slack API errors by code, rate-limit waits, how far a long send has
//! got, the outbox's depth by state, and which replica holds the scheduler lease (those two
//! read from the database when scraped).

use crate::store::{DeliveryStatus, Lease};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub endpoint: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabel {
    pub endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabel {
    pub code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabel {
    pub state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReplicaLabel {
    pub replica: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<EndpointLabel, Histogram>,
    deliveries: Family<OutcomeLabel, Counter>,
    slack_errors: Family<CodeLabel, Counter>,
    rate_limit_waits: Counter,
    outbox: Family<StateLabel, Gauge>,
    lease_held: Family<ReplicaLabel, Gauge>,
    lease_holder: Family<ReplicaLabel, Gauge>,
    sending_sent: Gauge,
    sending_due: Gauge,
    calls_waiting: Family<MethodLabel, Gauge>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MethodLabel {
    pub method: String,
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        // 50 µs to ~3 s, doubling.
        let latency = Family::<EndpointLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_05, 2.0, 17))
        });
        let deliveries = Family::<OutcomeLabel, Counter>::default();
        let slack_errors = Family::<CodeLabel, Counter>::default();
        let rate_limit_waits = Counter::default();
        let outbox = Family::<StateLabel, Gauge>::default();
        let mut registry = Registry::with_prefix("sko");
        registry.register(
            "http_requests",
            "Requests by endpoint and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Request latency by endpoint",
            latency.clone(),
        );
        registry.register(
            "deliveries",
            "Scheduled messages by outcome (sent, failed, skipped, retried)",
            deliveries.clone(),
        );
        registry.register(
            "slack_api_errors",
            "Slack Web API errors by code",
            slack_errors.clone(),
        );
        registry.register(
            "rate_limit_waits",
            "Times a 429 made the sender wait",
            rate_limit_waits.clone(),
        );
        registry.register("outbox_messages", "Outbox depth by state", outbox.clone());
        let lease_held = Family::<ReplicaLabel, Gauge>::default();
        registry.register(
            "scheduler_lease_held",
            "1 while this replica holds the scheduler lease (it plans and sends), else 0",
            lease_held.clone(),
        );
        let lease_holder = Family::<ReplicaLabel, Gauge>::default();
        registry.register(
            "scheduler_lease_epoch",
            "The replica the database names as the scheduler lease's holder, with its epoch",
            lease_holder.clone(),
        );
        let sending_sent = Gauge::default();
        registry.register(
            "send_sent",
            "Messages sent so far by the send under way (as of its last half-minute report; 0 when none is)",
            sending_sent.clone(),
        );
        let sending_due = Gauge::default();
        registry.register(
            "send_due",
            "Messages due and not yet sent, as of the send's last half-minute report",
            sending_due.clone(),
        );
        let calls_waiting = Family::<MethodLabel, Gauge>::default();
        registry.register(
            "slack_calls_waiting",
            "Slack calls of the send under way waiting for their method's rate limit, by method",
            calls_waiting.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            deliveries,
            slack_errors,
            rate_limit_waits,
            outbox,
            lease_held,
            lease_holder,
            sending_sent,
            sending_due,
            calls_waiting,
        }
    }
}

impl Metrics {
    pub fn delivered(&self, outcome: &str, n: u64) {
        if n > 0 {
            self.deliveries
                .get_or_create(&OutcomeLabel {
                    outcome: outcome.into(),
                })
                .inc_by(n);
        }
    }

    pub fn slack_error(&self, code: &str) {
        self.slack_errors
            .get_or_create(&CodeLabel { code: code.into() })
            .inc();
    }

    pub fn rate_limited(&self) {
        self.rate_limit_waits.inc();
    }

    /// How far the send under way has got: sent, left, and the calls waiting by method.
    pub fn sending(&self, sent: u64, due: u64, waiting: &[(&'static str, i64)]) {
        self.sending_sent
            .set(i64::try_from(sent).unwrap_or(i64::MAX));
        self.sending_due.set(i64::try_from(due).unwrap_or(i64::MAX));
        for (method, n) in waiting {
            self.calls_waiting
                .get_or_create(&MethodLabel {
                    method: (*method).into(),
                })
                .set(*n);
        }
    }

    /// Whether `replica` (this process) holds the scheduler lease.
    pub fn lease_held(&self, replica: &str, held: bool) {
        self.lease_held
            .get_or_create(&ReplicaLabel {
                replica: replica.into(),
            })
            .set(i64::from(held));
    }

    /// The text exposition, with the outbox depth and the lease's holder as of now.
    pub fn render(&self, outbox: &[(DeliveryStatus, i64)], lease: Option<&Lease>) -> String {
        self.lease_holder.clear();
        if let Some(lease) = lease {
            self.lease_holder
                .get_or_create(&ReplicaLabel {
                    replica: lease.holder.clone(),
                })
                .set(lease.epoch);
        }
        use DeliveryStatus::*;
        for state in [Pending, Sending, Sent, Failed, Skipped] {
            let n = outbox
                .iter()
                .find(|(s, _)| *s == state)
                .map_or(0, |(_, n)| *n);
            self.outbox
                .get_or_create(&StateLabel {
                    state: state.as_str().into(),
                })
                .set(n);
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Counts and times every request, by its route (not its raw path, so no unbounded labels).
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics
        .latency
        .get_or_create(&EndpointLabel {
            endpoint: endpoint.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            endpoint,
            status: response.status().as_u16(),
        })
        .inc();
    response
}
