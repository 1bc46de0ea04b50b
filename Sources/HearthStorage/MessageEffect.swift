import HearthCore

/// A change to the room that is stored in the same transaction as the system line announcing it,
/// so history never shows an action that did not happen, nor an action without its line.
public enum MessageEffect: Sendable, Equatable {
    /// Delete the room's history before the line (`/clear`).
    case clearHistory
    case setTopic(String)
    case setRole(userID: Int64, RoomRole)
    case setBanned(userID: Int64, Bool)
    /// Change a user's display name (`/nick`).
    case rename(userID: Int64, String)
}
