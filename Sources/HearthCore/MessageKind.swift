/// What a stored line is.
public enum MessageKind: String, Sendable, Codable, CaseIterable {
    /// Something a user said.
    case text
    /// "X joined": the user's first connection to the room opened.
    case join
    /// "X left": the user's last connection to the room closed.
    case leave
    /// A line written by the server for an administrative action (kill, ban, op, topic, nick).
    case system
    /// An action line: `/me waves` shows as "* alice waves".
    case action
    /// A private message, seen only by its author and its recipient.
    case `private`
    /// "history cleared by X": the history before it was deleted; clients empty their view.
    case clear
}
