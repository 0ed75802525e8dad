import HACore

/// Reads keepalived.conf's brace syntax (keepalived.conf(5)): words separated by blanks,
/// `#` or `!` start a comment, `"..."` groups words, and `KEYWORD ... {` opens a block of
/// statements closed by `}`. Blocks may sit on one line (`group { VI_1 VI_2 }`).
///
/// keepalived's own `$NAME` parameters and `@host` conditionals are not read: they stay text,
/// and the parser reports them as unexpected values.
struct KeepalivedLexer {
    let file: String

    private struct Frame {
        var header: Statement?
        var items: [Statement]
    }

    /// The top-level statements of `text`, each with its nested block, and every lexical error.
    func statements(of text: String) -> (statements: [Statement], errors: [ConfigError]) {
        var stack = [Frame(header: nil, items: [])]
        var errors: [ConfigError] = []
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var words: [Word] = []
            func flush() {
                if !words.isEmpty {
                    stack[stack.count - 1].items.append(Statement(file: file, words: words, block: nil))
                    words = []
                }
            }
            var lineTokens = tokens(of: Array(line), line: lineNumber, errors: &errors)
            if let first = lineTokens.first, !first.quoted, first.text.hasPrefix("@") || (first.text.hasPrefix("$") && first.text.contains("=")) {
                let conditional = first.text.hasPrefix("@")
                errors.append(ConfigError(
                    location: SourceLocation(file: file, line: lineNumber, column: first.word.column), keyword: first.text,
                    message: conditional
                        ? "`@NAME` conditional lines are a keepalived feature hactl does not support: give each node the lines it needs, or use 'hactl run --role'"
                        : "`$NAME=value` parameters are a keepalived feature hactl does not support: hactl.conf expands \"${NAME}\" environment variables instead"))
                // Read the rest of a conditional line as if it applied, so its braces still pair up.
                if conditional { lineTokens.removeFirst() } else { continue }
            }
            for token in lineTokens {
                if token.text == "{" && !token.quoted {
                    var header: Statement
                    if !words.isEmpty {
                        header = Statement(file: file, words: words, block: nil)
                        words = []
                    } else if let previous = stack[stack.count - 1].items.last, previous.block == nil {
                        header = stack[stack.count - 1].items.removeLast()
                    } else {
                        errors.append(ConfigError(
                            location: SourceLocation(file: file, line: lineNumber, column: token.word.column),
                            keyword: "{", message: "a block must follow a keyword, as in 'virtual_ipaddress {'"))
                        header = Statement(file: file, words: [Word(text: "{", line: lineNumber, column: token.word.column)], block: nil)
                    }
                    header.block = []
                    stack.append(Frame(header: header, items: []))
                } else if token.text == "}" && !token.quoted {
                    flush()
                    if stack.count == 1 {
                        errors.append(ConfigError(
                            location: SourceLocation(file: file, line: lineNumber, column: token.word.column),
                            keyword: "}", message: "this '}' closes no block"))
                    } else {
                        let frame = stack.removeLast()
                        var header = frame.header!
                        header.block = frame.items
                        stack[stack.count - 1].items.append(header)
                    }
                } else {
                    words.append(token.word)
                }
            }
            flush()
        }
        while stack.count > 1 {
            let frame = stack.removeLast()
            var header = frame.header!
            errors.append(ConfigError(
                location: header.location, keyword: header.keyword.text,
                message: "the block opened here is never closed: expected '}'"))
            header.block = frame.items
            stack[stack.count - 1].items.append(header)
        }
        return (stack[0].items, errors)
    }

    private struct Token {
        var word: Word
        var quoted: Bool
        var text: String { word.text }
    }

    private func tokens(of characters: [Character], line: Int, errors: inout [ConfigError]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let column = index + 1
            if character == " " || character == "\t" || character == "\r" {
                index += 1
            } else if character == "#" || character == "!" {
                break
            } else if character == "{" || character == "}" {
                tokens.append(Token(word: Word(text: String(character), line: line, column: column), quoted: false))
                index += 1
            } else if character == "\"" {
                guard let close = characters[(index + 1)...].firstIndex(of: "\"") else {
                    errors.append(ConfigError(
                        location: SourceLocation(file: file, line: line, column: column), keyword: "\"",
                        message: "unterminated quote: expected a closing \" before the end of the line"))
                    tokens.append(Token(word: Word(text: String(characters[(index + 1)...]), line: line, column: column, endColumn: characters.count + 1), quoted: true))
                    break
                }
                tokens.append(Token(word: Word(text: String(characters[(index + 1)..<close]), line: line, column: column, endColumn: close + 2), quoted: true))
                index = close + 1
            } else {
                var end = index
                while end < characters.count, !" \t\r{}\"".contains(characters[end]) { end += 1 }
                tokens.append(Token(word: Word(text: String(characters[index..<end]), line: line, column: column, endColumn: end + 1), quoted: false))
                index = end
            }
        }
        return tokens
    }
}
