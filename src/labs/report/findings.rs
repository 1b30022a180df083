//! What worked and what did not, in sentences made from the report's own
//! numbers: no sentence here is written before the models are scored, and
//! each one names the numbers it rests on.

use super::ReportView;
use crate::stats::{wilson, Paired, Verdict};

fn pct(a: f64) -> String {
    format!("{:.1} %", 100.0 * a)
}

fn points(d: f64) -> String {
    format!("{:+.1} points", 100.0 * d)
}

pub fn findings(v: &ReportView) -> Vec<String> {
    let mut out = Vec::new();
    for hash in &v.missing {
        out.push(format!("Missing: the link names the model {hash}, which this browser does not keep. Import its file in the list below (or train it again) and press Reset: the report then has every model it was made from."));
    }
    if v.members.is_empty() {
        out.push("No model yet: pick a kept model with Use (and more with Add), then Run.".into());
        return out;
    }
    for m in v.members.iter().filter(|m| m.task.is_some() && !m.knows_training) {
        out.push(format!("{}: its file does not say what it trained on (saved before models kept it), so its held-out problems may hold questions it learned. Train it again for a clean score.", m.short()));
    }
    learning(v, &mut out);
    for (g, group) in v.groups.iter().enumerate() {
        if v.sizes.get(g) == Some(&0) {
            out.push(format!("Not scored: {}. Every problem of it is a question a model here trained on (or its swapped twin), so none is held out.", group.label()));
            continue;
        }
        let sat: Vec<(usize, f64)> = (0..v.columns.len()).filter(|&c| v.complete(g, c)).filter_map(|c| Some((c, v.accuracy(g, c)?))).collect();
        if sat.is_empty() {
            continue;
        }
        let (best, best_acc) = sat.iter().copied().fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
        let label = group.label();
        let (worst, worst_acc) = sat.iter().copied().fold((0, f64::MAX), |a, b| if b.1 < a.1 { b } else { a });
        if sat.len() == 1 {
            out.push(format!("On {label}, {} gets {}.", v.columns[best].label, pct(best_acc)));
        } else if best_acc == worst_acc {
            out.push(format!("On {label}, all {} models get {}.", sat.len(), pct(best_acc)));
        } else {
            out.push(format!("On {label}, {} is best at {}; {} lowest at {}.", v.columns[best].label, pct(best_acc), v.columns[worst].label, pct(worst_acc)));
        }
        let (right, total) = v.tally(g, best).unwrap_or((0, 0));
        if wilson(right, total).1 < 0.5 {
            out.push(format!("Did not work: no model gets half of {label} right (best {}, 95 % CI up to {}): the set is past what these models learned.", pct(best_acc), pct(wilson(right, total).1)));
        }
        chain_of_thought(v, g, &sat, &mut out);
        calculator(v, g, &sat, &mut out);
    }
    tuning(v, &mut out);
    out
}

/// Each kept curve: where the training loss (a tuned model: its mean
/// reward) began and ended.
fn learning(v: &ReportView, out: &mut Vec<String>) {
    for m in &v.members {
        let curve = |name: &str| m.curves.iter().find(|(n, _)| n == name).map(|(_, c)| c).filter(|c| !c.is_empty());
        if let Some(c) = curve("train_loss") {
            let (first, last) = (c[0], c[c.len() - 1]);
            let verb = if last.1 < first.1 { "fell" } else { "did not fall" };
            out.push(format!("{} ({}): its training loss {verb} from {:.3} to {:.3} over steps {} to {}.", m.short(), m.trained_on(), first.1, last.1, first.0, last.0));
        } else if let Some(c) = curve("reward") {
            let (first, last) = (c[0], c[c.len() - 1]);
            let moved = match last.1.partial_cmp(&first.1) {
                Some(std::cmp::Ordering::Greater) => format!("rose from {:.3} to {:.3}", first.1, last.1),
                Some(std::cmp::Ordering::Less) => format!("fell from {:.3} to {:.3}", first.1, last.1),
                _ => format!("stayed at {:.3}", last.1),
            };
            out.push(format!("{} ({}): its mean reward {moved} over tuning steps {} to {}.", m.short(), m.trained_on(), first.0, last.0));
        }
    }
}

/// Two columns on the same set, question by question: `first` then `second`.
fn paired(v: &ReportView, g: usize, first: usize, second: usize) -> Paired {
    let (a, b) = (&v.answers[&(g, first)], &v.answers[&(g, second)]);
    Paired::of(a.iter().map(|x| x.correct), b.iter().map(|x| x.correct))
}

/// The opening word of a verdict on `second` against `first`: said only
/// when the paired interval leaves out 0.
fn verdict(p: &Paired, better: &str, worse: &str) -> String {
    match p.verdict() {
        Verdict::Better => better.to_string(),
        Verdict::Worse => worse.to_string(),
        Verdict::Unclear => format!("No clear difference (n = {})", p.n()),
    }
}

/// A CoT column against a plain one on the same set.
fn chain_of_thought(v: &ReportView, g: usize, sat: &[(usize, f64)], out: &mut Vec<String>) {
    let of = |method: &str| sat.iter().find(|(c, _)| v.members[v.columns[*c].member].method == method && !v.columns[*c].calculator);
    if let (Some(&(cot, a)), Some(&(plain, b))) = (of("CoT"), of("plain")) {
        let p = paired(v, g, plain, cot);
        let said = verdict(&p, "Worked", "Did not work here");
        out.push(format!("{said}: chain of thought. On {}, {} writes its steps and gets {}; {} answers at once and gets {}: {}.", v.groups[g].label(), v.columns[cot].label, pct(a), v.columns[plain].label, pct(b), p.describe()));
    }
}

/// A calculator model with its calculator and without.
fn calculator(v: &ReportView, g: usize, sat: &[(usize, f64)], out: &mut Vec<String>) {
    for &(with, a) in sat.iter().filter(|(c, _)| v.columns[*c].calculator) {
        let member = v.columns[with].member;
        let Some(&(without, b)) = sat.iter().find(|(c, _)| v.columns[*c].member == member && !v.columns[*c].calculator) else { continue };
        let p = paired(v, g, without, with);
        let said = verdict(&p, "Worked", "Did not work here");
        out.push(format!("{said}: the calculator. On {}, {} gets {} with it and {} writing every result itself: {}.", v.groups[g].label(), v.members[member].short(), pct(a), pct(b), p.describe()));
    }
}

/// Each tuned model (PPO, GRPO, DPO) against the model it started from, on
/// every set both sat: its gain, and the questions it fixed and broke. The
/// start is found by its content hash only.
fn tuning(v: &ReportView, out: &mut Vec<String>) {
    for (t, col) in v.columns.iter().enumerate() {
        let m = &v.members[col.member];
        if !matches!(m.lab.as_str(), "ppo" | "dpo") {
            continue;
        }
        let mut own = match (m.start_accuracy, m.accuracy) {
            (Some(a), Some(b)) => format!("its own run took its start from {} to {} on its held-out set ({})", pct(a), pct(b), points(b - a)),
            _ => "its own run kept no scores".to_string(),
        };
        if let (Some(c), Some(b)) = (m.control_accuracy, m.accuracy) {
            own += &format!(", and its control (the same start fine-tuned on the right chains of the same questions) to {}: {} over the control", pct(c), points(b - c));
        }
        let start = m.start.as_deref().filter(|h| !h.is_empty());
        let Some(s) = start.and_then(|h| v.columns.iter().position(|c| v.members[c.member].hash == h && !c.calculator)) else {
            out.push(match start {
                Some(h) => format!("{}: {own}. The model it was tuned from ({h}) is not in this report: add its file to compare both on the same questions.", m.short()),
                None => format!("{}: {own}. Its start was trained within its own run (a warm-up) and not kept, so it cannot be scored here.", m.short()),
            });
            continue;
        };
        for g in 0..v.groups.len() {
            if !v.answers.contains_key(&(g, s)) || !v.answers.contains_key(&(g, t)) || !v.complete(g, s) || !v.complete(g, t) {
                continue;
            }
            let p = paired(v, g, s, t);
            let said = verdict(&p, "Worked", "Did not help");
            let (a, b) = (v.accuracy(g, s).unwrap_or(0.0), v.accuracy(g, t).unwrap_or(0.0));
            out.push(format!("{said}: {} against {}, the model it was tuned from, on {}: {} → {}, {}.", v.columns[t].label, v.columns[s].label, v.groups[g].label(), pct(a), pct(b), p.describe()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Answer, Column, Group, Member, ReportView};
    use super::*;

    fn member(method: &str, lab: &str, hash: &str, task: (&str, usize)) -> Member {
        Member { name: format!("{lab} model"), hash: hash.into(), lab: lab.into(), method: method.into(), task: Some((task.0.into(), task.1)), knows_training: true, ..Default::default() }
    }

    /// `right` of `n` answers right, the right ones first.
    fn answers(right: usize, n: usize) -> Vec<Answer> {
        (0..n).map(|i| Answer { question: "1+2".into(), output: "=3".into(), correct: i < right, marks: Vec::new() }).collect()
    }

    fn view(members: Vec<Member>, n: usize) -> ReportView {
        let columns = members.iter().enumerate().map(|(i, m)| Column { member: i, calculator: false, label: m.short() }).collect();
        ReportView { members, columns, groups: vec![Group { task: "add".into(), level: 3, tool: false }], sizes: vec![n], n, ..Default::default() }
    }

    #[test]
    fn statements_follow_the_numbers_and_the_paired_test() {
        let mut start = member("CoT", "cot", "aaaa11", ("add", 3));
        start.curves = vec![("train_loss".into(), vec![(1, 2.5), (800, 0.31)])];
        let mut tuned = member("GRPO", "ppo", "bbbb22", ("add", 3));
        tuned.start = Some("aaaa11".into());
        let plain = member("plain", "gpt-mini", "cccc33", ("add", 3));
        let mut v = view(vec![start, tuned, plain], 200);
        v.missing = vec!["dddd44".into()];
        v.answers.insert((0, 0), answers(100, 200));
        v.answers.insert((0, 1), answers(130, 200));
        v.answers.insert((0, 2), answers(20, 200));
        let f = findings(&v);
        let all = f.join("\n");
        assert!(f[0].starts_with("Missing: the link names the model dddd44"), "{all}");
        assert!(all.contains("CoT (aaaa11) (add 3): its training loss fell from 2.500 to 0.310 over steps 1 to 800."), "{all}");
        assert!(all.contains("On add 3, GRPO (bbbb22) is best at 65.0 %; plain (cccc33) lowest at 10.0 %."), "{all}");
        assert!(all.contains("Worked: chain of thought. On add 3, CoT (aaaa11) writes its steps and gets 50.0 %; plain (cccc33) answers at once and gets 10.0 %: +40.0 points (95 % CI +"), "{all}");
        assert!(all.contains("Worked: GRPO (bbbb22) against CoT (aaaa11), the model it was tuned from, on add 3: 50.0 % → 65.0 %, +15.0 points (95 % CI +"), "{all}");
        assert!(all.contains("n = 200; fixed 30, broke 0)."), "{all}");
        // A gain inside the noise is no verdict.
        v.answers.insert((0, 1), answers(103, 200));
        let all = findings(&v).join("\n");
        assert!(all.contains("No clear difference (n = 200): GRPO (bbbb22) against CoT (aaaa11), the model it was tuned from, on add 3: 50.0 % → 51.5 %, +1.5 points"), "{all}");
        // And a clear loss says so.
        v.answers.insert((0, 1), answers(60, 200));
        assert!(findings(&v).join("\n").contains("Did not help: GRPO (bbbb22) against CoT (aaaa11)"));
    }

    #[test]
    fn a_start_is_named_by_hash_only_and_a_missing_one_is_said() {
        let other_cot = member("CoT", "cot", "aaaa11", ("add", 3));
        let mut tuned = member("DPO", "dpo", "bbbb22", ("add", 3));
        tuned.start = Some("ffff99".into());
        (tuned.start_accuracy, tuned.accuracy, tuned.control_accuracy) = (Some(0.5), Some(0.6), Some(0.58));
        let mut v = view(vec![other_cot, tuned.clone()], 100);
        v.answers.insert((0, 0), answers(40, 100));
        v.answers.insert((0, 1), answers(60, 100));
        let all = findings(&v).join("\n");
        assert!(!all.contains("the model it was tuned from, on"), "another CoT model of the task is not its start: {all}");
        assert!(all.contains("DPO (bbbb22): its own run took its start from 50.0 % to 60.0 % on its held-out set (+10.0 points), and its control (the same start fine-tuned on the right chains of the same questions) to 58.0 %: +2.0 points over the control. The model it was tuned from (ffff99) is not in this report"), "{all}");
        tuned.start = None;
        let v = view(vec![tuned], 100);
        assert!(findings(&v).join("\n").contains("Its start was trained within its own run (a warm-up) and not kept"));
    }

    #[test]
    fn a_calculator_model_is_set_against_itself_without_it() {
        let m = member("calculator", "tools", "eeee55", ("mul", 4));
        let columns = vec![Column { member: 0, calculator: true, label: "calculator (eeee55)".into() }, Column { member: 0, calculator: false, label: "calculator (eeee55), switched off".into() }];
        let mut v = ReportView { members: vec![m], columns, groups: vec![Group { task: "mul".into(), level: 4, tool: true }], sizes: vec![2], n: 2, ..Default::default() };
        v.answers.insert((0, 0), answers(2, 2));
        v.answers.insert((0, 1), answers(0, 2));
        let all = findings(&v).join("\n");
        assert!(all.contains("No clear difference (n = 2): the calculator. On mul 4×4, calculator (eeee55) gets 100.0 % with it and 0.0 % writing every result itself: +100.0 points"), "two questions are too few: {all}");
        v.sizes = vec![40];
        v.answers.insert((0, 0), answers(40, 40));
        v.answers.insert((0, 1), answers(0, 40));
        let all = findings(&v).join("\n");
        assert!(all.contains("Worked: the calculator. On mul 4×4"), "{all}");
        assert!(all.contains("On mul 4×4, calculator (eeee55) is best at 100.0 %; calculator (eeee55), switched off lowest at 0.0 %."), "{all}");
    }

    #[test]
    fn nothing_is_claimed_before_a_set_is_scored() {
        let m = member("CoT", "cot", "aaaa11", ("add", 3));
        let mut v = ReportView { members: vec![m], columns: vec![Column { member: 0, calculator: false, label: "CoT".into() }], groups: vec![Group { task: "add".into(), level: 3, tool: false }], sizes: vec![4], n: 4, ..Default::default() };
        v.answers.insert((0, 0), Vec::new());
        assert!(findings(&v).is_empty(), "{:?}", findings(&v));
        assert_eq!(findings(&ReportView::default()), ["No model yet: pick a kept model with Use (and more with Add), then Run."]);
        v.members[0].knows_training = false;
        assert!(findings(&v)[0].contains("its file does not say what it trained on"));
    }
}
