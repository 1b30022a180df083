//! The tuning labs' held-out scores: the tuned model at the last evaluation
//! and at the start, its control, the easier set, the chains' checked steps
//! and pass@k, each with its interval or its paired comparison, as metrics
//! and as the note's sentences.

use super::tune::{share, PASS_K};
use crate::stats::{accuracy_metrics, share_metrics, with_interval, Paired, Verdict};

#[derive(Default)]
pub struct Scores {
    /// Each held-out question right or wrong, (now, at the start), on the
    /// tuning set and on the easier one.
    pub accuracy: Option<(Vec<bool>, Vec<bool>)>,
    pub easy_accuracy: Option<(Vec<bool>, Vec<bool>)>,
    /// Each held-out question right or wrong for the control, at the last evaluation.
    pub control_marks: Option<Vec<bool>>,
    /// The mean share of checked steps accepted on the held-out problems,
    /// (now, at the start), and the control's now.
    pub steps_share: Option<(f64, f64)>,
    pub control_steps: Option<f64>,
    /// (pass@1, pass@k) at the start and at the end, over `pass_n` questions.
    pub pass_start: Option<(f64, f64)>,
    pub pass_end: Option<(f64, f64)>,
    pub pass_n: usize,
}

impl Scores {
    /// Adds the scores to `metrics` and says them in `note`.
    pub fn report(&self, metrics: &mut Vec<(String, f64)>, note: &mut String) {
        let right = |v: &[bool]| v.iter().filter(|&&x| x).count();
        if let Some((now, start)) = &self.accuracy {
            metrics.extend(accuracy_metrics("accuracy", right(now), now.len()));
            metrics.extend(accuracy_metrics("start_accuracy", right(start), start.len()));
            // The gain on the same questions, with its paired interval.
            let p = Paired::of(start.iter().copied(), now.iter().copied());
            let (d, lo, hi) = p.difference();
            metrics.extend([("gain".to_string(), d), ("gain_lo".to_string(), lo), ("gain_hi".to_string(), hi), ("gain_n".to_string(), p.n() as f64)]);
            note.push_str(&format!(" Held-out accuracy {} (it started at {:.1} %): {}.", with_interval(right(now), now.len()), 100.0 * share(start), p.describe()));
        }
        if let (Some((now, _)), Some(control)) = (&self.accuracy, &self.control_marks) {
            metrics.extend(accuracy_metrics("control_accuracy", right(control), control.len()));
            // The headline: the tuned model against its control, question by question.
            let p = Paired::of(control.iter().copied(), now.iter().copied());
            let (d, lo, hi) = p.difference();
            metrics.extend([("gain_over_control".to_string(), d), ("gain_over_control_lo".to_string(), lo), ("gain_over_control_hi".to_string(), hi), ("gain_over_control_n".to_string(), p.n() as f64)]);
            let verdict = match p.verdict() {
                Verdict::Better => "better than its control".to_string(),
                Verdict::Worse => "worse than its control".to_string(),
                Verdict::Unclear => format!("no clear difference from its control (n = {})", p.n()),
            };
            note.push_str(&format!(" The control (the same start fine-tuned on the right chains of the same questions, as many updates): {}. Over the control: {}, {verdict}.", with_interval(right(control), control.len()), p.describe()));
        }
        if let Some((now, start)) = self.steps_share {
            // Over the held-out chains' steps; n is the problems they come from.
            let n = self.accuracy.as_ref().map_or(0, |a| a.0.len());
            metrics.extend(share_metrics("step_accuracy", now, n));
            metrics.extend(share_metrics("start_step_accuracy", start, n));
            metrics.extend(self.control_steps.map(|c| share_metrics("control_step_accuracy", c, n)).into_iter().flatten());
            note.push_str(&format!(" Steps the checker accepts in the held-out chains: {:.1} % (from {:.1} %{}).", 100.0 * now, 100.0 * start, self.control_steps.map_or(String::new(), |c| format!("; the control {:.1} %", 100.0 * c))));
        }
        if let (Some(a), Some(b)) = (self.pass_start, self.pass_end) {
            metrics.extend([("pass1_start".to_string(), a.0), (format!("pass{PASS_K}_start"), a.1), ("pass1".to_string(), b.0), (format!("pass{PASS_K}"), b.1)]);
            note.push_str(&format!(" Drawn at temperature 1, {PASS_K} answers to each of {} held-out questions: pass@1 {:.1} % → {:.1} %, pass@{PASS_K} {:.1} % → {:.1} %.", self.pass_n, 100.0 * a.0, 100.0 * b.0, 100.0 * a.1, 100.0 * b.1));
        }
        if let Some((now, start)) = &self.easy_accuracy {
            metrics.extend(accuracy_metrics("easy_accuracy", right(now), now.len()));
            metrics.extend(accuracy_metrics("easy_start_accuracy", right(start), start.len()));
            let p = Paired::of(start.iter().copied(), now.iter().copied());
            note.push_str(&format!(" On the easier problems {} (from {:.1} %): {}.", with_interval(right(now), now.len()), 100.0 * share(start), p.describe()));
        }
    }
}
