//! Resident memory of a process (`"self"` or a pid), from `/proc` (Linux), in KiB; 0 when
//! unknown. Shared by the benchmarks that report memory.

pub fn kib(process: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{process}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
