/// Splits a command line into words with shell-like quoting: `"double"` and `'single'` quotes
/// group words, and a backslash escapes the next character (outside single quotes).
public enum CommandTokenizer {
    /// Every word of `line`.
    /// - Throws: ``ValidationError`` for an unbalanced quote or a trailing backslash.
    public static func split(_ line: String) throws -> [String] {
        try leadingWords(line, count: .max).words
    }

    /// Free text after the words a command takes: used as typed (so "it's" needs no quoting),
    /// unless it is one quoted string, whose quotes are removed.
    public static func text(_ rest: Substring) throws -> String {
        let trimmed = String(rest).trimmingWhitespace()
        guard let first = trimmed.first, first == "\"" || first == "'",
              let words = try? split(trimmed), words.count == 1
        else { return trimmed }
        return words[0]
    }

    /// The first `count` words, with quoting, and the rest of the line as typed.
    /// - Throws: ``ValidationError`` for an unbalanced quote or a trailing backslash in those words.
    public static func leadingWords(_ line: String, count: Int) throws -> (words: [String], rest: Substring) {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaping = false
        var index = line.startIndex
        while index < line.endIndex, words.count < count {
            let character = line[index]
            index = line.index(after: index)
            if escaping {
                current.append(character)
                escaping = false
                continue
            }
            switch (quote, character) {
            case (nil, "\\"), ("\"", "\\"):
                escaping = true
                inWord = true
            case (nil, "\""), (nil, "'"):
                quote = character
                inWord = true
            case (let open?, _) where character == open:
                quote = nil
            case (nil, _) where character.isWhitespace:
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        if quote != nil { throw ValidationError("unbalanced quotes: close the \(quote == "\"" ? "double" : "single") quote") }
        if escaping { throw ValidationError("a backslash at the end escapes nothing") }
        if inWord { words.append(current) }
        return (words, line[index...])
    }
}
