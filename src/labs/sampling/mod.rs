//! Day 19: how a trained GPT's next-token distribution becomes text.
//! Temperature, top-k and nucleus (top-p) on one model, step by step through
//! a generation: the distribution as bars, the cut-off drawn, the drawn token
//! highlighted; and for several ways of sampling, how varied the text is
//! (`distinct_2`) and how likely the model finds its own text (`self_nll`).

pub mod filter;

use crate::backend::Workload;
use crate::figure::{BarPanel, BarSeries, Bars, Figure, FigureSpec, Plot, Table, TokenLine, Tokens};
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Params, Setting};
use filter::{Draw, Strategy};

#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::{generate, SamplingLab, Written};

/// Bars drawn of the next-token distribution: the most likely tokens.
pub const SHOWN: usize = 24;

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "A language model gives a probability to every next token; how you draw from it decides what the text reads like. Greedy decoding takes the most likely token every time and soon repeats itself. Sampling at temperature T divides the logits by T first: below 1 the likely tokens get likelier, above 1 the distribution flattens and rare tokens get their chance.",
        "Top-k keeps only the k most likely tokens; top-p (the nucleus) keeps the smallest set of most likely tokens whose probability reaches p, so it keeps few tokens where the model is sure and many where it is not. What is kept is renormalised and one token is drawn. Here temperature comes first, then top-k, then top-p; ties at a cut-off go to the token that comes first in the vocabulary.",
        "The GPT is Day 18's (trained here first, unless you load a model file); every draw is seeded, so the same settings write the same text. Step through the generation to see each distribution, the cut-off and the token drawn. The table compares ways of sampling on the same prompt: distinct-2 is the share of character pairs that are new (low: the text loops), and self-NLL is the model's own loss on the text it wrote (low: safe and dull; high: surprising, or nonsense).",
    ],
    settings: &[
        Setting { key: "corpus", label: "Text", help: "The text the GPT learns first (a loaded model must have learned the same one).", kind: Kind::Choice(&["shakespeare", "moby"]), default: "shakespeare" },
        Setting { key: "model", label: "Model", help: "A model kept in this browser, by its content hash (the list below the buttons); empty: train one here first.", kind: Kind::Text { max: 64 }, default: "" },
        Setting { key: "steps", label: "Training steps", help: "Steps of Day 18's race preset before sampling (ignored for a loaded model).", kind: Kind::Int { min: 1, max: 20_000 }, default: "600" },
        Setting { key: "prompt", label: "Prompt", help: "The generation continues this text.", kind: Kind::Text { max: 200 }, default: "ROMEO:" },
        Setting { key: "length", label: "Length", help: "Characters to generate.", kind: Kind::Int { min: 2, max: 400 }, default: "200" },
        Setting { key: "temperature", label: "Temperature", help: "Divides the logits; 0 is greedy.", kind: Kind::Float { min: 0.0, max: 5.0 }, default: "0.8" },
        Setting { key: "top_k", label: "Top-k", help: "Keep the k most likely tokens; 0 keeps all.", kind: Kind::Int { min: 0, max: 1000 }, default: "0" },
        Setting { key: "top_p", label: "Top-p", help: "Keep the fewest most likely tokens whose probability reaches p; 1 keeps all.", kind: Kind::Float { min: 0.01, max: 1.0 }, default: "0.9" },
        Setting { key: "at", label: "Inspect step", help: "Which step of the generation the bars show (1 is the first character written).", kind: Kind::Int { min: 1, max: 400 }, default: "1" },
    ],
    presets: &[
        Preset { name: "Nucleus (T 0.8, top-p 0.9)", values: &[("temperature", "0.8"), ("top_k", "0"), ("top_p", "0.9")] },
        Preset { name: "Top-k 5", values: &[("temperature", "1"), ("top_k", "5"), ("top_p", "1")] },
        Preset { name: "Greedy", values: &[("temperature", "0"), ("top_k", "0"), ("top_p", "1")] },
        Preset { name: "Hot (T 1.5)", values: &[("temperature", "1.5"), ("top_k", "0"), ("top_p", "1")] },
    ],
    workload: Workload::Large,
    figures: &[
        FigureSpec::curve("train_loss", "The GPT's training loss"),
        FigureSpec::plot("distribution", "The next-token distribution at the inspected step"),
        FigureSpec::wide("generation", "The generated text, shaded by the model's probability"),
        FigureSpec::table("strategies", "Ways of sampling on the same prompt"),
    ],
    data: crate::labs::gpt::SPEC.data,
    live: &["prompt", "length", "temperature", "top_k", "top_p", "at"],
    takes: Takes::ONE_MODEL,
    basic: &["model", "prompt", "length", "temperature", "top_k", "top_p"],
};

/// The user's way of sampling, from the settings.
pub fn strategy(p: &Params) -> Result<Strategy, String> {
    Ok(Strategy { temperature: p.f64("temperature")?, top_k: p.usize("top_k")?, top_p: p.f64("top_p")? })
}

/// The ways of sampling the table compares, before the user's own.
pub fn compared() -> Vec<Strategy> {
    vec![
        Strategy::GREEDY,
        Strategy::temperature(0.5),
        Strategy::temperature(1.0),
        Strategy::temperature(1.5),
        Strategy { temperature: 1.0, top_k: 5, top_p: 1.0 },
        Strategy { temperature: 1.0, top_k: 0, top_p: 0.9 },
    ]
}

/// A character as the page shows it: spaces and newlines made visible.
pub fn visible(c: &str) -> String {
    c.chars().map(|c| match c { '\n' => '⏎', ' ' => '·', c => c }).collect()
}

/// A generation as its table row shows it: a newline as " / ", and a run of
/// spaces as dots, since a page collapses spaces (a sample stuck on spaces
/// would read as an empty cell).
pub fn table_text(text: &[String]) -> String {
    let mut out = String::new();
    for (i, c) in text.iter().enumerate() {
        let run = c == " " && (text.get(i + 1).is_some_and(|n| n == " ") || i > 0 && text[i - 1] == " ");
        out += if c == "\n" { " / " } else if run { "·" } else { c };
    }
    out
}

/// One generation and what it measures.
#[derive(Clone, Debug, Default)]
pub struct Sampled {
    pub strategy: Option<Strategy>,
    pub text: Vec<String>,
    pub draws: Vec<Draw>,
    /// Per token: −ln of the probability the model (at temperature 1, nothing cut) gave it.
    pub nll: Vec<f32>,
}

impl Sampled {
    pub fn distinct_2(&self) -> f64 {
        filter::distinct_2(&self.text)
    }

    pub fn self_nll(&self) -> f64 {
        self.nll.iter().map(|&v| v as f64).sum::<f64>() / self.nll.len().max(1) as f64
    }
}

/// The page's picture of the lab.
#[derive(Clone, Debug, Default)]
pub struct SamplingView {
    pub prompt: String,
    /// Token names of the vocabulary.
    pub vocab: Vec<String>,
    /// The user's generation, then the compared ones.
    pub yours: Sampled,
    pub compared: Vec<Sampled>,
    /// 0-based step of `yours` the bars show.
    pub at: usize,
}

impl SamplingView {
    pub fn figures(&self) -> Vec<Figure> {
        if self.yours.draws.is_empty() {
            return vec![
                Figure::empty("distribution", "The bars appear once the GPT is trained."),
                Figure::empty("generation", "The text appears once the GPT is trained."),
                Figure::empty("strategies", "The comparison appears once the GPT is trained."),
            ];
        }
        vec![self.distribution(), self.generation(), self.strategies()]
    }

    fn distribution(&self) -> Figure {
        let at = self.at.min(self.yours.draws.len() - 1);
        let draw = &self.yours.draws[at];
        let shown: Vec<usize> = draw.order.iter().copied().take(SHOWN).collect();
        let categories = shown.iter().map(|&i| visible(&self.vocab[i])).collect();
        let values: Vec<f32> = shown.iter().map(|&i| draw.probs[i]).collect();
        let labels = values.iter().enumerate().map(|(n, v)| if n < 5 || shown[n] == draw.token { format!("{v:.2}") } else { String::new() }).collect();
        let drawn = shown.iter().position(|&i| i == draw.token);
        let strategy = self.yours.strategy.unwrap_or(Strategy::GREEDY);
        let panel = BarPanel {
            title: format!("step {} of {}: {}", at + 1, self.yours.draws.len(), strategy.describe()),
            x_desc: "next character, most likely first".into(),
            categories,
            series: vec![BarSeries { name: "probability".into(), values, labels }],
            y_max: 0.0,
            colour_by_category: false,
            highlight: drawn,
            cutoff: (draw.kept < shown.len()).then_some(draw.kept),
        };
        let context: String = self.yours.text[at.saturating_sub(12)..at].concat();
        let caption = format!(
            "Step {} of {}, after “{}{}”: {} of {} characters kept, holding {:.1} % of the probability (after temperature); drawn: “{}” (orange), which the model, unheated and uncut, gave {:.3}. Greyed bars are cut off.",
            at + 1,
            self.yours.draws.len(),
            if at < 12 { self.prompt.clone() } else { "…".into() },
            context,
            draw.kept,
            draw.probs.len(),
            100.0 * draw.kept_mass,
            visible(&self.yours.text[at]),
            (-self.yours.nll[at]).exp()
        );
        Figure::new("distribution", Plot::Bars(Bars { panels: vec![panel] }), caption)
    }

    fn generation(&self) -> Figure {
        let s = &self.yours;
        let shades = s.nll.iter().map(|v| (-v).exp()).collect();
        let line = TokenLine { label: format!("{}: “{}”…", s.strategy.unwrap_or(Strategy::GREEDY).describe(), self.prompt), tokens: s.text.clone(), shades, marks: vec![self.at.min(s.text.len() - 1)], accents: Vec::new() };
        let caption = format!("{} characters; distinct-2 {:.3}, self-NLL {:.3} nats per character. The boxed character is the inspected step.", s.text.len(), s.distinct_2(), s.self_nll());
        Figure::new("generation", Plot::Tokens(Tokens { lines: vec![line], shade_desc: "the model's probability for the character (temperature 1)".into(), mark_desc: "the inspected step".into(), accent_desc: String::new() }), caption)
    }

    fn strategies(&self) -> Figure {
        let header = ["sampling", "distinct-2", "self-NLL", "kept per step", "the text"].map(String::from).to_vec();
        let row = |name: String, s: &Sampled| {
            let kept = s.draws.iter().map(|d| d.kept as f64).sum::<f64>() / s.draws.len().max(1) as f64;
            let text = table_text(&s.text[..s.text.len().min(80)]);
            vec![name, format!("{:.3}", s.distinct_2()), format!("{:.3}", s.self_nll()), format!("{kept:.1}"), text]
        };
        let mut rows: Vec<Vec<String>> = self.compared.iter().map(|s| row(s.strategy.unwrap_or(Strategy::GREEDY).describe(), s)).collect();
        rows.push(row(format!("yours: {}", self.yours.strategy.unwrap_or(Strategy::GREEDY).describe()), &self.yours));
        let caption = format!("{} characters each from “{}”, the same seed for all. Greedy keeps one character a step and loops; hotter sampling varies more and the model finds its own text less likely.", self.yours.text.len(), self.prompt);
        Figure::new("strategies", Plot::Table(Table { header, rows }), caption)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_run_of_spaces_shows_as_dots_and_a_single_space_stays() {
        let text: Vec<String> = "a b\n-   c".chars().map(String::from).collect();
        assert_eq!(super::table_text(&text), "a b / -···c");
    }
}
