//! `chartdesk-server`: on AWS Lambda when `AWS_LAMBDA_RUNTIME_API` is set, else a plain HTTP
//! process on `--listen ADDR` (default 127.0.0.1:8080; port 0 picks a free one). Prints
//! `listening on http://ADDR` once it accepts connections. `--claim-existing-documents` runs
//! the one-off claims backfill after an upgrade instead (infra/README.md), prints its counts
//! and exits. `--print-openapi` prints the OpenAPI document served at `/v1/openapi.json`.

use anyhow::Context;
use chartdesk_server::{app, processing, AppState, ServerConfig};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Needs no settings or cloud: the test command validates the published contract with it.
    if std::env::args().skip(1).any(|a| a == "--print-openapi") {
        println!("{}", chartdesk_server::openapi().to_pretty_json()?);
        return Ok(());
    }
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .without_time()
        .init();
    let config = ServerConfig::from_env()?;
    // Clients and the JWKS cache are built once, before serving (reused across invocations).
    let sdk = chartdesk_server::state::sdk_config(&config).await;
    let state = AppState::from_sdk(&config, &sdk);
    chartdesk_server::sweep_abandoned_exports();
    if config.worker.worker_only {
        let worker = processing::worker(&state, &config.worker);
        if config.on_lambda {
            return chartdesk_worker::lambda::run(worker, config.bucket.clone())
                .await
                .map_err(|e| anyhow::anyhow!("lambda runtime: {e}"));
        }
        let poller = processing::spawn_poller(&state, &config.worker, &sdk, &config.bucket)
            .context("CHARTDESK_MODE=worker outside Lambda needs CHARTDESK_QUEUE_URL")?;
        println!("processing documents from the queue");
        tokio::select! {
            _ = poller => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        return Ok(());
    }
    if config.on_lambda {
        return lambda_http::run(app(state))
            .await
            .map_err(|e| anyhow::anyhow!("lambda runtime: {e}"));
    }
    let listen = match mode(std::env::args().skip(1))? {
        Mode::Serve { listen } => listen,
        Mode::ProcessExistingDocuments { only } => {
            return processing::process_existing_documents(&state, &config, &sdk, &only).await;
        }
        Mode::ClaimExistingDocuments => {
            let report = chartdesk_records::claim_existing_documents(&*state.store)
                .await
                .context("the document claims could not all be written; run it again")?;
            println!("{report}");
            return Ok(());
        }
    };
    // The worker beside the API, when a queue is configured (the local cloud, self-hosting).
    let _poller = processing::spawn_poller(&state, &config.worker, &sdk, &config.bucket);
    let router = app(state);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    println!("listening on http://{}", listener.local_addr()?);
    // The peer address is the client's here (no proxy): the sign-in limits count by it.
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// What the process is asked to do.
enum Mode {
    Serve {
        listen: String,
    },
    /// Write the document-id claims that uploads from before claims existed never wrote.
    ClaimExistingDocuments,
    /// Send the worker every document filed before it existed (or whose notice was lost), in
    /// every record or only in the MRNs named after `--record`.
    ProcessExistingDocuments {
        only: Vec<String>,
    },
}

fn mode(mut args: impl Iterator<Item = String>) -> anyhow::Result<Mode> {
    let mut listen = "127.0.0.1:8080".to_string();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next().context("--listen needs ADDR")?,
            "--claim-existing-documents" => return Ok(Mode::ClaimExistingDocuments),
            "--process-existing-documents" => {
                let mut only = Vec::new();
                while let Some(flag) = args.next() {
                    anyhow::ensure!(flag == "--record", "unknown argument {flag:?} (try --help)");
                    only.push(args.next().context("--record needs an MRN")?);
                }
                return Ok(Mode::ProcessExistingDocuments { only });
            }
            "--help" | "-h" => {
                println!("chartdesk-server [--listen ADDR | --claim-existing-documents | --process-existing-documents | --print-openapi]\n--print-openapi: print the OpenAPI document (as served at /v1/openapi.json) and exit.\n--claim-existing-documents: once after upgrading, write the document-id claims for documents filed before claims existed, print the counts and exit.\n--process-existing-documents [--record MRN ...]: once after upgrading, send the processing worker (CHARTDESK_QUEUE_URL) every document filed before it existed (or only those of the records named), print the counts and exit.\nSettings come from the environment: CHARTDESK_BUCKET, CHARTDESK_USER_POOL_ID, CHARTDESK_APP_CLIENT_ID, AWS_REGION, AWS_ENDPOINT_URL (local cloud), CHARTDESK_AUDIT_BUCKET, CHARTDESK_MRN_PATTERN, CHARTDESK_MAX_UPLOAD_MIB, CHARTDESK_MULTIPART_THRESHOLD_MIB (one PUT up to it, default 64), CHARTDESK_MAX_EXPORT_MIB, CHARTDESK_SESSION_CHECK_SECONDS (0-60), CHARTDESK_FHIR_MRN_SYSTEM (the trust's MRN identifier system in FHIR answers, default https://fhir.trust.nhs.uk/Id/mrn); the processing worker: CHARTDESK_QUEUE_URL (poll it beside the API), CHARTDESK_MODE=worker (the worker alone), CHARTDESK_SCANNER (clamav|guardduty), CHARTDESK_CLAMD_ADDR, CHARTDESK_RETRY_SECONDS.");
                std::process::exit(0);
            }
            other => anyhow::bail!("unknown argument {other:?} (try --help)"),
        }
    }
    Ok(Mode::Serve { listen })
}
