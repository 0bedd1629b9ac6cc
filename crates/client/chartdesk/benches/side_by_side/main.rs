#![allow(clippy::expect_used, clippy::unwrap_used)]
// A bench takes its settings from the bench script's environment and measures in real time.
#![allow(clippy::disallowed_methods)]
//! Our side of `scripts/bench.sh` (issue 13): the parts that run inside the product's code.
//! Each prints result lines (scripts/bench/README.md) to the file in `BENCH_RESULTS`.
//!
//!   side_by_side images DIR COUNT [small]   make camera JPEGs and A4 scans
//!   side_by_side variants FILE OUT_DIR      our two variants of one image
//!   side_by_side search PATIENTS DOCS QUERIES
//!   side_by_side growth                     everyday calls at 10,000 documents against 100 (see growth.rs)
//!   side_by_side open                       online open through the server, on loopback and 30/20 ms away (env: see open.rs)
//!   side_by_side upload-far                 uploads 30/20 ms away, against PUTs straight to S3 (env: see upload_far.rs)
//!   side_by_side server                     the server's cold start and peak memory (see server_start.rs)
//!   side_by_side processing IMAGES_DIR PDF  upload complete -> clean with preview (see processing.rs)
//!   side_by_side ocr DIR PAGES              OCR pages per minute against tesseract alone
//!
//! Rows may be joined with `+` (`side_by_side open + growth + server`). The rows that need a
//! local cloud each start one of their own, so that one row's leftovers (the worker still busy
//! with its uploads, moto's memory) are not in the next row's figures; with `BENCH_ONE_CLOUD=1`
//! (the smoke run, which reads no figure) they share one and skip its start-up.

mod growth;
mod images;
mod ocr;
mod open;
mod processing;
mod proxy;
mod search;
mod seeded;
mod server_start;
mod upload_far;

use std::io::Write;
use std::path::Path;

/// Test data only: a fixed-seed xorshift, so every run fills the same cache.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn pick(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// A row's setting: the number in the environment variable `name`, else `default`.
pub fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut ordered = samples.to_vec();
    ordered.sort_by(f64::total_cmp);
    let index = ((q * ordered.len() as f64).ceil() as usize).clamp(1, ordered.len()) - 1;
    ordered[index]
}

pub fn emit(
    row: &str,
    metric: &str,
    who: &str,
    ours: bool,
    unit: &str,
    samples: &[f64],
    goal: Option<&str>,
) {
    let mut line = serde_json::json!({
        "row": row, "metric": metric, "who": who, "ours": ours, "unit": unit,
        "samples": samples.iter().map(|s| (s * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
    });
    if let (Some(goal), true) = (goal, ours) {
        line["goal"] = goal.into();
    }
    let path = std::env::var("BENCH_RESULTS").expect("BENCH_RESULTS names the results file");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("results file");
    writeln!(file, "{line}").expect("write result");
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let one_cloud = std::env::var("BENCH_ONE_CLOUD").is_ok_and(|v| v == "1");
    let mut shared: Option<chartdesk_testkit::Cloud> = None;
    for row in args.split(|a| a == "+") {
        let started = std::time::Instant::now();
        if !one_cloud {
            shared = None;
        }
        run_row(row, &mut shared);
        eprintln!(
            "side_by_side: {} took {:.1} s",
            row.first().map_or("", String::as_str),
            started.elapsed().as_secs_f64()
        );
    }
}

/// The local cloud a row runs against: `shared`'s, started if there is none yet.
fn cloud(shared: &mut Option<chartdesk_testkit::Cloud>) -> &chartdesk_testkit::Cloud {
    shared.get_or_insert_with(|| {
        let started = std::time::Instant::now();
        let cloud = chartdesk_testkit::Cloud::start(Default::default());
        // Where a row's time goes: starting its cloud, or its own work.
        eprintln!(
            "side_by_side: a local cloud started in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        cloud
    })
}

/// One row: its name and arguments.
fn run_row(args: &[String], shared: &mut Option<chartdesk_testkit::Cloud>) {
    let number =
        |i: usize| -> usize { args.get(i).and_then(|a| a.parse().ok()).expect("a number") };
    match args.first().map(String::as_str) {
        Some("images") => images::make(
            Path::new(&args[1]),
            number(2),
            args.get(3).is_some_and(|a| a == "small"),
        ),
        Some("variants") => images::variants(Path::new(&args[1]), Path::new(&args[2])),
        Some("search") => runtime().block_on(search::run(number(1), number(2), number(3))),
        Some("open") => runtime().block_on(open::run(cloud(shared))),
        Some("growth") => runtime().block_on(growth::run(cloud(shared))),
        Some("upload-far") => runtime().block_on(upload_far::run(cloud(shared))),
        Some("server") => runtime().block_on(server_start::run(cloud(shared))),
        Some("ocr") => ocr::run(Path::new(&args[1]), number(2)),
        Some("processing") => runtime().block_on(processing::run(
            cloud(shared),
            Path::new(&args[1]),
            Path::new(&args[2]),
        )),
        _ => {
            eprintln!("usage: side_by_side images|variants|search|open|growth|upload-far|server|processing|ocr … [+ ROW …] (see the file's header); run by scripts/bench.sh");
            std::process::exit(2);
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("runtime")
}
