/// The rules usernames and room names follow: 1–32 characters, each a letter, a digit,
/// `_`, `-` or `.`. Uniqueness ignores case; the spelling a user chose is kept for display.
public enum NameRules {
    /// The longest name allowed, in characters.
    public static let maximumLength = 32

    /// Checks a proposed name.
    /// - Parameter kind: What is being named ("username", "room name"), for the message.
    /// - Returns: The name with surrounding whitespace removed.
    /// - Throws: ``ValidationError`` saying what is wrong.
    public static func validate(_ name: String, kind: String) throws -> String {
        let trimmed = name.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw ValidationError("Choose a \(kind).")
        }
        guard trimmed.count <= maximumLength else {
            throw ValidationError("A \(kind) can be at most \(maximumLength) characters long.")
        }
        guard trimmed.unicodeScalars.allSatisfy(isAllowed) else {
            throw ValidationError("A \(kind) may only contain letters, digits, '_', '-' and '.'.")
        }
        return trimmed
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal || "_-.".unicodeScalars.contains(scalar)
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
