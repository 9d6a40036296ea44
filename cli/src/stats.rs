//! Statistics for comparing samples: medians, and the Mann-Whitney U test
//! (two-sided), the test benchstat uses for benchmark results. Exact
//! p-values for small samples without ties, the normal approximation with
//! tie correction otherwise. Hand-written: no well-kept crate offers the
//! exact small-sample distribution, and it is forty lines.

/// Median of the samples; None when there are none.
pub fn median(samples: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Two-sided p-value of the Mann-Whitney U test that `a` and `b` come from the same distribution.
pub fn mann_whitney_p(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    // Ranks of the pooled samples, ties sharing their mean rank.
    let mut pooled: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    pooled.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = pooled.len();
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && pooled[j + 1].0 == pooled[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        tie_term += t * t * t - t;
        rank_sum_a += rank * pooled[i..=j].iter().filter(|p| p.1).count() as f64;
        i = j + 1;
    }
    let u = rank_sum_a - (n1 * (n1 + 1)) as f64 / 2.0;
    let (f1, f2) = (n1 as f64, n2 as f64);
    let mean = f1 * f2 / 2.0;
    if tie_term == 0.0 && n1 + n2 <= 40 {
        // Exact: count the arrangements whose U is at least as far from the mean.
        let counts = u_distribution(n1, n2);
        let total: f64 = counts.iter().sum();
        let distance = (u - mean).abs();
        let extreme: f64 = counts
            .iter()
            .enumerate()
            .filter(|(k, _)| (*k as f64 - mean).abs() >= distance - 1e-9)
            .map(|(_, c)| c)
            .sum();
        return (extreme / total).min(1.0);
    }
    let nn = f1 + f2;
    let variance = f1 * f2 / 12.0 * ((nn + 1.0) - tie_term / (nn * (nn - 1.0)));
    if variance <= 0.0 {
        return 1.0; // every value equal: no evidence of a difference
    }
    let z = ((u - mean).abs() - 0.5).max(0.0) / variance.sqrt();
    (2.0 * normal_upper_tail(z)).min(1.0)
}

/// Number of arrangements of n1 + n2 distinct values giving each U = 0..=n1*n2.
fn u_distribution(n1: usize, n2: usize) -> Vec<f64> {
    // f[i][j][u]: arrangements of i values of a and j of b with statistic u.
    let max_u = n1 * n2;
    let mut f = vec![vec![vec![0.0f64; max_u + 1]; n2 + 1]; n1 + 1];
    for i in 0..=n1 {
        for j in 0..=n2 {
            if i == 0 || j == 0 {
                f[i][j][0] = 1.0;
                continue;
            }
            for u in 0..=i * j {
                // The largest value belongs to a (it beats all j of b) or to b.
                let from_a = if u >= j { f[i - 1][j][u - j] } else { 0.0 };
                let from_b = f[i][j - 1][u];
                f[i][j][u] = from_a + from_b;
            }
        }
    }
    f[n1][n2].clone()
}

/// P(Z > z) for a standard normal Z (Abramowitz and Stegun 7.1.26, error < 1.5e-7).
fn normal_upper_tail(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.3275911 * x);
    let poly = t
        * (0.254829592
            + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    0.5 * poly * (-x * x).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_samples() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn exact_p_values_match_the_tables() {
        // Four against four, completely separated: the smallest two-sided p, 2/70.
        let p = mann_whitney_p(&[1.0, 2.0, 3.0, 4.0], &[5.0, 6.0, 7.0, 8.0]);
        assert!((p - 2.0 / 70.0).abs() < 1e-12, "{p}");
        // Three against three, separated: 2/20 = 0.1, never significant at 0.05.
        let p = mann_whitney_p(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]);
        assert!((p - 0.1).abs() < 1e-12, "{p}");
        // Interleaved samples: no evidence at all.
        let p = mann_whitney_p(&[1.0, 3.0, 5.0, 7.0], &[2.0, 4.0, 6.0, 8.0]);
        assert!((p - 0.685714).abs() < 1e-5, "{p}");
    }

    #[test]
    fn ties_use_the_corrected_normal_approximation() {
        // scipy.stats.mannwhitneyu([1,2,2,3,3,3], [3,4,4,5,5,6], method="asymptotic") -> p = 0.00873
        let p = mann_whitney_p(
            &[1.0, 2.0, 2.0, 3.0, 3.0, 3.0],
            &[3.0, 4.0, 4.0, 5.0, 5.0, 6.0],
        );
        assert!((p - 0.008733).abs() < 1e-5, "{p}");
        assert_eq!(mann_whitney_p(&[2.0; 5], &[2.0; 5]), 1.0);
    }
}
