import HACore

/// One word of a configuration line after quotes, escapes and environment variables were
/// resolved, with the position of its first character.
struct Word: Sendable, Equatable {
    var text: String
    var line: Int
    var column: Int
    /// The column just after the word's last raw character (quotes and escapes included).
    var endColumn: Int
    /// The source column of each character of `text`, kept only when quotes, escapes or an
    /// environment variable moved them (`nil`: character `i` is at `column + i`). Errors inside a
    /// value, such as an unknown fetch in a log-format string, point at the character with it.
    var columns: [Int]?

    init(text: String, line: Int, column: Int, endColumn: Int? = nil, columns: [Int]? = nil) {
        self.text = text
        self.line = line
        self.column = column
        self.endColumn = endColumn ?? column + text.count
        self.columns = columns
    }

    /// The column of the character at `offset` in `text` (the end of the word past the last one).
    func column(atOffset offset: Int) -> Int {
        guard let columns else { return column + offset }
        return offset < columns.count ? columns[offset] : endColumn
    }
}

/// One configuration statement: a keyword and its arguments on one line, and for keepalived's
/// brace syntax the statements of the `{ }` block that follows it.
struct Statement: Sendable, Equatable {
    var file: String
    var words: [Word]
    var block: [Statement]?

    var keyword: Word { words[0] }
    var arguments: ArraySlice<Word> { words.dropFirst() }
    var location: SourceLocation { location(of: keyword) }

    func location(of word: Word) -> SourceLocation {
        SourceLocation(file: file, line: word.line, column: word.column)
    }

    /// The location just after the last word: where a missing argument was expected.
    var endLocation: SourceLocation {
        let last = words[words.count - 1]
        return SourceLocation(file: file, line: last.line, column: last.endColumn + 1)
    }
}

/// A section header (`backend web`, `vrrp_instance VI_1`) and the statements below it.
struct SectionSource: Sendable, Equatable {
    var header: Statement
    var body: [Statement]
}
