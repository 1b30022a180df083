//! The 30-day course: every lab's stable id, day and title, in order.

/// One entry of the course map.
#[derive(Clone, Copy, Debug)]
pub struct LabInfo {
    pub id: &'static str,
    pub day: u8,
    pub title: &'static str,
}

impl LabInfo {
    pub fn week(&self) -> u8 {
        (self.day.saturating_sub(1) / 7 + 1).min(4)
    }
}

macro_rules! course {
    ($($day:literal $id:literal $title:literal;)*) => {
        pub const LABS: &[LabInfo] = &[$(LabInfo { id: $id, day: $day, title: $title }),*];
    };
}

course! {
    1 "perceptron" "Perceptron: AND, OR and XOR";
    2 "mnist" "A one-hidden-layer MLP on MNIST";
    3 "backprop" "Backprop written by hand";
    4 "word2vec" "word2vec skip-gram";
    5 "projection" "Embeddings in 2-D: PCA and t-SNE";
    6 "sentiment" "An MLP text classifier on movie reviews";
    7 "onehot-vs-embed" "One-hot vs embeddings";
    8 "rnn" "A vanilla RNN character generator";
    9 "lstm" "An LSTM character generator";
    10 "rnn-vs-lstm" "RNN vs LSTM on long sequences";
    11 "attention" "Self-attention from scratch: Q, K, V";
    12 "attention-map" "Attention heatmaps";
    13 "multihead" "Multi-head attention";
    14 "attention-vs-rnn" "Why attention beats RNNs";
    15 "block" "The transformer block";
    16 "encoder" "An encoder stack";
    17 "decoder" "The causal mask: decoder-only";
    18 "gpt" "A tiny GPT trained on a text corpus";
    19 "sampling" "Temperature, top-k and nucleus sampling";
    20 "positions" "Positional embeddings compared";
    21 "anatomy" "Anatomy of a trained GPT";
    22 "reasoning-data" "Toy reasoning data: arithmetic and logic chains";
    23 "gpt-mini" "GPT-mini trained on reasoning data";
    24 "cot" "Chain-of-thought fine-tuning";
    25 "eval" "GSM8K-style evaluation";
    26 "ppo" "PPO tuning";
    27 "dpo" "DPO tuning";
    28 "tools" "A calculator tool";
    29 "compare" "Plain vs CoT vs PPO/DPO";
    30 "report" "The final report: plots and samples";
}

/// Pages that ship with the site but stay off the course map.
pub const HIDDEN: &[LabInfo] = &[LabInfo { id: "bench", day: 0, title: "GPT training benchmark" }, LabInfo { id: "bench-sample", day: 0, title: "GPT sampling benchmark" }];

pub fn find(id: &str) -> Option<&'static LabInfo> {
    LABS.iter().chain(HIDDEN).find(|l| l.id == id)
}

pub const WEEK_TITLES: [&str; 4] = [
    "Week 1 · Neurons, backprop and embeddings",
    "Week 2 · Recurrence and attention",
    "Week 3 · The transformer and a tiny GPT",
    "Week 4 · Reasoning: CoT, evaluation, PPO, DPO and tools",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_labs_in_order_with_unique_ids() {
        let ids: Vec<&str> = LABS.iter().map(|l| l.id).collect();
        assert_eq!(ids.len(), 30);
        assert_eq!(ids[0], "perceptron");
        assert_eq!(ids[29], "report");
        for (i, lab) in LABS.iter().enumerate() {
            assert_eq!(lab.day as usize, i + 1);
            assert_eq!(ids.iter().filter(|id| **id == lab.id).count(), 1);
        }
        assert_eq!(LABS.iter().filter(|l| l.week() == 4).count(), 9);
    }
}
