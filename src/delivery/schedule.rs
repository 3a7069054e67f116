//! When a digest period is due: the configured weekday and hour in Amsterdam time, weekly
//! always and monthly at the first moment of a month.

use chrono::{DateTime, Datelike, Duration, Utc};

use crate::entities::subscriber;

/// The most recent digest moment at or before `now`: the configured weekday and hour in
/// Amsterdam time.
pub fn last_slot(now: DateTime<Utc>, weekday: u32, hour: u32) -> DateTime<Utc> {
    use chrono::{NaiveTime, TimeZone};
    let tz = chrono_tz::Europe::Amsterdam;
    let local = now.with_timezone(&tz);
    let weekday = weekday.clamp(1, 7);
    let back = (local.weekday().number_from_monday() + 7 - weekday) % 7;
    let time = NaiveTime::from_hms_opt(std::cmp::min(hour, 23), 0, 0).unwrap_or(NaiveTime::MIN);
    for extra in [0, 7] {
        let day = local.date_naive() - Duration::days(i64::from(back) + extra);
        if let Some(slot) = tz.from_local_datetime(&day.and_time(time)).earliest() {
            let slot = slot.with_timezone(&Utc);
            if slot <= now {
                return slot;
            }
        }
    }
    now
}

/// The digest moment that is due at `now`, and which frequencies it serves: weekly always,
/// monthly at the first moment of a month. The server's schedule and `erbij digest run`
/// both use it, so they compose the same periods.
pub fn due_now(now: DateTime<Utc>, weekday: u32, hour: u32) -> (DateTime<Utc>, Vec<&'static str>) {
    let slot = last_slot(now, weekday, hour);
    let mut frequencies = vec![subscriber::WEEKLY];
    if slot.with_timezone(&chrono_tz::Europe::Amsterdam).day() <= 7 {
        frequencies.push(subscriber::MONTHLY);
    }
    (slot, frequencies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
            .single()
            .expect("a valid time")
    }

    #[test]
    fn the_digest_moment_is_monday_eight_in_amsterdam() {
        // Wednesday 25 November 2026, 12:00 UTC → Monday 23 November, 08:00 CET = 07:00 UTC.
        let now = utc(2026, 11, 25, 12, 0);
        assert_eq!(last_slot(now, 1, 8), utc(2026, 11, 23, 7, 0));
        // Monday 06:30 UTC is before the moment: the week before counts.
        let early = utc(2026, 11, 23, 6, 30);
        assert_eq!(last_slot(early, 1, 8), utc(2026, 11, 16, 7, 0));
        // Summer time: 08:00 CEST = 06:00 UTC.
        let summer = utc(2026, 7, 1, 12, 0);
        assert_eq!(last_slot(summer, 1, 8), utc(2026, 6, 29, 6, 0));
    }
}
