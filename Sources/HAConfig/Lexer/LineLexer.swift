import HACore

/// Cuts hactl.conf / haproxy.cfg lines into words the way HAProxy does (configuration manual
/// §2.2 "Quoting and escaping", §2.3 "Environment variables"):
///
/// - blanks separate words; `#` outside quotes starts a comment;
/// - `\` escapes a blank, `#`, `\`, `'`, `"` or `$`, and writes `\n`, `\r`, `\t`, `\xNN`;
/// - `"..."` protects blanks, `'` and `#`, and expands `$NAME`, `${NAME}`, `${NAME-default}`
///   and `${NAME[*]}` (one word per blank-separated value);
/// - `'...'` protects everything.
///
/// Unlike HAProxy, an unset variable without a default is an error, not an empty word.
struct LineLexer {
    let file: String
    let environment: [String: String]

    /// The statements of `text`, one per non-empty line, and every lexical error.
    func statements(of text: String) -> (statements: [Statement], errors: [ConfigError]) {
        var statements: [Statement] = []
        var errors: [ConfigError] = []
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var raw = Substring(line)
            if raw.last == "\r" { raw = raw.dropLast() }
            let (words, lineErrors) = self.words(of: raw, line: lineNumber)
            errors += lineErrors
            if !words.isEmpty {
                statements.append(Statement(file: file, words: words, block: nil))
            }
        }
        return (statements, errors)
    }

    private enum Quote {
        case none, weak, strong
    }

    /// The words of one line.
    func words(of line: Substring, line lineNumber: Int) -> ([Word], [ConfigError]) {
        let characters = Array(line)
        var words: [Word] = []
        var errors: [ConfigError] = []
        var current = ""
        // The source column of each character of `current`.
        var columns: [Int] = []
        var inWord = false
        var wordColumn = 1
        var quote = Quote.none
        var quoteColumn = 0
        var index = 0

        func location(_ column: Int) -> SourceLocation {
            SourceLocation(file: file, line: lineNumber, column: column)
        }
        func startWord(at column: Int) {
            if !inWord {
                inWord = true
                wordColumn = column
            }
        }
        func finishWord(endColumn: Int) {
            if inWord {
                // `${NAME[*]}` ends a word in the middle of a step: its last characters came from the `$`.
                if columns.count < current.count { columns += repeatElement(columns.last ?? wordColumn, count: current.count - columns.count) }
                let shifted = columns.enumerated().contains { $0.element != wordColumn + $0.offset }
                words.append(Word(text: current, line: lineNumber, column: wordColumn, endColumn: endColumn, columns: shifted ? columns : nil))
            }
            current = ""
            columns = []
            inWord = false
        }

        while index < characters.count {
            let character = characters[index]
            let column = index + 1
            // Every character this step adds to the word came from `column`.
            defer {
                let added = current.count - columns.count
                if added > 0 { columns += repeatElement(column, count: added) }
            }
            switch quote {
            case .strong:
                if character == "'" { quote = .none } else { current.append(character) }
                index += 1
            case .weak:
                if character == "\"" {
                    quote = .none
                    index += 1
                } else if character == "\\" {
                    index = escape(characters, at: index, into: &current, errors: &errors, location: location(column))
                } else if character == "$" {
                    let expansion = expand(characters, at: index, location: location(column))
                    index = expansion.next
                    if let error = expansion.error { errors.append(error) }
                    if let splitWords = expansion.words {
                        // `${NAME[*]}`: each value becomes its own word.
                        for (offset, value) in splitWords.enumerated() {
                            if offset > 0 { finishWord(endColumn: index + 1); startWord(at: column) }
                            current += value
                        }
                    } else {
                        current += expansion.text
                    }
                } else {
                    current.append(character)
                    index += 1
                }
            case .none:
                if character == " " || character == "\t" {
                    finishWord(endColumn: column)
                    index += 1
                } else if character == "#" {
                    index = characters.count
                } else if character == "\\" {
                    startWord(at: column)
                    if index + 1 == characters.count {
                        errors.append(ConfigError(
                            location: location(column), keyword: "\\",
                            message: "a line cannot end with a backslash: hactl, like HAProxy, has no line continuation"
                        ))
                        index += 1
                    } else {
                        index = escape(characters, at: index, into: &current, errors: &errors, location: location(column))
                    }
                } else if character == "\"" || character == "'" {
                    startWord(at: column)
                    quote = character == "\"" ? .weak : .strong
                    quoteColumn = column
                    index += 1
                } else {
                    if character == "$", index + 1 < characters.count, characters[index + 1] == "{" {
                        errors.append(ConfigError(
                            location: location(column), keyword: "$",
                            message: "environment variables are expanded only inside double quotes: write \"${...}\""
                        ))
                    }
                    startWord(at: column)
                    current.append(character)
                    index += 1
                }
            }
        }
        if quote != .none {
            errors.append(ConfigError(
                location: location(quoteColumn), keyword: quote == .weak ? "\"" : "'",
                message: "unterminated quote: expected a closing \(quote == .weak ? "\"" : "'") before the end of the line"
            ))
        }
        finishWord(endColumn: characters.count + 1)
        return (words, errors)
    }

    /// Resolves the backslash escape at `index`; returns the index after it.
    private func escape(_ characters: [Character], at index: Int, into current: inout String, errors: inout [ConfigError], location: SourceLocation) -> Int {
        guard index + 1 < characters.count else {
            current.append("\\")
            return index + 1
        }
        let next = characters[index + 1]
        switch next {
        case " ", "\t", "#", "\\", "'", "\"", "$":
            current.append(next)
        case "n":
            current.append("\n")
        case "r":
            current.append("\r")
        case "t":
            current.append("\t")
        case "x":
            let digits = characters.dropFirst(index + 2).prefix(2)
            if digits.count == 2, let value = UInt8(String(digits), radix: 16) {
                current.unicodeScalars.append(Unicode.Scalar(value))
                return index + 4
            }
            errors.append(ConfigError(location: location, keyword: "\\x", message: "expected two hexadecimal digits after \\x"))
            return index + 2
        default:
            // HAProxy keeps unknown escapes as they are (regular expressions rely on it).
            current.append("\\")
            current.append(next)
        }
        return index + 2
    }

    private struct Expansion {
        var text = ""
        var words: [String]?
        var next: Int
        var error: ConfigError?
    }

    /// Expands `$NAME`, `${NAME}`, `${NAME-default}` or `${NAME[*]}` starting at the `$`.
    private func expand(_ characters: [Character], at index: Int, location: SourceLocation) -> Expansion {
        func isNameCharacter(_ character: Character, first: Bool) -> Bool {
            character == "_" || character == "." || (character.isASCII && (character.isLetter || (!first && character.isNumber)))
        }
        var cursor = index + 1
        if cursor < characters.count, characters[cursor] == "{" {
            guard let close = characters[cursor...].firstIndex(of: "}") else {
                return Expansion(text: "", next: characters.count, error: ConfigError(
                    location: location, keyword: "${", message: "expected '}' to close the environment variable"))
            }
            var body = String(characters[(cursor + 1)..<close])
            var fallback: String?
            var split = false
            if body.hasSuffix("[*]") {
                split = true
                body.removeLast(3)
            }
            if let dash = body.firstIndex(of: "-") {
                fallback = String(body[body.index(after: dash)...])
                body = String(body[..<dash])
            }
            guard !body.isEmpty, body.enumerated().allSatisfy({ isNameCharacter($0.element, first: $0.offset == 0) }) else {
                return Expansion(text: "", next: close + 1, error: ConfigError(
                    location: location, keyword: "${\(body)}", message: "expected an environment variable name (letters, digits, '_')"))
            }
            guard let value = environment[body] ?? fallback else {
                return Expansion(text: "", next: close + 1, error: ConfigError(
                    location: location, keyword: "${\(body)}",
                    message: "environment variable '\(body)' is not set; give a default with \"${\(body)-value}\" or set it"))
            }
            if split {
                return Expansion(words: value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init), next: close + 1)
            }
            return Expansion(text: value, next: close + 1)
        }
        var name = ""
        while cursor < characters.count, isNameCharacter(characters[cursor], first: name.isEmpty) {
            name.append(characters[cursor])
            cursor += 1
        }
        if name.isEmpty {
            // A lone `$` stays a dollar sign.
            return Expansion(text: "$", next: index + 1)
        }
        guard let value = environment[name] else {
            return Expansion(text: "", next: cursor, error: ConfigError(
                location: location, keyword: "$\(name)",
                message: "environment variable '\(name)' is not set; give a default with \"${\(name)-value}\" or set it"))
        }
        return Expansion(text: value, next: cursor)
    }
}
