/// A line typed in the message box that starts with `/`.
public enum SlashCommand: Sendable, Equatable {
    case help

    /// The commands and their usage, for `/help`.
    public static let usage = [("/help", "list the commands you can use here")]

    /// Parses a command line.
    /// - Returns: `nil` when `line` is not a command (does not start with `/`).
    /// - Throws: ``ValidationError`` for an unknown command or wrong arguments.
    public static func parse(_ line: String) throws -> SlashCommand? {
        guard line.hasPrefix("/") else { return nil }
        let words = line.dropFirst().split(whereSeparator: { $0.isWhitespace })
        let name = words.first.map { $0.lowercased() } ?? ""
        switch name {
        case "help":
            guard words.count == 1 else { throw ValidationError("usage: /help") }
            return .help
        default:
            throw ValidationError("unknown command /\(name) — try /help")
        }
    }

    /// The `/help` text.
    public static var helpText: String {
        "Commands: " + usage.map { "\($0.0) — \($0.1)" }.joined(separator: "; ")
    }
}
