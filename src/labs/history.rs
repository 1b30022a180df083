//! A run's curves, kept with its model. Every point a lab's snapshots send
//! (training loss, validation loss, accuracy, reward, KL) is recorded here,
//! thinned so that a curve never holds more than about `2 × MAX` points, and
//! written into the model file's metadata as `curve.<name>`: the report (Day
//! 30) draws how each model learned long after its run's page is gone, and a
//! run resumed from a checkpoint carries its curves on.

use crate::event::Series;
use std::collections::BTreeMap;

/// Points a thinned curve keeps at least (and at most twice as many).
pub const MAX: usize = 200;

/// The metadata key prefix of a curve.
pub const PREFIX: &str = "curve.";

#[derive(Clone, Debug, Default, PartialEq)]
struct Curve {
    points: Vec<(u32, f32)>,
    /// Every `stride`-th point seen is kept; doubled each time the curve fills.
    stride: usize,
    seen: usize,
    /// The newest point, kept whatever the stride: a curve ends where its run did.
    last: Option<(u32, f32)>,
}

impl Curve {
    fn push(&mut self, p: (u32, f32)) {
        if !p.1.is_finite() {
            return;
        }
        self.stride = self.stride.max(1);
        if self.seen.is_multiple_of(self.stride) {
            self.points.push(p);
            if self.points.len() > 2 * MAX {
                // Keep the points of even rank: those the doubled stride would have kept.
                self.points = self.points.iter().copied().step_by(2).collect();
                self.stride *= 2;
            }
        }
        self.seen += 1;
        self.last = Some(p);
    }

    fn points(&self) -> Vec<(u32, f32)> {
        let mut out = self.points.clone();
        if let Some(last) = self.last.filter(|l| out.last() != Some(l)) {
            out.push(last);
        }
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    curves: BTreeMap<String, Curve>,
}

impl History {
    /// What a snapshot sends, point by point.
    pub fn record(&mut self, series: &[Series]) {
        for s in series {
            let curve = self.curves.entry(s.name.clone()).or_default();
            for &p in &s.points {
                curve.push(p);
            }
        }
    }

    /// One curve's points, thinned, in step order.
    pub fn curve(&self, name: &str) -> Vec<(u32, f32)> {
        self.curves.get(name).map(Curve::points).unwrap_or_default()
    }

    /// The metadata entries that keep the curves: `curve.train_loss` → "1:2.31,2:2.2".
    pub fn to_meta(&self) -> Vec<(String, String)> {
        let text = |points: Vec<(u32, f32)>| points.iter().map(|(s, v)| format!("{s}:{}", short(*v))).collect::<Vec<_>>().join(",");
        self.curves.iter().map(|(name, c)| (format!("{PREFIX}{name}"), text(c.points()))).collect()
    }

    /// The curves a model file kept, up to `step` (a resumed run goes on from
    /// there); an entry that does not read is left out, never a panic.
    pub fn from_meta(meta: &BTreeMap<String, String>, step: usize) -> Self {
        let mut history = History::default();
        for (name, points) in curves_in(meta) {
            let kept: Vec<(u32, f32)> = points.into_iter().filter(|(s, _)| *s as usize <= step).collect();
            history.record(&[Series { name, points: kept }]);
        }
        history
    }
}

/// Every curve a model file's metadata holds, by name (`train_loss`, …).
pub fn curves_in(meta: &BTreeMap<String, String>) -> Vec<(String, Vec<(u32, f32)>)> {
    let parse = |text: &str| -> Option<Vec<(u32, f32)>> {
        text.split(',').filter(|p| !p.is_empty()).map(|p| {
            let (s, v) = p.split_once(':')?;
            let v: f32 = v.parse().ok()?;
            v.is_finite().then_some((s.parse().ok()?, v))
        }).collect()
    };
    // An empty curve (a stranger's file can hold one) is no curve: every reader may take its first point.
    meta.iter().filter_map(|(k, v)| Some((k.strip_prefix(PREFIX)?.to_string(), parse(v).filter(|c| !c.is_empty())?))).collect()
}

/// Four significant digits: enough for a plot, a few bytes a point.
fn short(v: f32) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, points: impl IntoIterator<Item = (u32, f32)>) -> Series {
        Series { name: name.into(), points: points.into_iter().collect() }
    }

    #[test]
    fn a_long_curve_is_thinned_evenly_and_keeps_its_ends() {
        let mut h = History::default();
        for chunk in (1..=10_000u32).collect::<Vec<_>>().chunks(37) {
            h.record(&[series("train_loss", chunk.iter().map(|&s| (s, 1.0 / s as f32)))]);
        }
        let c = h.curve("train_loss");
        assert!(c.len() > MAX && c.len() <= 2 * MAX + 1, "{} points", c.len());
        assert_eq!(c.first().unwrap().0, 1);
        assert_eq!(c.last().unwrap().0, 10_000);
        assert!(c.windows(2).all(|w| w[0].0 < w[1].0));
        // Even: no gap between kept points more than twice another.
        let gaps: Vec<u32> = c[..c.len() - 1].windows(2).map(|w| w[1].0 - w[0].0).collect();
        assert!(gaps.iter().max().unwrap() <= &(2 * gaps.iter().min().unwrap()), "{gaps:?}");
    }

    #[test]
    fn curves_round_trip_through_the_metadata_and_stop_at_a_resumed_step() {
        let mut h = History::default();
        h.record(&[series("train_loss", [(1, 2.3456), (2, 1.5), (3, 0.012346)]), series("accuracy", [(2, 0.5), (3, 1.0)])]);
        h.record(&[series("val_loss", [(3, f32::NAN)])]);
        let meta: BTreeMap<String, String> = h.to_meta().into_iter().collect();
        assert_eq!(meta["curve.train_loss"], "1:2.346,2:1.5,3:0.01235");
        assert_eq!(meta["curve.accuracy"], "2:0.5,3:1");
        let back = History::from_meta(&meta, 2);
        assert_eq!(back.curve("train_loss"), vec![(1, 2.346), (2, 1.5)]);
        assert_eq!(back.curve("accuracy"), vec![(2, 0.5)]);
        assert!(back.curve("val_loss").is_empty());
    }

    #[test]
    fn a_damaged_curve_is_left_out() {
        let meta: BTreeMap<String, String> = [("curve.a", "1:x"), ("curve.b", "1:1,2"), ("curve.c", "5:0.25"), ("curve.d", "1:inf"), ("curve.e", ""), ("curve.f", ","), ("lab", "cot")].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(curves_in(&meta), vec![("c".to_string(), vec![(5, 0.25)])]);
    }
}
