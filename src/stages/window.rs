//! Overlapping windows over a token sequence longer than the model accepts. Each token is
//! *owned* by exactly one window (overlaps are cut at half the stride), so its prediction comes
//! from the window where it has the most context on both sides. Nothing is truncated.

/// Token ranges of one window: `[start, end)` is fed to the model, `[own_start, own_end)` is
/// the part whose predictions count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: usize,
    pub end: usize,
    pub own_start: usize,
    pub own_end: usize,
}

/// Windows of at most `max_tokens` content tokens over `n` tokens, consecutive windows sharing
/// `stride_tokens` tokens. `stride_tokens` must be smaller than `max_tokens`.
pub fn plan(n: usize, max_tokens: usize, stride_tokens: usize) -> Vec<Window> {
    assert!(max_tokens > 0 && stride_tokens < max_tokens, "window: need 0 <= stride < max_tokens");
    if n <= max_tokens {
        return vec![Window { start: 0, end: n, own_start: 0, own_end: n }];
    }
    let step = max_tokens - stride_tokens;
    let mut starts = vec![0];
    while starts.last().expect("non-empty") + max_tokens < n {
        starts.push(starts.last().expect("non-empty") + step);
    }
    let k = starts.len();
    // The last window is pulled back to end at n (full context), so overlaps may vary.
    starts[k - 1] = n - max_tokens;
    let mut out = Vec::with_capacity(k);
    for i in 0..k {
        let start = starts[i];
        let end = start + max_tokens;
        let own_start = if i == 0 { 0 } else { out.last().map(|w: &Window| w.own_end).expect("previous window") };
        let own_end = if i + 1 == k { n } else { (end + starts[i + 1]) / 2 };
        out.push(Window { start, end, own_start, own_end });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_is_one_window() {
        assert_eq!(plan(5, 8, 2), vec![Window { start: 0, end: 5, own_start: 0, own_end: 5 }]);
        assert_eq!(plan(0, 8, 2).len(), 1);
    }

    #[test]
    fn example() {
        let w = plan(20, 8, 4);
        assert_eq!(w[0], Window { start: 0, end: 8, own_start: 0, own_end: 6 });
        assert_eq!(w[1], Window { start: 4, end: 12, own_start: 6, own_end: 10 });
        assert_eq!(w.last().unwrap().end, 20);
    }

    proptest! {
        #[test]
        fn every_token_owned_once(n in 0usize..2000, max in 1usize..300, stride_frac in 0.0f64..0.9) {
            let stride = ((max as f64) * stride_frac) as usize;
            let ws = plan(n, max, stride);
            let mut next = 0;
            for w in &ws {
                prop_assert!(w.end - w.start <= max);
                prop_assert!(w.start <= w.own_start && w.own_end <= w.end);
                prop_assert_eq!(w.own_start, next);
                next = w.own_end;
            }
            prop_assert_eq!(next, n);
        }
    }
}
