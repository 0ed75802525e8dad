import HACore

/// HAProxy `stick-table` and `stick on|match|store-request` (§4.2), persistence subset.
extension ProxySectionParser {
    /// The most entries a table may hold: each loop keeps a copy, so the bound is kept modest.
    static let stickTableMaximumSize = 10_000_000

    /// `stick-table type ip|ipv6|integer|string [len N] size N [expire T] [nopurge] [peers NAME]`.
    func parseStickTable(_ statement: Statement) -> StickTable? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        var type: StickTable.KeyType?
        var length: Int?
        var size: Int?
        var expire: Duration?
        var nopurge = false
        var peers: String?
        var failed = false
        while let word = arguments.next() {
            switch word.text {
            case "type":
                guard let value = arguments.require("a key type (ip, ipv6, integer, string)") else { return nil }
                if value.text == "binary" {
                    diagnostics.error(at: arguments.location(of: value), keyword: "stick-table",
                                      UnsupportedKeywords.message("stick-table type binary", origin: .haproxy, reason: "use type string"))
                    return nil
                }
                guard let parsed = StickTable.KeyType(rawValue: value.text) else {
                    diagnostics.error(at: arguments.location(of: value), keyword: "stick-table", "expected a key type (ip, ipv6, integer, string), got '\(value.text)'",
                                      suggestion: KeywordSuggestion.nearest(to: value.text, in: StickTable.KeyType.allCases.map(\.rawValue)))
                    return nil
                }
                type = parsed
                if parsed == .string, arguments.peek?.text == "len" {
                    _ = arguments.next()
                    guard let value = arguments.integer("a key length in bytes", in: 1...65_535) else { return nil }
                    length = value
                }
            case "len":
                diagnostics.error(at: arguments.location(of: word), keyword: "stick-table", "'len' follows 'type string' (only string keys have a length)")
                return nil
            case "size":
                guard let value = arguments.require("a table size such as 100k") else { return nil }
                guard let parsed = SizeValue.parse(value.text), (1...Self.stickTableMaximumSize).contains(parsed) else {
                    diagnostics.error(at: arguments.location(of: value), keyword: "stick-table",
                                      "expected a table size from 1 to \(Self.stickTableMaximumSize) entries (k, m suffixes count 1024s), got '\(value.text)'")
                    return nil
                }
                size = parsed
            case "expire":
                guard let value = arguments.duration("an expiry", bare: .milliseconds) else { return nil }
                // HAProxy keeps expiry dates in a 32-bit millisecond tick.
                guard value <= .milliseconds(Int32.max) else {
                    diagnostics.error(at: arguments.location(of: statement.words[arguments.index - 1]), keyword: "stick-table",
                                      "expire must be at most 24d (2147483647 ms), got '\(statement.words[arguments.index - 1].text)'")
                    return nil
                }
                expire = value
            case "nopurge":
                nopurge = true
            case "peers":
                guard let value = arguments.require("the name of a peers section") else { return nil }
                peers = value.text
            case "store":
                diagnostics.error(at: arguments.location(of: word), keyword: "stick-table", UnsupportedKeywords.message(
                    "stick-table ... store", origin: .haproxy,
                    reason: "hactl's stick tables hold the server for stick rules only; counters for track-sc are not kept"))
                _ = arguments.rest()
                failed = true
            case "srvkey", "write-to":
                diagnostics.error(at: arguments.location(of: word), keyword: "stick-table", UnsupportedKeywords.message("stick-table ... \(word.text)", origin: .haproxy))
                return nil
            default:
                diagnostics.error(at: arguments.location(of: word), keyword: "stick-table", "unexpected '\(word.text)': expected type, size, expire, nopurge or peers",
                                  suggestion: KeywordSuggestion.nearest(to: word.text, in: ["type", "size", "expire", "nopurge", "peers", "store"]))
                return nil
            }
        }
        if failed { return nil }
        guard let type else {
            diagnostics.error(at: statement.endLocation, keyword: "stick-table", "missing 'type ip|ipv6|integer|string'")
            return nil
        }
        guard let size else {
            diagnostics.error(at: statement.endLocation, keyword: "stick-table", "missing 'size N' (the most entries the table holds)")
            return nil
        }
        if type == .string && length == nil { length = StickTable.defaultStringLength }
        return StickTable(name: name, type: type, length: length, size: size, expire: expire, nopurge: nopurge, peers: peers,
                          location: statement.location)
    }

    /// `stick on|match|store-request PATTERN [table NAME] [if|unless COND]`.
    func parseStickRule(_ statement: Statement) -> StickRule? {
        var arguments = ArgumentReader(statement, diagnostics: diagnostics)
        guard let verb = arguments.require("'on', 'match' or 'store-request'") else { return nil }
        let keyword = "stick \(verb.text)"
        arguments.keyword = keyword
        guard let kind = StickRule.Kind(rawValue: verb.text) else {
            if verb.text == "store-response" {
                diagnostics.error(at: arguments.location(of: verb), keyword: keyword, UnsupportedKeywords.message(
                    "stick store-response", origin: .haproxy, reason: "use stick on or store-request with a request sample"))
            } else {
                diagnostics.error(at: arguments.location(of: verb), keyword: "stick", "expected 'on', 'match' or 'store-request', got '\(verb.text)'",
                                  suggestion: KeywordSuggestion.nearest(to: verb.text, in: ["on", "match", "store-request"]))
            }
            return nil
        }
        guard let value = arguments.require("a sample such as src or req.cook(SERVERID)") else { return nil }
        let parser = LogFormatParser(what: "\(keyword) pattern", backendKnown: true) { offset in
            self.location(in: value, offset: offset, of: statement)
        }
        let pattern: SampleExpression
        do {
            pattern = try parser.parseExpression(value.text)
        } catch {
            diagnostics.error(at: location(in: value, offset: error.offset, of: statement), keyword: keyword, error.message, suggestion: error.suggestion)
            return nil
        }
        var table: String?
        var next = 3
        if arguments.peek?.text == "table" {
            _ = arguments.next()
            guard let name = arguments.require("the name of a section holding a stick-table") else { return nil }
            table = name.text
            next = 5
        }
        let (condition, ok) = parseCondition(statement, from: next, keyword: keyword)
        guard ok else { return nil }
        return StickRule(kind: kind, pattern: pattern, table: table, condition: condition, location: statement.location)
    }
}
