/// Time values as the two dialects write them.
///
/// HAProxy (configuration manual §2.5): an integer with an optional unit `us`, `ms`, `s`, `m`,
/// `h`, `d`; a bare number is in milliseconds unless the keyword says otherwise.
/// keepalived: a number of seconds, possibly decimal (`advert_int 0.5`). hactl accepts HAProxy's
/// units on keepalived keywords too (`advert_int 500ms`).
enum TimeValue {
    /// The unit a bare number means.
    enum BareUnit {
        case milliseconds
        case seconds
    }

    /// Parses `text`; `nil` if it is not a non-negative time value.
    static func parse(_ text: String, bare: BareUnit) -> Duration? {
        var digits = Substring(text)
        var unit = Substring("")
        while let last = digits.last, last.isLetter {
            unit.insert(last, at: unit.startIndex)
            digits.removeLast()
        }
        guard !digits.isEmpty, digits.first != "-", digits.first != "+" else { return nil }
        let microsecondsPerUnit: Int64
        switch unit {
        case "": microsecondsPerUnit = bare == .seconds ? 1_000_000 : 1000
        case "us": microsecondsPerUnit = 1
        case "ms": microsecondsPerUnit = 1000
        case "s": microsecondsPerUnit = 1_000_000
        case "m": microsecondsPerUnit = 60_000_000
        case "h": microsecondsPerUnit = 3_600_000_000
        case "d": microsecondsPerUnit = 86_400_000_000
        default: return nil
        }
        // Whole part and up to six decimals, computed in microseconds to stay exact.
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0].isEmpty && parts.count == 2 ? "0" : String(parts[0])), whole >= 0 else { return nil }
        var fractionMicros: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 6, fraction.allSatisfy(\.isASCII), let value = Int64(fraction) else { return nil }
            var scale: Int64 = 1
            for _ in 0..<fraction.count { scale *= 10 }
            let product = value.multipliedReportingOverflow(by: microsecondsPerUnit)
            guard !product.overflow else { return nil }
            fractionMicros = product.partialValue / scale
        }
        let total = whole.multipliedReportingOverflow(by: microsecondsPerUnit)
        guard !total.overflow, total.partialValue <= Int64.max - fractionMicros else { return nil }
        return .microseconds(total.partialValue + fractionMicros)
    }

    /// The shortest exact HAProxy spelling: `5s`, `1m`, `1500ms`, `250us`.
    static func format(_ duration: Duration) -> String {
        let micros = duration.microseconds
        if micros == 0 { return "0s" }
        for (unit, size) in [("d", Int64(86_400_000_000)), ("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1000)] where micros % size == 0 {
            return "\(micros / size)\(unit)"
        }
        return "\(micros)us"
    }

    /// keepalived's spelling in seconds: `1`, `0.5`, `2.25`.
    static func formatSeconds(_ duration: Duration) -> String {
        let micros = duration.microseconds
        let whole = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction == 0 { return "\(whole)" }
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "\(whole).\(padded)"
    }
}

/// HAProxy sizes: an integer with an optional `k`, `m` or `g` suffix (powers of 1024).
enum SizeValue {
    static func parse(_ text: String) -> Int? {
        var digits = Substring(text.lowercased())
        var multiplier = 1
        switch digits.last {
        case "k": multiplier = 1024
        case "m": multiplier = 1024 * 1024
        case "g": multiplier = 1024 * 1024 * 1024
        default: break
        }
        if multiplier != 1 { digits.removeLast() }
        guard let value = Int(digits), value >= 0 else { return nil }
        let product = value.multipliedReportingOverflow(by: multiplier)
        return product.overflow ? nil : product.partialValue
    }
}
