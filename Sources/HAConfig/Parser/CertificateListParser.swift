#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HACore

/// Reads a `crt-list` file: one certificate per line, `PATH [OPTIONS] [[!]SNI ...]`, `#`
/// comments and blank lines skipped. Bracket options hactl applies per certificate are
/// `alpn`, `ssl-min-ver`, `ssl-max-ver`, `ciphers`, `ciphersuites`; any other is refused at
/// the crt-list's file:line.
struct CertificateListParser {
    let diagnostics: Diagnostics
    let crtBase: String?

    static let bracketOptions = ["alpn", "ssl-min-ver", "ssl-max-ver", "ciphers", "ciphersuites"]

    /// The entries of `path`, or nil after reporting why not (at `origin`, the bind's option).
    func parse(_ path: String, origin: SourceLocation) -> [CertificateListEntry]? {
        guard let text = Self.read(path) else {
            diagnostics.error(at: origin, keyword: "bind", "cannot read crt-list '\(path)': \(String(cString: strerror(errno)))")
            return nil
        }
        var entries: [CertificateListEntry] = []
        var failed = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let location = SourceLocation(file: path, line: index + 1)
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#"), hash == line.startIndex || line[line.index(before: hash)].isWhitespace {
                line = line[..<hash]
            }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let first = words.first else { continue }
            if let entry = parseLine(first: first, rest: Array(words.dropFirst()), location: location) {
                entries.append(entry)
            } else {
                failed = true
            }
        }
        if entries.isEmpty, !failed {
            diagnostics.error(at: origin, keyword: "bind", "crt-list '\(path)' names no certificate")
            return nil
        }
        return failed ? nil : entries
    }

    private func parseLine(first: String, rest: [String], location: SourceLocation) -> CertificateListEntry? {
        let path = first.hasPrefix("/") || crtBase == nil ? first : (crtBase!.hasSuffix("/") ? crtBase! + first : crtBase! + "/" + first)
        var entry = CertificateListEntry(path: path, location: location)
        var words = rest[...]
        if let open = words.first, open.hasPrefix("[") {
            var options: [String] = []
            var closed = false
            while let word = words.popFirst() {
                var text = Substring(word)
                if text.hasPrefix("[") { text = text.dropFirst() }
                if text.hasSuffix("]") {
                    text = text.dropLast()
                    closed = true
                }
                if !text.isEmpty { options.append(String(text)) }
                if closed { break }
            }
            guard closed else {
                diagnostics.error(at: location, keyword: "crt-list", "'[' without its ']': options are written as [alpn h2,http/1.1 ssl-min-ver TLSv1.2]")
                return nil
            }
            var optionWords = options[...]
            while let option = optionWords.popFirst() {
                guard Self.bracketOptions.contains(option) else {
                    let message = UnsupportedKeywords.bindOptions[option] != nil || ["verify", "ca-file", "crl-file", "curves", "ecdhe", "npn", "no-ca-names", "allow-0rtt", "ocsp-update"].contains(option)
                        ? UnsupportedKeywords.message("crt-list [\(option)]", origin: .haproxy, reason: "per-certificate options are alpn, ssl-min-ver, ssl-max-ver, ciphers and ciphersuites")
                        : "unknown crt-list option '\(option)'"
                    diagnostics.error(at: location, keyword: "crt-list", message,
                                      suggestion: KeywordSuggestion.nearest(to: option, in: Self.bracketOptions))
                    return nil
                }
                guard let value = optionWords.popFirst() else {
                    diagnostics.error(at: location, keyword: "crt-list", "'\(option)' needs a value")
                    return nil
                }
                switch option {
                case "alpn": entry.alpn = value.split(separator: ",").map(String.init)
                case "ssl-min-ver", "ssl-max-ver":
                    guard ProxySectionParser.tlsVersions.contains(value) else {
                        diagnostics.error(at: location, keyword: "crt-list", "'\(option)' expects TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3, got '\(value)'")
                        return nil
                    }
                    if option == "ssl-min-ver" { entry.sslMinVer = value } else { entry.sslMaxVer = value }
                case "ciphers": entry.ciphers = value
                default: entry.ciphersuites = value
                }
            }
        }
        for filter in words {
            let name = filter.hasPrefix("!") ? String(filter.dropFirst()) : filter
            guard !name.isEmpty, HostNameText.isValid(name.hasPrefix("*.") ? String(name.dropFirst(2)) : name) else {
                diagnostics.error(at: location, keyword: "crt-list", "expected an SNI filter (a host name, *.domain, or !name to exclude), got '\(filter)'")
                return nil
            }
            entry.sniFilters.append(filter.lowercased())
        }
        return entry
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[0..<count]
            if bytes.count > 4 << 20 { return nil }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
