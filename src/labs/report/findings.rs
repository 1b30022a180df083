//! What worked and what did not, in sentences made from the report's own
//! numbers: no sentence here is written before the models are scored, and
//! each one names the numbers it rests on.

use super::ReportView;

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
    learning(v, &mut out);
    for (g, group) in v.groups.iter().enumerate() {
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
        if best_acc < 0.5 {
            out.push(format!("Did not work: no model gets half of {label} right (best {}): the set is past what these models learned.", pct(best_acc)));
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

/// A CoT column against a plain one on the same set.
fn chain_of_thought(v: &ReportView, g: usize, sat: &[(usize, f64)], out: &mut Vec<String>) {
    let of = |method: &str| sat.iter().find(|(c, _)| v.members[v.columns[*c].member].method == method && !v.columns[*c].calculator);
    if let (Some(&(cot, a)), Some(&(plain, b))) = (of("CoT"), of("plain")) {
        let verdict = if a > b { "Worked" } else { "Did not work here" };
        out.push(format!("{verdict}: chain of thought. On {}, {} writes its steps and gets {}; {} answers at once and gets {} ({}).", v.groups[g].label(), v.columns[cot].label, pct(a), v.columns[plain].label, pct(b), points(a - b)));
    }
}

/// A calculator model with its calculator and without.
fn calculator(v: &ReportView, g: usize, sat: &[(usize, f64)], out: &mut Vec<String>) {
    for &(with, a) in sat.iter().filter(|(c, _)| v.columns[*c].calculator) {
        let member = v.columns[with].member;
        let Some(&(_, b)) = sat.iter().find(|(c, _)| v.columns[*c].member == member && !v.columns[*c].calculator) else { continue };
        let verdict = if a > b { "Worked" } else { "Did not work here" };
        out.push(format!("{verdict}: the calculator. On {}, {} gets {} with it and {} writing every result itself ({}).", v.groups[g].label(), v.members[member].short(), pct(a), pct(b), points(a - b)));
    }
}

/// Each tuned model (PPO, GRPO, DPO) against the model it started from, on
/// every set both sat: its gain, and the questions it fixed and broke.
fn tuning(v: &ReportView, out: &mut Vec<String>) {
    for (t, col) in v.columns.iter().enumerate() {
        let m = &v.members[col.member];
        if !matches!(m.lab.as_str(), "ppo" | "dpo") {
            continue;
        }
        // Its start by hash; else the one CoT model of its task in the report.
        let start = v.columns.iter().position(|c| m.start.as_deref().is_some_and(|h| !h.is_empty() && v.members[c.member].hash == h)).or_else(|| {
            let cots: Vec<usize> = (0..v.columns.len()).filter(|&c| v.members[v.columns[c].member].method == "CoT" && v.members[v.columns[c].member].task.as_ref().map(|t| &t.0) == m.task.as_ref().map(|t| &t.0)).collect();
            (cots.len() == 1).then(|| cots[0])
        });
        let Some(s) = start else {
            if let (Some(a), Some(b)) = (m.start_accuracy, m.accuracy) {
                out.push(format!("{}: its own run took its start from {} to {} on its held-out set ({}); the model it started from is not in this report.", m.short(), pct(a), pct(b), points(b - a)));
            }
            continue;
        };
        for g in 0..v.groups.len() {
            let (Some(before), Some(after)) = (v.answers.get(&(g, s)), v.answers.get(&(g, t))) else { continue };
            if !v.complete(g, s) || !v.complete(g, t) {
                continue;
            }
            let fixed = before.iter().zip(after).filter(|(b, a)| !b.correct && a.correct).count();
            let broke = before.iter().zip(after).filter(|(b, a)| b.correct && !a.correct).count();
            let (a, b) = (v.accuracy(g, s).unwrap_or(0.0), v.accuracy(g, t).unwrap_or(0.0));
            let verdict = if b - a >= 0.1 { "Worked" } else if b > a { "Helped a little" } else { "Did not help" };
            out.push(format!("{verdict}: {} against {}, the model it was tuned from, on {}: {} → {} ({}; it fixed {fixed} questions and broke {broke}).", v.columns[t].label, v.columns[s].label, v.groups[g].label(), pct(a), pct(b), points(b - a)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Answer, Column, Group, Member, ReportView};
    use super::*;

    fn member(method: &str, lab: &str, hash: &str, task: (&str, usize)) -> Member {
        Member { name: format!("{lab} model"), hash: hash.into(), lab: lab.into(), method: method.into(), task: Some((task.0.into(), task.1)), ..Default::default() }
    }

    fn answers(right: &[bool]) -> Vec<Answer> {
        right.iter().map(|&correct| Answer { question: "1+2".into(), output: "=3".into(), correct, marks: Vec::new() }).collect()
    }

    #[test]
    fn statements_follow_the_numbers() {
        let mut start = member("CoT", "cot", "aaaa11", ("add", 3));
        start.curves = vec![("train_loss".into(), vec![(1, 2.5), (800, 0.31)])];
        let mut tuned = member("GRPO", "ppo", "bbbb22", ("add", 3));
        tuned.start = Some("aaaa11".into());
        let plain = member("plain", "gpt-mini", "cccc33", ("add", 3));
        let columns = ["CoT (aaaa11)", "GRPO (bbbb22)", "plain (cccc33)"].iter().enumerate().map(|(i, l)| Column { member: i, calculator: false, label: l.to_string() }).collect();
        let mut v = ReportView { members: vec![start, tuned, plain], columns, groups: vec![Group { task: "add".into(), level: 3, tool: false }], sizes: vec![4], n: 4, missing: vec!["dddd44".into()], ..Default::default() };
        v.answers.insert((0, 0), answers(&[true, false, false, true]));
        v.answers.insert((0, 1), answers(&[true, true, true, false]));
        v.answers.insert((0, 2), answers(&[false, false, false, false]));
        let f = findings(&v);
        let all = f.join("\n");
        assert!(f[0].starts_with("Missing: the link names the model dddd44"), "{all}");
        assert!(all.contains("CoT (aaaa11) (add 3): its training loss fell from 2.500 to 0.310 over steps 1 to 800."), "{all}");
        assert!(all.contains("On add 3, GRPO (bbbb22) is best at 75.0 %; plain (cccc33) lowest at 0.0 %."), "{all}");
        assert!(all.contains("Worked: chain of thought. On add 3, CoT (aaaa11) writes its steps and gets 50.0 %; plain (cccc33) answers at once and gets 0.0 % (+50.0 points)."), "{all}");
        assert!(all.contains("Worked: GRPO (bbbb22) against CoT (aaaa11), the model it was tuned from, on add 3: 50.0 % → 75.0 % (+25.0 points; it fixed 2 questions and broke 1)."), "{all}");
        // The same run where tuning lost ground says so.
        v.answers.insert((0, 1), answers(&[false, false, false, true]));
        assert!(findings(&v).join("\n").contains("Did not help: GRPO (bbbb22) against CoT (aaaa11), the model it was tuned from, on add 3: 50.0 % → 25.0 % (-25.0 points; it fixed 0 questions and broke 1)."));
    }

    #[test]
    fn a_calculator_model_is_set_against_itself_without_it() {
        let m = member("calculator", "tools", "eeee55", ("mul", 4));
        let columns = vec![Column { member: 0, calculator: true, label: "calculator (eeee55)".into() }, Column { member: 0, calculator: false, label: "calculator (eeee55), switched off".into() }];
        let mut v = ReportView { members: vec![m], columns, groups: vec![Group { task: "mul".into(), level: 4, tool: true }], sizes: vec![2], n: 2, ..Default::default() };
        v.answers.insert((0, 0), answers(&[true, true]));
        v.answers.insert((0, 1), answers(&[false, false]));
        let all = findings(&v).join("\n");
        assert!(all.contains("Worked: the calculator. On mul 4×4, calculator (eeee55) gets 100.0 % with it and 0.0 % writing every result itself (+100.0 points)."), "{all}");
        assert!(all.contains("On mul 4×4, calculator (eeee55) is best at 100.0 %; calculator (eeee55), switched off lowest at 0.0 %."), "{all}");
    }

    #[test]
    fn nothing_is_claimed_before_a_set_is_scored() {
        let m = member("CoT", "cot", "aaaa11", ("add", 3));
        let mut v = ReportView { members: vec![m], columns: vec![Column { member: 0, calculator: false, label: "CoT".into() }], groups: vec![Group { task: "add".into(), level: 3, tool: false }], sizes: vec![4], n: 4, ..Default::default() };
        v.answers.insert((0, 0), Vec::new());
        assert!(findings(&v).is_empty(), "{:?}", findings(&v));
        assert_eq!(findings(&ReportView::default()), ["No model yet: pick a kept model with Use (and more with Add), then Run."]);
    }
}
