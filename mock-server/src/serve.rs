//! The accept loop: HTTP/1.1 connections, at most `max_connections` of them, each closed when it
//! idles or sends its headers too slowly, all finished gracefully on shutdown.
//!
//! A request's body has a deadline of its own: [`Deadline`] fails the read once the body timeout
//! has passed since the headers, so the handler reading it answers (Graph's envelope, 408) and
//! the connection closes. Making room at the connection cap closes a connection at once unless
//! a request on it is being served (headers and body in): a stalled head or body is not waited
//! for.
//!
//! hyper's header-read timer starts as soon as a connection waits for a request, so on its own
//! it closes an idle keep-alive connection after the header timeout; and it arms a timer per
//! request, which cost more than half of a small request's time. Each connection therefore keeps
//! its own [`Phase`] — idle, reading a request's head, busy — with the time it entered it, and
//! one watchdog that sleeps until the phase's deadline (idle timeout, or header timeout from a
//! request's first byte) and closes the connection if the phase has not moved on by then.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// The pause after an accept error that is not about one connection (out of file descriptors),
/// so the loop does not spin while the oldest connection makes room.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What bounds connections (checked by [`crate::Config`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Connections open at once.
    pub(crate) max_connections: usize,
    /// From a request's first byte to the end of its headers.
    pub(crate) header_timeout: Duration,
    /// Waiting for the next request.
    pub(crate) idle_timeout: Duration,
    /// From the end of a request's headers to the end of its body.
    pub(crate) body_timeout: Duration,
}

/// Serves `router` on `listener` until `stop` fires (or its sender is dropped), then finishes
/// in-flight requests and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut stop: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    // Close handles of the connections not yet asked to close, keyed by accept order.
    let mut open = BTreeMap::new();
    let mut accepted = 0_u64;
    loop {
        if connections.len() >= limits.max_connections {
            // New clients wait in the backlog until the oldest connection has made room.
            close_oldest(&mut open);
            tokio::select! {
                _ = &mut stop => break,
                Some(done) = connections.join_next() => forget(&mut open, done.ok()),
            }
            continue;
        }
        tokio::select! {
            _ = &mut stop => break,
            Some(done) = connections.join_next() => forget(&mut open, done.ok()),
            result = listener.accept() => match result {
                Ok((stream, peer)) => {
                    let (close, closed) = oneshot::channel();
                    let id = accepted;
                    accepted += 1;
                    open.insert(id, close);
                    let router = router.clone();
                    connections.spawn(async move {
                        connection(stream, peer, router, limits, closed).await;
                        id
                    });
                }
                Err(e) if is_connection_error(&e) => {}
                Err(e) => {
                    tracing::warn!("accept failed ({e}); closing the oldest connection");
                    close_oldest(&mut open);
                    tokio::select! {
                        _ = &mut stop => break,
                        () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                    }
                }
            },
        }
    }
    drop(listener);
    for close in open.into_values() {
        let _ = close.send(Close::Shutdown);
    }
    while connections.join_next().await.is_some() {}
}

/// Asks the oldest open connection to close.
fn close_oldest(open: &mut BTreeMap<u64, oneshot::Sender<Close>>) {
    if let Some((_, close)) = open.pop_first() {
        let _ = close.send(Close::MakeRoom);
    }
}

/// Drops the close handle of a connection that has ended (`None`: its task panicked).
fn forget(open: &mut BTreeMap<u64, oneshot::Sender<Close>>, ended: Option<u64>) {
    match ended {
        Some(id) => {
            open.remove(&id);
        }
        // A panicked task's id is lost with it; its handle is the one whose receiver is gone.
        None => open.retain(|_, close| !close.is_closed()),
    }
}

/// Why a connection is asked to close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Close {
    /// The connection cap was reached: a request still coming in is not waited for.
    MakeRoom,
    /// The server stops: a request under way finishes (its body within the body timeout).
    Shutdown,
}

/// Errors about one incoming connection, which say nothing about the listener.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Serves one connection until the client leaves, a timeout closes it, or `closed` fires.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    closed: oneshot::Receiver<Close>,
) {
    let phase = Arc::new(Phase::new());
    let io = TokioIo::new(Watched {
        stream,
        phase: Arc::clone(&phase),
    });
    let service = hyper::service::service_fn({
        let phase = Arc::clone(&phase);
        move |request: hyper::Request<Incoming>| {
            let (mut parts, body) = request.into_parts();
            phase.set(if http_body::Body::is_end_stream(&body) {
                BUSY
            } else {
                BODY
            });
            // The admin API reads the peer address to answer only loopback peers.
            parts.extensions.insert(ConnectInfo(peer));
            let body = Deadline::new(body, limits.body_timeout, Arc::clone(&phase));
            let response = router
                .clone()
                .oneshot(hyper::Request::from_parts(parts, body));
            let phase = Arc::clone(&phase);
            async move {
                // Busy until the body is sent: a live stream is a request being served.
                let response = response.await?;
                Ok::<_, Infallible>(response.map(|body| Sent { body, phase }))
            }
        }
    });
    let mut conn = pin!(http1::Builder::new().serve_connection(io, service));
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = watchdog(&phase, limits) => {
            tracing::debug!(%peer, "connection timed out");
            return;
        }
        close = closed => {
            // hyper's graceful shutdown waits for a request whose head or body is still coming
            // in, however slowly; nothing is being served on such a connection, so making room
            // does not wait for it. Nothing is under way on a connection that never had a byte.
            let at_once = match close {
                Ok(Close::Shutdown) => &[FRESH][..],
                _ => &[FRESH, HEAD, BODY][..],
            };
            if at_once.contains(&phase.get()) {
                return;
            }
            // Closes an idle keep-alive connection at once, lets a request served finish.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, "connection closed: {e}");
    }
}

/// Returns when the connection has idled for the idle timeout, or taken longer than the header
/// timeout over a request's head. A request's body is timed by its [`Deadline`], which lets the
/// handler answer; a request being served never times out.
///
/// Outside a request's head it wakes at least once per header timeout: a head that starts after
/// a wake then has its deadline no earlier than the next wake, so nothing needs to wake the
/// watchdog when bytes arrive, and it closes a slow head on time.
async fn watchdog(phase: &Phase, limits: Limits) {
    loop {
        let (current, since) = phase.now();
        let now = Instant::now();
        let step = now + limits.header_timeout;
        let wake = match current {
            HEAD => since + limits.header_timeout,
            BODY | BUSY => step,
            _ => (since + limits.idle_timeout).min(step),
        };
        if !matches!(current, BODY | BUSY) && now >= wake {
            return;
        }
        tokio::time::sleep_until(wake.into()).await;
    }
}

/// No byte read yet on this connection.
const FRESH: u8 = 0;
/// Waiting for the next request, no byte of it yet.
const IDLE: u8 = 1;
/// A request's first bytes are in, its headers not complete.
const HEAD: u8 = 2;
/// Headers read, the body still coming in.
const BODY: u8 = 3;
/// Headers and body read: the request is being served.
const BUSY: u8 = 4;

/// Where a connection is and since when: set by its reads and its service, all on the
/// connection's task.
#[derive(Debug)]
struct Phase {
    current: AtomicU8,
    /// When `current` was entered, in nanoseconds after `base`.
    since: AtomicU64,
    base: Instant,
}

impl Phase {
    fn new() -> Self {
        Self {
            current: AtomicU8::new(FRESH),
            since: AtomicU64::new(0),
            base: Instant::now(),
        }
    }

    fn get(&self) -> u8 {
        self.current.load(Ordering::Relaxed)
    }

    /// The phase and when it was entered.
    fn now(&self) -> (u8, Instant) {
        let since = Duration::from_nanos(self.since.load(Ordering::Relaxed));
        (self.get(), self.base + since)
    }

    fn set(&self, phase: u8) {
        let since = u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.since.store(since, Ordering::Relaxed);
        self.current.store(phase, Ordering::Relaxed);
    }

    /// The request's body is in: it is being served.
    fn served(&self) {
        if self.get() == BODY {
            self.set(BUSY);
        }
    }

    /// Bytes came in.
    fn heard(&self) {
        if matches!(self.get(), FRESH | IDLE) {
            self.set(HEAD);
        }
    }
}

/// A request's body that fails once `timeout` has passed before its end, and marks its
/// connection busy when the end arrives.
struct Deadline {
    body: Incoming,
    started: tokio::time::Instant,
    /// Armed only once the body makes the reader wait: most bodies arrive with their head, and
    /// a timer for each would cost every request an allocation and a clock entry.
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    timeout: Duration,
    phase: Arc<Phase>,
}

impl Deadline {
    fn new(body: Incoming, timeout: Duration, phase: Arc<Phase>) -> Self {
        Self {
            body,
            started: tokio::time::Instant::now(),
            timer: None,
            timeout,
            phase,
        }
    }
}

/// A request body did not arrive in full within the body timeout.
#[derive(Debug)]
pub(crate) struct BodyTimedOut(Duration);

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "request body: not complete within the {} seconds a body may take (--body-timeout-seconds)",
            self.0.as_secs()
        )
    }
}

impl std::error::Error for BodyTimedOut {}

impl http_body::Body for Deadline {
    type Data = bytes::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        match Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Pending => {
                let deadline = self.started + self.timeout;
                let timer = self
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Some(Err(Box::new(BodyTimedOut(self.timeout)))));
                }
                Poll::Pending
            }
            Poll::Ready(frame) => {
                if frame.is_none() || self.body.is_end_stream() {
                    self.phase.served();
                }
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// A response body that marks its connection idle once hyper is done with it.
struct Sent {
    body: axum::body::Body,
    phase: Arc<Phase>,
}

impl http_body::Body for Sent {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Sent {
    fn drop(&mut self) {
        self.phase.set(IDLE);
    }
}

/// The TCP stream, telling its [`Phase`] when bytes come in.
struct Watched {
    stream: TcpStream,
    phase: Arc<Phase>,
}
impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.phase.heard();
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
