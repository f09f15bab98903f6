//! A progress bar on the terminal while many interactions are replayed.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use vow_core::verification::{InteractionResult, Outcome};
use vow_engine::VerifyObserver;

/// Below this many interactions a run is over before a bar would help.
const MIN_INTERACTIONS: usize = 20;

/// Shows a bar on stderr when it is a terminal and the run is long enough to want one.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    failed: AtomicU64,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::hidden();
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} verifying [{bar:30}] {pos}/{len} interactions, {msg} {elapsed}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            bar,
            failed: AtomicU64::new(0),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl VerifyObserver for Progress {
    fn started(&self, interactions: usize) {
        if let Some(bar) = &self.bar {
            if interactions >= MIN_INTERACTIONS {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_length(interactions as u64);
            bar.set_message("0 failed");
        }
    }

    fn finished(&self, _consumer: &str, result: &InteractionResult) {
        if let Some(bar) = &self.bar {
            if result.outcome == Outcome::Failed {
                let failed = self.failed.fetch_add(1, Ordering::Relaxed) + 1;
                bar.set_message(format!("{failed} failed"));
            }
            bar.inc(1);
        }
    }
}
