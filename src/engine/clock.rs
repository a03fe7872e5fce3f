//! Virtual time: Unix milliseconds, and the calendar formatting Redis uses in
//! its log lines (`22 Nov 2026 02:31:56.123`).

/// Where every simulation's clock starts: 2026-01-01 00:00:00 UTC, in Unix ms.
/// Absolute TTLs therefore have 13 digits, as in real replication traffic.
pub const START_MS: u64 = 1_767_225_600_000;

/// Milliseconds in one second.
pub const SECOND: u64 = 1000;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Civil date (year, month 1-12, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Formats `ms` as Redis's log timestamp, `%d %b %Y %H:%M:%S.mmm` in UTC.
pub fn log_timestamp(ms: u64) -> String {
    let secs = (ms / 1000) as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let tod = secs.rem_euclid(86_400);
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        d,
        MONTHS[(m - 1) as usize],
        y,
        tod / 3600,
        tod % 3600 / 60,
        tod % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_is_new_year_2026() {
        assert_eq!(log_timestamp(START_MS), "01 Jan 2026 00:00:00.000");
        assert_eq!(log_timestamp(START_MS + 86_400_000 * 59 + 3_723_004), "01 Mar 2026 01:02:03.004");
    }
}
