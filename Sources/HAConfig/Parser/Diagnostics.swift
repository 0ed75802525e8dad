import HACore

/// Collects every error of a parse so all of them are reported at once.
final class Diagnostics {
    private(set) var errors: [ConfigError] = []
    private(set) var warnings: [ConfigWarning] = []

    func warning(at location: SourceLocation, keyword: String, _ message: String) {
        warnings.append(ConfigWarning(location: location, keyword: keyword, message: message))
    }

    func error(at location: SourceLocation, keyword: String, _ message: String, suggestion: String? = nil) {
        errors.append(ConfigError(location: location, keyword: keyword, message: message, suggestion: suggestion))
    }

    func append(contentsOf more: [ConfigError]) {
        errors += more
    }

    /// An unknown keyword, with the nearest known one as a suggestion.
    func unknownKeyword(_ word: Word, in statement: Statement, section: String, candidates: some Sequence<String>) {
        error(
            at: statement.location(of: word), keyword: word.text,
            "unknown keyword in '\(section)' section",
            suggestion: KeywordSuggestion.nearest(to: word.text, in: candidates)
        )
    }
}

/// Reads a statement's arguments one by one, reporting missing, malformed and extra ones.
struct ArgumentReader {
    let statement: Statement
    let diagnostics: Diagnostics
    /// The keyword as errors name it (`timeout connect`, `option httpchk`).
    var keyword: String
    private(set) var index: Int

    init(_ statement: Statement, diagnostics: Diagnostics, keyword: String? = nil, skipping count: Int = 1) {
        self.statement = statement
        self.diagnostics = diagnostics
        self.keyword = keyword ?? statement.keyword.text
        self.index = count
    }

    var isAtEnd: Bool { index >= statement.words.count }
    var peek: Word? { isAtEnd ? nil : statement.words[index] }
    var remaining: ArraySlice<Word> { statement.words[min(index, statement.words.count)...] }

    mutating func next() -> Word? {
        guard !isAtEnd else { return nil }
        defer { index += 1 }
        return statement.words[index]
    }

    /// The next word, or an error "expected WHAT" where it should have been.
    mutating func require(_ what: String) -> Word? {
        if let word = next() { return word }
        diagnostics.error(at: statement.endLocation, keyword: keyword, "expected \(what)")
        return nil
    }

    /// Reports the first extra word, if any.
    func expectEnd(_ what: String = "the end of the line") {
        if let extra = peek {
            diagnostics.error(at: location(of: extra), keyword: keyword, "unexpected '\(extra.text)': expected \(what)")
        }
    }

    /// Consumes the rest of the words.
    mutating func rest() -> [Word] {
        defer { index = statement.words.count }
        return Array(remaining)
    }

    func location(of word: Word) -> SourceLocation { statement.location(of: word) }

    // MARK: typed values

    mutating func integer(_ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let word = require(what) else { return nil }
        return integer(word, what, in: range)
    }

    func integer(_ word: Word, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = Int(word.text) else {
            diagnostics.error(at: location(of: word), keyword: keyword, "expected \(what) (an integer from \(range.lowerBound) to \(range.upperBound)), got '\(word.text)'")
            return nil
        }
        guard range.contains(value) else {
            diagnostics.error(at: location(of: word), keyword: keyword, "\(what) must be from \(range.lowerBound) to \(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    mutating func duration(_ what: String, bare: TimeValue.BareUnit) -> Duration? {
        guard let word = require(what) else { return nil }
        return duration(word, what, bare: bare)
    }

    func duration(_ word: Word, _ what: String, bare: TimeValue.BareUnit) -> Duration? {
        guard let value = TimeValue.parse(word.text, bare: bare) else {
            let example = bare == .seconds ? "2, 0.5 or 500ms" : "5s, 500ms or 1m"
            diagnostics.error(at: location(of: word), keyword: keyword, "expected \(what) such as \(example), got '\(word.text)'")
            return nil
        }
        return value
    }

    /// A port 1–65535.
    func port(_ word: Word) -> Int? {
        integer(word, "a port", in: 1...65535)
    }
}
