//! The arithmetic of Day 26's two methods, on plain numbers: GRPO's
//! group-relative advantages, PPO's generalised advantage estimate (GAE), the
//! clipped objective and the KL estimate. The lab applies the same formulas
//! to tensors; these are what the tests check by hand.

/// GRPO: each sample's reward against the others drawn for the same
/// question, `(r − mean) / (std + 1e-4)` within each run of `group` rewards.
/// A group whose samples all scored the same teaches nothing: all zeros.
pub fn group_advantages(rewards: &[f32], group: usize) -> Vec<f32> {
    rewards
        .chunks(group.max(1))
        .flat_map(|g| {
            let mean = g.iter().sum::<f32>() / g.len() as f32;
            let std = (g.iter().map(|r| (r - mean) * (r - mean)).sum::<f32>() / g.len() as f32).sqrt();
            g.iter().map(move |r| (r - mean) / (std + 1e-4)).collect::<Vec<_>>()
        })
        .collect()
}

/// GAE over one written answer: `rewards[t]` and the value head's
/// `values[t]` for each written token, nothing after the last (the episode
/// ends there). δ_t = r_t + γ·V_{t+1} − V_t, A_t = δ_t + γλ·A_{t+1}; the
/// value head's target is A_t + V_t. Returns (advantages, targets).
pub fn gae(rewards: &[f32], values: &[f32], gamma: f32, lambda: f32) -> (Vec<f32>, Vec<f32>) {
    let n = rewards.len();
    let mut advantages = vec![0.0; n];
    let mut next_advantage = 0.0;
    for t in (0..n).rev() {
        let next_value = if t + 1 < n { values[t + 1] } else { 0.0 };
        let delta = rewards[t] + gamma * next_value - values[t];
        next_advantage = delta + gamma * lambda * next_advantage;
        advantages[t] = next_advantage;
    }
    let targets = advantages.iter().zip(values).map(|(a, v)| a + v).collect();
    (advantages, targets)
}

/// PPO's clipped objective for one token, to be maximised: the probability
/// ratio new/old times the advantage, with the ratio held within 1 ± `clip`
/// whenever going further would help (so one batch cannot move the policy far).
pub fn clipped_objective(ratio: f32, advantage: f32, clip: f32) -> f32 {
    (ratio * advantage).min(ratio.clamp(1.0 - clip, 1.0 + clip) * advantage)
}

/// The KL estimate per token from log-probabilities under the policy and the
/// frozen reference: with d = ref − policy, e^d − d − 1 (never negative, 0
/// where they agree; Schulman's k3).
pub fn kl_estimate(policy_logp: f32, reference_logp: f32) -> f32 {
    let d = reference_logp - policy_logp;
    d.exp() - d - 1.0
}

/// DPO's loss for one pair, from the summed log-probabilities of the chosen
/// and the rejected chain under the policy and the frozen reference:
/// −log σ(β·((π_c − ref_c) − (π_r − ref_r))).
pub fn dpo_loss(policy_chosen: f64, policy_rejected: f64, ref_chosen: f64, ref_rejected: f64, beta: f64) -> f64 {
    let margin = beta * ((policy_chosen - ref_chosen) - (policy_rejected - ref_rejected));
    (1.0 + (-margin).exp()).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_advantages_sum_to_zero_per_group_and_rank_by_reward() {
        let rewards = [1.0, 0.0, 0.0, 1.0, /* */ 0.1, 1.1, 0.1, 0.1, /* */ 1.0, 1.0, 1.0, 1.0];
        let a = group_advantages(&rewards, 4);
        for g in a.chunks(4) {
            assert!(g.iter().sum::<f32>().abs() < 1e-5, "{g:?}");
        }
        // Two right of four: ±1 (std 0.5).
        assert!((a[0] - 1.0).abs() < 1e-3 && (a[1] + 1.0).abs() < 1e-3, "{a:?}");
        // One right of four: the right one gets √3, the others −1/√3.
        assert!((a[5] - 3f32.sqrt()).abs() < 1e-3 && (a[4] + 1.0 / 3f32.sqrt()).abs() < 1e-3, "{a:?}");
        assert_eq!(&a[8..], &[0.0; 4], "all right: nothing to learn");
    }

    #[test]
    fn gae_matches_a_hand_computed_example() {
        // Three tokens, the reward at the end; γ = 1, λ = 0.5.
        let (adv, targets) = gae(&[0.0, 0.0, 1.0], &[0.2, 0.4, 0.5], 1.0, 0.5);
        // δ = [0.4 − 0.2, 0.5 − 0.4, 1 − 0.5] = [0.2, 0.1, 0.5]
        // A2 = 0.5; A1 = 0.1 + 0.5·0.5 = 0.35; A0 = 0.2 + 0.5·0.35 = 0.375
        for (got, want) in adv.iter().zip([0.375, 0.35, 0.5]) {
            assert!((got - want).abs() < 1e-6, "{adv:?}");
        }
        for (got, want) in targets.iter().zip([0.575, 0.75, 1.0]) {
            assert!((got - want).abs() < 1e-6, "{targets:?}");
        }
        // λ = 1, γ = 1: every advantage is the final reward minus the value there.
        let (adv, _) = gae(&[0.0, 0.0, 1.0], &[0.2, 0.4, 0.5], 1.0, 1.0);
        assert!((adv[0] - 0.8).abs() < 1e-6 && (adv[1] - 0.6).abs() < 1e-6);
    }

    #[test]
    fn the_clip_stops_the_gain_past_one_plus_or_minus_epsilon() {
        // A good token (advantage > 0): no gain past ratio 1.2.
        assert_eq!(clipped_objective(1.5, 2.0, 0.2), 2.4);
        assert_eq!(clipped_objective(1.1, 2.0, 0.2), 2.2);
        // Made less likely, it still pays its full price (the min).
        assert_eq!(clipped_objective(0.5, 2.0, 0.2), 1.0);
        // A bad token (advantage < 0): no gain below ratio 0.8, full cost above.
        assert_eq!(clipped_objective(0.5, -1.0, 0.2), -0.8);
        assert_eq!(clipped_objective(1.5, -1.0, 0.2), -1.5);
    }

    #[test]
    fn the_kl_estimate_is_zero_where_they_agree_and_positive_elsewhere() {
        assert_eq!(kl_estimate(-1.0, -1.0), 0.0);
        assert!(kl_estimate(-0.1, -2.0) > 0.0 && kl_estimate(-2.0, -0.1) > 0.0);
        // d = 1: e − 2.
        assert!((kl_estimate(-2.0, -1.0) - (std::f32::consts::E - 2.0)).abs() < 1e-6);
    }

    #[test]
    fn the_dpo_loss_is_log_two_at_the_start_and_falls_as_the_pair_is_learned() {
        // Policy = reference: margin 0, loss ln 2.
        assert!((dpo_loss(-5.0, -3.0, -5.0, -3.0, 0.1) - 2f64.ln()).abs() < 1e-12);
        // Chosen up by 2 nats, rejected down by 3: margin 0.1·5 = 0.5, loss ln(1 + e^−0.5).
        assert!((dpo_loss(-3.0, -6.0, -5.0, -3.0, 0.1) - (1.0 + (-0.5f64).exp()).ln()).abs() < 1e-12);
        // The wrong way round costs more than ln 2.
        assert!(dpo_loss(-7.0, -3.0, -5.0, -3.0, 0.1) > 2f64.ln());
    }
}
