import Foundation

/// Timestamps in UTC, formatted by hand: Foundation's formatters cost tens of microseconds a
/// call, which a page of 50 messages or a busy room's frames would pay many times over.
enum UTCTime {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (ISO 8601).
    static func iso8601(_ date: Date) -> String {
        let (parts, milliseconds) = split(date)
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(milliseconds, 3))Z"
    }

    /// `HH:MM`, 24-hour.
    static func hourMinute(_ date: Date) -> String {
        let (parts, _) = split(date)
        return "\(pad(parts.tm_hour)):\(pad(parts.tm_min))"
    }

    private static func split(_ date: Date) -> (tm, Int) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return (parts, Int(milliseconds - Int64(seconds) * 1000))
    }

    private static func pad(_ value: some BinaryInteger, _ width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
