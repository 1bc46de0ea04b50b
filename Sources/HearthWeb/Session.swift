import HearthCore

/// A visitor's session, kept in Redis under `<REDIS_PREFIX>:session:<id>`.
///
/// Every visitor who sees a form gets one (so the form can carry a CSRF token); logging in
/// replaces it with a new one that names the user.
public struct Session: Codable, Sendable, Equatable {
    /// The session id: 256 random bits, base64url. Never logged.
    public var id: String
    public var userID: Int64?
    public var username: String?
    /// The CSRF token every state-changing form must carry.
    public var csrfToken: String

    /// The logged-in user, if any.
    public var user: User? {
        guard let userID, let username else { return nil }
        return User(id: userID, username: username)
    }
}
