//! The ceiling for `BENCHMARKS.md`: a bare hyper HTTP/1.1 server on tokio's multi-threaded
//! runtime that answers every request with a fixed 200, reading no body, checking nothing.
//! `cargo run --release --example hello -- 127.0.0.1:3009`

use std::convert::Infallible;

use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3009".into());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let service = service_fn(|_: Request<hyper::body::Incoming>| async {
                Ok::<_, Infallible>(Response::new(axum::body::Body::from(Bytes::from_static(
                    br#"{"response_type":"ephemeral","text":"Recorded: hello"}"#,
                ))))
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
