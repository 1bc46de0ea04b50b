/// What a message body may be.
public enum MessageRules {
    /// The longest body accepted, in characters.
    public static let maximumLength = 4_000

    /// Checks a body a user wants to send.
    /// - Returns: The body without trailing whitespace (leading indentation is kept).
    /// - Throws: ``ValidationError`` when it is empty, blank or too long.
    public static func validate(_ body: String) throws -> String {
        guard !body.trimmingWhitespace().isEmpty else {
            throw ValidationError("Type a message first: empty messages are not sent.")
        }
        guard body.count <= maximumLength else {
            throw ValidationError("Messages can be at most \(maximumLength) characters long (this one has \(body.count)).")
        }
        var scalars = body.unicodeScalars[...]
        while let last = scalars.last, last.properties.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
