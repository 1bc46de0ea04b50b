/// What a stored line is.
public enum MessageKind: String, Sendable, Codable, CaseIterable {
    /// Something a user said.
    case text
    /// "X joined": the user's first connection to the room opened.
    case join
    /// "X left": the user's last connection to the room closed.
    case leave
    /// A line written by the server (administrative actions).
    case system
}
