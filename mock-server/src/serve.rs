//! The accept loop: HTTP/1.1 connections, at most `max_connections` of them, each closed when it
//! idles or sends its headers too slowly, all finished gracefully on shutdown.
//!
//! hyper's header-read timer starts as soon as a connection waits for a request, so on its own
//! it closes an idle keep-alive connection after the header timeout. Each connection therefore
//! gets its own [`HeadTimer`]: the wait runs on the idle timeout until a byte of the next request
//! arrives, then on the header timeout from that byte.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::rt::{Sleep, Timer};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
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
        let _ = close.send(());
    }
    while connections.join_next().await.is_some() {}
}

/// Asks the oldest open connection to close.
fn close_oldest(open: &mut BTreeMap<u64, oneshot::Sender<()>>) {
    if let Some((_, close)) = open.pop_first() {
        let _ = close.send(());
    }
}

/// Drops the close handle of a connection that has ended (`None`: its task panicked).
fn forget(open: &mut BTreeMap<u64, oneshot::Sender<()>>, ended: Option<u64>) {
    match ended {
        Some(id) => {
            open.remove(&id);
        }
        // A panicked task's id is lost with it; its handle is the one whose receiver is gone.
        None => open.retain(|_, close| !close.is_closed()),
    }
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
    closed: oneshot::Receiver<()>,
) {
    let phase = Arc::new(Phase::default());
    let io = TokioIo::new(Watched {
        stream,
        phase: Arc::clone(&phase),
    });
    // The admin API reads the peer address to answer only loopback peers.
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(request)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(HeadTimer {
            phase: Arc::clone(&phase),
            limits,
        })
        .header_read_timeout(limits.header_timeout);
    let mut conn = pin!(builder.serve_connection(io, service));
    let result = tokio::select! {
        result = conn.as_mut() => result,
        _ = closed => {
            // hyper's graceful shutdown waits for a first request on a connection that has
            // never had one; nothing is under way on it, so it can go at once.
            if phase.get() == FRESH {
                return;
            }
            // Closes an idle keep-alive connection at once, lets a request under way finish.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, "connection closed: {e}");
    }
}

/// No byte read yet on this connection.
const FRESH: u8 = 0;
/// Waiting for the next request, no byte of it yet.
const IDLE: u8 = 1;
/// A request's first bytes are in, its headers not complete.
const HEAD: u8 = 2;
/// Headers read: the request is being served.
const BUSY: u8 = 3;

/// Where a connection is: set by its reads and its header timer, all on the connection's task.
#[derive(Debug, Default)]
struct Phase(AtomicU8);

impl Phase {
    fn get(&self) -> u8 {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self, phase: u8) {
        self.0.store(phase, Ordering::Relaxed);
    }

    /// hyper starts waiting for a request.
    fn wait(&self) {
        if self.get() != FRESH {
            self.set(IDLE);
        }
    }

    /// Bytes came in.
    fn heard(&self) {
        if matches!(self.get(), FRESH | IDLE) {
            self.set(HEAD);
        }
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

/// hyper's timer for one connection. hyper uses it only for the header-read timeout, asking for
/// a sleep each time the connection starts waiting for a request.
struct HeadTimer {
    phase: Arc<Phase>,
    limits: Limits,
}

impl Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        TokioTimer::new().sleep(duration)
    }

    fn sleep_until(&self, _deadline: Instant) -> Pin<Box<dyn Sleep>> {
        self.phase.wait();
        Box::pin(HeadWait {
            sleep: tokio::time::sleep(self.limits.idle_timeout),
            header_timeout: self.limits.header_timeout,
            heard: false,
            phase: PhaseOnDrop(Arc::clone(&self.phase)),
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<HeadWait>() {
            Some(wait) => wait.restart(self.limits.idle_timeout),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

pin_project_lite::pin_project! {
    /// One wait for a request: on the idle timeout until its first byte, then on the header
    /// timeout. hyper drops it once the headers are in.
    struct HeadWait {
        #[pin]
        sleep: tokio::time::Sleep,
        header_timeout: Duration,
        heard: bool,
        phase: PhaseOnDrop,
    }
}

impl HeadWait {
    fn restart(self: Pin<&mut Self>, idle_timeout: Duration) {
        let this = self.project();
        this.phase.0.wait();
        *this.heard = false;
        this.sleep.reset(tokio::time::Instant::now() + idle_timeout);
    }
}

impl Future for HeadWait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        // hyper polls this right after each read that leaves the headers incomplete.
        if !*this.heard && this.phase.0.get() == HEAD {
            *this.heard = true;
            let deadline = tokio::time::Instant::now() + *this.header_timeout;
            this.sleep.as_mut().reset(deadline);
        }
        this.sleep.poll(cx)
    }
}

impl Sleep for HeadWait {}

/// Marks the connection busy when its [`HeadWait`] ends: the headers are in.
#[derive(Debug)]
struct PhaseOnDrop(Arc<Phase>);

impl Drop for PhaseOnDrop {
    fn drop(&mut self) {
        self.0.set(BUSY);
    }
}
