//! Formatting of figures and durations, shared by every stage downstream of
//! the rules. A leaf module: it imports nothing of gate's.

use std::time::Duration;

/// Formats a metric value without noise: 3, 0.25, 12.5.
pub fn fmt_num(value: f64) -> String {
    let value = if value == 0.0 { 0.0 } else { value }; // no "-0"
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        let s = format!("{value:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// `10m`, `90s`, `1.5s`: a duration as a Go user writes it.
pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 && s.fract() == 0.0 && (s as u64).is_multiple_of(60) {
        format!("{}m", s as u64 / 60)
    } else if s.fract() == 0.0 {
        format!("{}s", s as u64)
    } else {
        format!("{}s", fmt_num(s))
    }
}
