//! The built book over HTTP on 127.0.0.1 (axum and tower-http's `ServeDir`), with the status of
//! every answer kept: an asset the page asks for and the book lacks is a 404 here.

use axum::extract::Request;
use axum::middleware::{self, Next};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use tower_http::services::ServeDir;

type Log = Arc<Mutex<Vec<(String, u16)>>>;

pub struct Server {
    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub url: String,
    log: Log,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

pub async fn start(site: &Path) -> std::io::Result<Server> {
    let log = Log::default();
    let kept = log.clone();
    let app = axum::Router::new().fallback_service(ServeDir::new(site)).layer(middleware::from_fn(
        move |request: Request, next: Next| {
            let log = kept.clone();
            async move {
                let target = request.uri().to_string();
                let response = next.run(request).await;
                let entry = (target, response.status().as_u16());
                log.lock().unwrap_or_else(PoisonError::into_inner).push(entry);
                response
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Server { url, log, task })
}

impl Server {
    /// The requests answered with an error status, one line each.
    pub fn failed_requests(&self) -> Vec<String> {
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.iter()
            .filter(|(_, status)| *status >= 400)
            .map(|(target, status)| format!("the page asked for {target}: {status}"))
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
