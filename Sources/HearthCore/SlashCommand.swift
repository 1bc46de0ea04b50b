/// A line typed in the message box that starts with `/`.
public enum SlashCommand: Sendable, Equatable {
    case help
    case kill(user: String, reason: String?)
    case clear
    case ban(user: String, reason: String?)
    case unban(user: String)
    case op(user: String)
    case deop(user: String)
    case topic(String?)
    case who
    case message(to: String, text: String)
    case me(String)
    case nick(String)
    case time

    /// One command's name, usage, who may use it and what it does, for `/help` and errors.
    public struct Spec: Sendable {
        public let name: String
        public let usage: String
        public let summary: String
        /// The least role that may use it.
        public let role: RoomRole
    }

    /// Every command, in `/help` order.
    public static let specs: [Spec] = [
        Spec(name: "help", usage: "/help", summary: "the commands you can use here", role: .member),
        Spec(name: "who", usage: "/who", summary: "who is in the room now", role: .member),
        Spec(name: "me", usage: "/me TEXT", summary: "an action line (* you TEXT)", role: .member),
        Spec(name: "msg", usage: "/msg USER TEXT", summary: "a private message to USER in this room", role: .member),
        Spec(name: "nick", usage: "/nick NAME", summary: "change your display name", role: .member),
        Spec(name: "time", usage: "/time", summary: "the server's date and time", role: .member),
        Spec(name: "topic", usage: "/topic [TEXT]", summary: "show the topic (moderators: set it)", role: .member),
        Spec(name: "kill", usage: "/kill USER [reason]", summary: "disconnect USER from this room (also /kick)", role: .moderator),
        Spec(name: "ban", usage: "/ban USER [reason]", summary: "disconnect USER and keep them out", role: .moderator),
        Spec(name: "unban", usage: "/unban USER", summary: "let USER back in", role: .moderator),
        Spec(name: "clear", usage: "/clear", summary: "delete the room's whole history", role: .moderator),
        Spec(name: "op", usage: "/op USER", summary: "make USER a moderator", role: .owner),
        Spec(name: "deop", usage: "/deop USER", summary: "take moderator away from USER", role: .owner),
    ]

    /// Parses a command line.
    /// - Returns: `nil` when `line` is not a command (does not start with `/`).
    /// - Throws: ``ValidationError``: unknown command, wrong arguments (the usage line), bad quotes.
    public static func parse(_ line: String) throws -> SlashCommand? {
        guard line.hasPrefix("/") else { return nil }
        let body = String(line.dropFirst())
        let name = body.prefix(while: { !$0.isWhitespace }).lowercased()
        let arguments = body.drop(while: { !$0.isWhitespace })
        func usage() -> ValidationError {
            ValidationError("usage: " + (specs.first { $0.name == name }?.usage ?? "/\(name)"))
        }
        func none() throws { guard arguments.allSatisfy(\.isWhitespace) else { throw usage() } }
        /// One (possibly quoted) word and the free text after it.
        func word(thenText required: Bool?) throws -> (String, String?) {
            let (words, rest) = try CommandTokenizer.leadingWords(String(arguments), count: 1)
            guard let word = words.first, !word.isEmpty else { throw usage() }
            let text = try CommandTokenizer.text(rest)
            switch required {
            case nil: guard text.isEmpty else { throw usage() }
            case true?: guard !text.isEmpty else { throw usage() }
            case false?: break
            }
            return (word, text.isEmpty ? nil : text)
        }
        func text() throws -> String? {
            let text = try CommandTokenizer.text(arguments)
            return text.isEmpty ? nil : text
        }
        switch name {
        case "help": try none(); return .help
        case "kill", "kick":
            let (user, reason) = try word(thenText: false)
            return .kill(user: user, reason: reason)
        case "clear": try none(); return .clear
        case "ban":
            let (user, reason) = try word(thenText: false)
            return .ban(user: user, reason: reason)
        case "unban": return .unban(user: try word(thenText: nil).0)
        case "op": return .op(user: try word(thenText: nil).0)
        case "deop": return .deop(user: try word(thenText: nil).0)
        case "topic": return .topic(try text())
        case "who": try none(); return .who
        case "msg":
            let (user, text) = try word(thenText: true)
            return .message(to: user, text: text!)
        case "me":
            guard let text = try text() else { throw usage() }
            return .me(text)
        case "nick": return .nick(try word(thenText: nil).0)
        case "time": try none(); return .time
        default:
            throw ValidationError("unknown command /\(name) — try /help")
        }
    }

    /// The least role this use of the command needs (`/topic` alone is for everyone).
    public var requiredRole: RoomRole {
        switch self {
        case .kill, .ban, .unban, .clear: .moderator
        case .topic(let text): text == nil ? .member : .moderator
        case .op, .deop: .owner
        case .help, .who, .message, .me, .nick, .time: .member
        }
    }

    /// The `/help` text for someone with `role`: only what they may use.
    public static func helpText(for role: RoomRole) -> String {
        "Commands you can use here: " + specs.filter { $0.role <= role }.map { "\($0.usage) — \($0.summary)" }.joined(separator: "; ")
    }
}
