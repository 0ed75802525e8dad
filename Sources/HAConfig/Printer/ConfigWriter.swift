/// Builds hactl.conf text: section headers at column 0, keyword lines indented by four
/// blanks, words quoted so `LineLexer` reads them back unchanged.
struct ConfigWriter {
    private(set) var text = ""

    mutating func section(_ words: String...) {
        if !text.isEmpty { text += "\n" }
        text += words.map(Self.quote).joined(separator: " ") + "\n"
    }

    /// One keyword line; `nil` words are skipped.
    mutating func line(_ words: [String?]) {
        text += "    " + words.compactMap { $0 }.map(Self.quote).joined(separator: " ") + "\n"
    }

    mutating func line(_ words: String?...) {
        line(words)
    }

    /// An indented `# text` line; a line break in `text` starts another comment line.
    mutating func comment(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { self.text += "    # \(line)\n" }
    }

    mutating func appendRaw(_ raw: String) {
        text += raw
    }

    /// A word as HAProxy's lexer needs it: bare when it has nothing special, else in double
    /// quotes with `\`, `"`, `$` and control characters escaped (configuration manual §2.2).
    static func quote(_ word: String) -> String {
        let special: Set<Character> = [" ", "\t", "\"", "'", "#", "\\", "\r", "\n", "\r\n"]
        let needsQuotes = word.isEmpty || word.contains(where: { special.contains($0) }) || word.contains("${") || word.contains("$")
        guard needsQuotes else { return word }
        var quoted = "\""
        for character in word {
            switch character {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case "$": quoted += "\\$"
            case "\r\n": quoted += "\\r\\n"
            case "\r": quoted += "\\r"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}
