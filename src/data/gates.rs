//! The truth tables of AND, OR and XOR: the four points of Day 1.

use serde::{Deserialize, Serialize};

/// The four input corners of the unit square, in a fixed order.
pub const INPUTS: [[f32; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    And,
    Or,
    Xor,
}

impl Gate {
    pub const NAMES: &'static [&'static str] = &["and", "or", "xor"];

    pub fn parse(name: &str) -> Option<Gate> {
        match name {
            "and" => Some(Gate::And),
            "or" => Some(Gate::Or),
            "xor" => Some(Gate::Xor),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Gate::And => "and",
            Gate::Or => "or",
            Gate::Xor => "xor",
        }
    }

    /// The gate's output for each row of [`INPUTS`].
    pub fn targets(self) -> [f32; 4] {
        INPUTS.map(|[a, b]| {
            let (a, b) = (a > 0.5, b > 0.5);
            let out = match self {
                Gate::And => a && b,
                Gate::Or => a || b,
                Gate::Xor => a != b,
            };
            if out { 1.0 } else { 0.0 }
        })
    }

    /// Whether one straight line can split the ones from the zeros. XOR is the
    /// classic case where it cannot, which is why a single perceptron fails on it.
    pub fn linearly_separable(self) -> bool {
        !matches!(self, Gate::Xor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_tables() {
        assert_eq!(Gate::And.targets(), [0.0, 0.0, 0.0, 1.0]);
        assert_eq!(Gate::Or.targets(), [0.0, 1.0, 1.0, 1.0]);
        assert_eq!(Gate::Xor.targets(), [0.0, 1.0, 1.0, 0.0]);
        for name in Gate::NAMES {
            assert_eq!(Gate::parse(name).unwrap().name(), *name);
        }
        assert_eq!(Gate::parse("nand"), None);
    }
}
